/*
 * Producer and consumer on a queue (asyncio.Queue).
 *
 * The producer puts a "sensor reading" every 10 ms into a queue of four;
 * the consumer gets them, smooths them (filter.c) and prints the result.
 * The consumer is slower at first (it sleeps 25 ms per item), so the queue
 * fills and the producer's put blocks until there is room: back-pressure,
 * with no reading lost.  After the last reading the producer puts a
 * sentinel, the consumer returns, and main's join sees it finish.
 */
#include <stdio.h>

#include "board.h"
#include "filter.h"
#include "kettle.h"

#define READINGS 8
#define END INT32_MIN /* the sentinel: no more readings */

static struct kt_queue readings;
static int32_t storage[4];
static struct kt_task producer_task, consumer_task, main_task;
static uint8_t stacks[3][1024];

static int producer(void *arg)
{
	static const int32_t samples[READINGS] = { 10, 20, 30, 40, 40, 40, 0, 0 };
	int32_t end = END;

	(void)arg;
	for (unsigned i = 0; i < READINGS; i++) {
		/* Blocks while the queue is full: the consumer sets the pace. */
		if (kt_queue_put(&readings, &samples[i], KT_FOREVER) != 0)
			return -1;
		printf("put %ld (queued %u)\n", (long)samples[i],
		       (unsigned)kt_queue_count(&readings));
		kt_sleep(10);
	}
	return kt_queue_put(&readings, &end, KT_FOREVER);
}

static int consumer(void *arg)
{
	struct filter f;
	int32_t v;

	(void)arg;
	filter_init(&f);
	for (;;) {
		int err = kt_queue_get(&readings, &v, KT_TICK_HZ);

		if (err != 0)
			return err; /* -ETIMEDOUT: the producer went quiet */
		if (v == END)
			return 0;
		printf("got %ld, mean %ld\n", (long)v, (long)filter_add(&f, v));
		kt_sleep(25);
	}
}

static int main_fn(void *arg)
{
	int p = -1, c = -1;

	(void)arg;
	kt_task_join(&producer_task, &p, KT_FOREVER);
	kt_task_join(&consumer_task, &c, KT_FOREVER);
	printf("queue: producer %d, consumer %d\n", p, c);
	board_exit(p == 0 && c == 0 ? 0 : 1);
}

int main(void)
{
	kt_init(0);
	kt_queue_init(&readings, storage, sizeof(storage[0]), 4);
	kt_task_spawn(&producer_task, "producer", producer, NULL, stacks[0],
		      sizeof(stacks[0]), 2);
	kt_task_spawn(&consumer_task, "consumer", consumer, NULL, stacks[1],
		      sizeof(stacks[1]), 2);
	kt_task_spawn(&main_task, "main", main_fn, NULL, stacks[2],
		      sizeof(stacks[2]), 1);
	kt_run();
}
