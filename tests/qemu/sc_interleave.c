/*
 * Scheduling order on the target: three tasks of one priority that print
 * and yield take turns exactly round-robin, and a task of higher priority
 * that was spawned last still runs first.  The order is recorded in a
 * shared log as it happens and checked at the end by a lowest-priority
 * task, which runs only once nobody else is ready.
 */
#include <stdio.h>
#include <string.h>

#include "scenario.h"

#define ROUNDS 5
#define STACK 1024

static char order[64];
static size_t order_len;

static struct kt_task workers[3], high, checker;
static uint8_t worker_stacks[3][STACK], high_stack[STACK], checker_stack[STACK];

static void log_run(char c)
{
	if (order_len < sizeof(order) - 1)
		order[order_len++] = c;
}

static int worker(void *arg)
{
	char c = *(const char *)arg;

	for (int i = 0; i < ROUNDS; i++) {
		log_run(c);
		printf("task %c: round %d\n", c, i);
		kt_yield();
	}
	return c;
}

static int high_prio(void *arg)
{
	(void)arg;
	log_run('H');
	printf("task H: first, though spawned last\n");
	return 0;
}

static int check(void *arg)
{
	int result;
	(void)arg;

	for (int i = 0; i < 3; i++) {
		SC_CHECK_EQ(kt_task_join(&workers[i], &result, KT_NOWAIT), 0);
		SC_CHECK_EQ(result, "ABC"[i]);
	}
	order[order_len] = '\0';
	printf("order: %s\n", order);
	SC_CHECK(strcmp(order, "HABCABCABCABCABC") == 0);
	/* The workers yielded 5 times each, and ran once more to return. */
	SC_CHECK_EQ(workers[0].runs, KT_STATS ? ROUNDS + 1 : 0);
	SC_CHECK_EQ(high.runs, KT_STATS ? 1 : 0);
	sc_finish();
}

int main(void)
{
	kt_init(0);
	sc_begin("interleave");
	sc_watchdog(1000);
	for (int i = 0; i < 3; i++)
		SC_CHECK_EQ(kt_task_spawn(&workers[i], "worker", worker,
					  (void *)&"ABC"[i], worker_stacks[i],
					  STACK, 5),
			    0);
	SC_CHECK_EQ(kt_task_spawn(&high, "high", high_prio, NULL, high_stack,
				  STACK, 9),
		    0);
	SC_CHECK_EQ(kt_task_spawn(&checker, "checker", check, NULL,
				  checker_stack, STACK, 0),
		    0);
	kt_run();
}
