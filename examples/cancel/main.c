/*
 * Cancel with cleanup (asyncio Task.cancel and CancelledError).
 *
 * A worker takes a mutex (a shared bus, say) and a buffer from a pool,
 * then works in steps of 100 ms.  main cancels it after 250 ms: the
 * worker's current blocking call - the sleep - returns -ECANCELED, the
 * worker puts the buffer back, unlocks and returns -ECANCELED, which is
 * what main's join sees.  The bus and the pool are whole again: main locks
 * the bus at once and finds every buffer free.
 *
 * (A stretch that must not be cut short goes between kt_cancel_defer and
 * kt_cancel_allow, asyncio's shield: a cancel that comes meanwhile is
 * delivered at the next blocking call after it.)
 */
#include <stdio.h>

#include "board.h"
#include "kettle.h"

#define BUFFERS 2

static struct kt_mutex bus;
static struct kt_sem pool; /* free buffers */
static struct kt_task worker_task, main_task;
static uint8_t stacks[2][1024];

static int worker(void *arg)
{
	int err;

	(void)arg;
	if (kt_mutex_lock(&bus, KT_FOREVER) != 0)
		return -1;
	if (kt_sem_take(&pool, KT_FOREVER) != 0) {
		kt_mutex_unlock(&bus);
		return -1;
	}
	printf("worker: holds the bus and a buffer (%lu free)\n",
	       (unsigned long)kt_sem_count(&pool));

	for (unsigned step = 1;; step++) {
		err = kt_sleep(KT_TICK_HZ / 10);
		if (err != 0)
			break;
		printf("worker: step %u\n", step);
	}
	/* Cleanup: every exit path gives back what it took. */
	printf("worker: %s, cleaning up\n", err == -ECANCELED ? "cancelled" : "error");
	kt_sem_give(&pool);
	kt_mutex_unlock(&bus);
	return err;
}

static int main_fn(void *arg)
{
	int result = 0, ok;

	(void)arg;
	kt_sleep(KT_TICK_HZ / 4); /* the worker is at its third step */
	printf("main: cancel: %d\n", kt_task_cancel(&worker_task));
	kt_task_join(&worker_task, &result, KT_FOREVER);
	printf("main: worker returned %d (-ECANCELED is %d)\n", result, -ECANCELED);
	ok = result == -ECANCELED && kt_mutex_trylock(&bus) == 0 &&
	     kt_sem_count(&pool) == BUFFERS;
	printf("main: bus free, %lu of %d buffers free\n",
	       (unsigned long)kt_sem_count(&pool), BUFFERS);
	board_exit(ok ? 0 : 1);
}

int main(void)
{
	kt_init(0);
	kt_mutex_init(&bus);
	kt_sem_init(&pool, BUFFERS, BUFFERS);
	kt_task_spawn(&worker_task, "worker", worker, NULL, stacks[0],
		      sizeof(stacks[0]), 2);
	kt_task_spawn(&main_task, "main", main_fn, NULL, stacks[1],
		      sizeof(stacks[1]), 1);
	kt_run();
}
