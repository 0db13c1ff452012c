/*
 * A mutex guarding the UART (asyncio.Lock).
 *
 * Three tasks each write a report of several pieces with board_uart_write,
 * which goes straight to the UART driver and yields between pieces here
 * (as a real driver does whenever its transmit buffer fills).  Without a
 * lock the pieces of different reports interleave on the wire; holding
 * uart_lock across the whole report keeps every report in one piece.
 * Waiters queue FIFO within a priority, so the reports come out in the
 * order the tasks asked for the lock.
 *
 * The first round runs without the lock, to show the problem; the second
 * with it.  (The board's own board_printf does the same with
 * board_console_mutex: use it for ordinary output.)
 */
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "kettle.h"

#define WRITERS 3

static struct kt_mutex uart_lock;
static struct kt_task writers[WRITERS], main_task;
static uint8_t stacks[WRITERS + 1][1024];
static bool use_lock;

static void put(const char *s)
{
	board_uart_write(s, strlen(s), KT_FOREVER);
	kt_yield(); /* where a full transmit buffer would switch tasks */
}

static int writer(void *arg)
{
	const char *name = arg;

	if (use_lock && kt_mutex_lock(&uart_lock, KT_FOREVER) != 0)
		return -1;
	put("[");
	put(name);
	put(": one two three");
	put("]\n");
	if (use_lock)
		kt_mutex_unlock(&uart_lock);
	return 0;
}

static int round_of(bool lock)
{
	static const char *const names[WRITERS] = { "a", "b", "c" };
	int err = 0;

	use_lock = lock;
	for (unsigned i = 0; i < WRITERS; i++)
		err |= kt_task_spawn(&writers[i], names[i], writer,
				     (void *)names[i], stacks[i],
				     sizeof(stacks[i]), 2);
	for (unsigned i = 0; i < WRITERS; i++) {
		int r = -1;

		err |= kt_task_join(&writers[i], &r, KT_FOREVER) | r;
	}
	return err;
}

static int main_fn(void *arg)
{
	(void)arg;
	board_printf("without the lock:\n");
	int err = round_of(false);
	board_printf("with the lock:\n");
	err |= round_of(true);
	board_printf("mutex_uart: %s\n", err ? "error" : "done");
	board_exit(err ? 1 : 0);
}

int main(void)
{
	kt_init(0);
	kt_mutex_init(&uart_lock);
	kt_task_spawn(&main_task, "main", main_fn, NULL, stacks[WRITERS],
		      sizeof(stacks[WRITERS]), 1);
	kt_run();
}
