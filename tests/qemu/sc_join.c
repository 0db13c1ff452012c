/*
 * Joining tasks on the target.
 *
 * - join returns the task's return value (negative ones too), whether the
 *   task is still running or already finished when join is called;
 * - a join with a timeout on a task that runs longer returns -ETIMEDOUT
 *   after exactly that many ticks, and a later join still succeeds;
 * - a join whose task finishes first returns when the task does, not at
 *   its timeout;
 * - two tasks joining one task both wake with its result;
 * - the errors: join on itself (-EDEADLK), a NULL or never spawned task
 *   (-EINVAL), and from outside a task (-EPERM, checked before kt_run);
 * - a finished task can be spawned again and joined again.
 */
#include <stdio.h>

#include "scenario.h"

#define STACK 1024

static struct kt_task quick, slow, negative, waiter_a, waiter_b, never, main_task;
static uint8_t stacks[6][STACK];

/* Sleeps arg ticks, returns arg + 1000. */
static int sleeper(void *arg)
{
	kt_tick_t ticks = (kt_tick_t)(uintptr_t)arg;

	kt_sleep(ticks);
	return (int)ticks + 1000;
}

static int returns_negative(void *arg)
{
	(void)arg;
	kt_yield();
	return -42;
}

/* Joins slow; reports the result it got through its own return value. */
static int join_slow(void *arg)
{
	int result = 0;
	(void)arg;

	if (kt_task_join(&slow, &result, KT_FOREVER) != 0)
		return -1;
	return result;
}

static int run(void *arg)
{
	int result = 0;
	kt_tick_t t0;
	(void)arg;

	/* The one main() spawned before kt_run. */
	SC_CHECK_EQ(kt_task_join(&quick, &result, KT_FOREVER), 0);
	SC_CHECK_EQ(result, 1001);

	/* quick still sleeping: join waits for it and gets its value. */
	SC_CHECK_EQ(kt_task_spawn(&quick, "quick", sleeper, (void *)10,
				  stacks[0], STACK, 5),
		    0);
	t0 = kt_now();
	SC_CHECK_EQ(kt_task_join(&quick, &result, KT_FOREVER), 0);
	SC_CHECK_EQ(result, 1010);
	SC_CHECK_EQ(kt_now() - t0, 10);
	/* Already finished: join returns at once with the same value. */
	result = 0;
	t0 = kt_now();
	SC_CHECK_EQ(kt_task_join(&quick, &result, 5), 0);
	SC_CHECK_EQ(result, 1010);
	SC_CHECK_EQ(kt_now(), t0);
	SC_CHECK_EQ(kt_task_join(&quick, NULL, KT_NOWAIT), 0);

	/* A negative return value comes through unchanged. */
	SC_CHECK_EQ(kt_task_spawn(&negative, "negative", returns_negative, NULL,
				  stacks[1], STACK, 5),
		    0);
	SC_CHECK_EQ(kt_task_join(&negative, &result, KT_FOREVER), 0);
	SC_CHECK_EQ(result, -42);

	/*
	 * slow runs 100 ticks, with two more joiners: a 30-tick join times
	 * out after exactly 30 ticks, a later one gets the result.
	 */
	SC_CHECK_EQ(kt_task_spawn(&slow, "slow", sleeper, (void *)100,
				  stacks[2], STACK, 5),
		    0);
	SC_CHECK_EQ(kt_task_spawn(&waiter_a, "waiter-a", join_slow, NULL,
				  stacks[3], STACK, 4),
		    0);
	SC_CHECK_EQ(kt_task_spawn(&waiter_b, "waiter-b", join_slow, NULL,
				  stacks[4], STACK, 6),
		    0);
	t0 = kt_now();
	result = 7;
	SC_CHECK_EQ(kt_task_join(&slow, &result, 30), -ETIMEDOUT);
	SC_CHECK_EQ(kt_now() - t0, 30);
	SC_CHECK_EQ(result, 7); /* untouched on timeout */
	SC_CHECK_EQ(slow.state, KT_BLOCKED);
	SC_CHECK_EQ(kt_task_join(&slow, &result, KT_NOWAIT), -ETIMEDOUT);
	/* Finishes at t0 + 100, well before this timeout: returns then. */
	SC_CHECK_EQ(kt_task_join(&slow, &result, 1000), 0);
	SC_CHECK_EQ(result, 1100);
	SC_CHECK_EQ(kt_now() - t0, 100);
	SC_CHECK_EQ(kt_task_join(&waiter_a, &result, KT_FOREVER), 0);
	SC_CHECK_EQ(result, 1100);
	SC_CHECK_EQ(kt_task_join(&waiter_b, &result, KT_FOREVER), 0);
	SC_CHECK_EQ(result, 1100);

	/* Errors. */
	SC_CHECK_EQ(kt_task_join(&main_task, NULL, KT_FOREVER), -EDEADLK);
	SC_CHECK_EQ(kt_task_join(NULL, NULL, KT_FOREVER), -EINVAL);
	SC_CHECK_EQ(kt_task_join(&never, NULL, KT_FOREVER), -EINVAL);

	/* A finished task is spawned again, with a new result. */
	SC_CHECK_EQ(kt_task_spawn(&quick, "quick-again", sleeper, (void *)3,
				  stacks[0], STACK, 5),
		    0);
	SC_CHECK_EQ(kt_task_spawn(&quick, "busy", sleeper, (void *)3, stacks[0],
				  STACK, 5),
		    -EBUSY);
	SC_CHECK_EQ(kt_task_join(&quick, &result, KT_FOREVER), 0);
	SC_CHECK_EQ(result, 1003);
	printf("join: done at tick %lu\n", (unsigned long)kt_now());
	sc_finish();
}

int main(void)
{
	kt_init(0xffffffffu - 50u); /* the 100-tick join crosses the wrap */
	sc_begin("join");
	sc_watchdog(5000);
	/* Outside a task there is nothing to block: -EPERM. */
	SC_CHECK_EQ(kt_task_spawn(&quick, "early", sleeper, (void *)1,
				  stacks[0], STACK, 5),
		    0);
	SC_CHECK_EQ(kt_task_join(&quick, NULL, 10), -EPERM);
	SC_CHECK_EQ(kt_task_spawn(&main_task, "main", run, NULL, stacks[5], STACK, 5),
		    0);
	kt_run();
}
