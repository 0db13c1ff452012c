/*
 * Whole lines on a shared console.  Every board's console output goes
 * through board_uart_write, which blocks a task while the transmit buffer
 * is full: without a lock another task could then write into the middle
 * of its line.  board_printf formats first (on the caller's stack), then
 * writes the whole text holding board_console_mutex; _write (printf, puts)
 * takes the same mutex for each piece.  Outside a task (before kt_run, in
 * callbacks and handlers) nothing can block, so nothing can interleave,
 * and no lock is taken.
 */
#include <stdarg.h>
#include <stdio.h>

#include "board.h"

struct kt_mutex board_console_mutex = KT_MUTEX_INIT(board_console_mutex);

/* Lock the console if the caller is a task: 1 locked, 0 not, or an error. */
static int console_lock(void)
{
	int err;

	if (kt_self() == NULL)
		return 0;
	err = kt_mutex_lock(&board_console_mutex, KT_FOREVER);
	/* A task that died holding it left no half line we could repair. */
	return err == 0 || err == -EOWNERDEAD ? 1 : err;
}

int board_console_write(const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;
	int locked = console_lock();

	if (locked < 0)
		return locked;
	while (done < len) {
		int n = board_uart_write(p + done, len - done, KT_FOREVER);

		if (n < 0)
			break;
		done += (size_t)n;
	}
	if (locked)
		kt_mutex_unlock(&board_console_mutex);
	return done != 0 || len == 0 ? (int)done : -EIO;
}

int board_vformat(char buf[BOARD_PRINTF_MAX], const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, BOARD_PRINTF_MAX, fmt, ap);

	if (n < 0)
		return -EINVAL;
	return n >= BOARD_PRINTF_MAX ? BOARD_PRINTF_MAX - 1 : n;
}

int board_printf(const char *fmt, ...)
{
	char buf[BOARD_PRINTF_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = board_vformat(buf, fmt, ap);
	va_end(ap);
	return n < 0 ? n : board_console_write(buf, (size_t)n);
}
