/*
 * newlib's system calls, for the boards: stdio on the console UART, a heap
 * for malloc between the linker's __heap_start and __heap_end, exit through
 * board_exit().  Nothing here knows the board: all of it goes through
 * board.h, so every board links the same file.
 *
 * stdout and stderr write through board_uart_write() and loop until all
 * is written, so printf in a task blocks (lets other tasks run) while the
 * transmit buffer is full, and outside a task it polls.  Two tasks that
 * print at once interleave between the pieces newlib hands to _write at
 * worst (see _write), never inside a board_printf line: both take the
 * console mutex (board/common/console.c).  stdin
 * reads what the console has: in a task it waits for at least one byte.
 * There is no file system: other descriptors fail with EBADF.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "board.h"

extern char __heap_start[], __heap_end[];

/* The prototypes newlib calls; it declares only some of them. */
int _write(int fd, const void *buf, size_t len);
int _read(int fd, void *buf, size_t len);
void *_sbrk(ptrdiff_t incr);
int _close(int fd);
int _fstat(int fd, struct stat *st);
int _isatty(int fd);
off_t _lseek(int fd, off_t off, int whence);
void _exit(int code);
int _kill(int pid, int sig);
int _getpid(void);

int _write(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	char copy[32];
	int n;

	if (fd != STDOUT_FILENO && fd != STDERR_FILENO) {
		errno = EBADF;
		return -1;
	}
	/*
	 * Copy short writes before anything can block.  For an unbuffered
	 * stream newlib-nano hands over the FILE's one-byte buffer, shared by
	 * every task that prints (its stdio has no locks): a task blocked
	 * here on a full transmit ring must not send, when it wakes, the
	 * byte another task's printf has put there in the meantime.
	 */
	if (len <= sizeof(copy)) {
		memcpy(copy, buf, len);
		p = copy;
	}
	n = board_console_write(p, len);
	if (n < 0) {
		errno = -n;
		return -1;
	}
	return n;
}

int _read(int fd, void *buf, size_t len)
{
	int n;

	if (fd != STDIN_FILENO) {
		errno = EBADF;
		return -1;
	}
	if (len == 0)
		return 0;
	n = board_uart_read(buf, len, KT_FOREVER);
	if (n < 0) {
		errno = -n;
		return -1;
	}
	return n;
}

void *_sbrk(ptrdiff_t incr)
{
	static char *brk = __heap_start;
	char *old = brk;

	if (incr > __heap_end - brk || incr < __heap_start - brk) {
		errno = ENOMEM;
		return (void *)-1;
	}
	brk += incr;
	return old;
}

int _close(int fd)
{
	(void)fd;
	errno = EBADF;
	return -1;
}

int _fstat(int fd, struct stat *st)
{
	if (fd < 0 || fd > STDERR_FILENO) {
		errno = EBADF;
		return -1;
	}
	st->st_mode = S_IFCHR; /* a terminal: newlib line-buffers it */
	return 0;
}

int _isatty(int fd)
{
	if (fd >= 0 && fd <= STDERR_FILENO)
		return 1;
	errno = EBADF;
	return 0;
}

off_t _lseek(int fd, off_t off, int whence)
{
	(void)fd;
	(void)off;
	(void)whence;
	errno = ESPIPE;
	return -1;
}

void _exit(int code)
{
	board_exit(code);
}

int _kill(int pid, int sig)
{
	(void)pid;
	(void)sig;
	errno = EINVAL;
	return -1;
}

int _getpid(void)
{
	return 1;
}
