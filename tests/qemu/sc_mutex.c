/*
 * Mutexes on the target: priority inheritance and deadlock detection.
 *
 * - inherit: low (prio 1) takes the mutex and waits for a go; high
 *   (prio 9) and mid (prio 5) are spawned and the go is given, so all three
 *   are ready.  high blocks on the mutex and lifts low to 9: low runs
 *   before mid, so the order is low, high, mid; the lift ends on unlock.
 * - deadlock: A holds L and wants M, B holds M and wants L.  The second to
 *   block is refused with -EDEADLK at once (no hang), unlocks, and the
 *   other one then gets its mutex.
 */
#include <stdio.h>
#include <string.h>

#include "scenario.h"

#define STACK 1024

static struct kt_mutex m, l_mutex, m_mutex;
static struct kt_event go;
static struct kt_task low, mid, high, ta, tb, checker;
static uint8_t stacks[6][STACK];
static char order[16];
static size_t order_len;

static void note(char c)
{
	if (order_len < sizeof(order) - 1)
		order[order_len++] = c;
}

static int low_fn(void *arg)
{
	(void)arg;
	SC_CHECK_EQ(kt_mutex_lock(&m, KT_FOREVER), 0);
	SC_CHECK_EQ(kt_event_wait(&go, 100), 0);
	/* Ready with high and mid: it only runs now, before mid, if lifted. */
	SC_CHECK_EQ(low.prio, 9);
	note('L');
	SC_CHECK_EQ(kt_mutex_unlock(&m), 0);
	SC_CHECK_EQ(low.prio, 1);
	return 0;
}

static int high_fn(void *arg)
{
	(void)arg;
	SC_CHECK_EQ(kt_mutex_lock(&m, 100), 0);
	note('H');
	SC_CHECK_EQ(kt_mutex_unlock(&m), 0);
	return 0;
}

static int mid_fn(void *arg)
{
	(void)arg;
	note('M');
	return 0;
}

static int lock_pair(void *arg)
{
	struct kt_mutex **pair = arg;
	int err;

	SC_CHECK_EQ(kt_mutex_lock(pair[0], KT_FOREVER), 0);
	kt_sleep(2);
	err = kt_mutex_lock(pair[1], 1000);
	if (err == 0)
		kt_mutex_unlock(pair[1]);
	kt_mutex_unlock(pair[0]);
	printf("%s: second lock -> %d\n", kt_self()->name, err);
	return err;
}

static int check(void *arg)
{
	static struct kt_mutex *ab[2] = { &l_mutex, &m_mutex };
	static struct kt_mutex *ba[2] = { &m_mutex, &l_mutex };
	int ra = 1, rb = 1;
	kt_tick_t t0;

	(void)arg;
	/* inherit: low takes m first; high and mid arrive while it holds it. */
	kt_task_spawn(&low, "low", low_fn, NULL, stacks[0], STACK, 1);
	kt_sleep(1);
	SC_CHECK(kt_mutex_owner(&m) == &low);
	kt_task_spawn(&high, "high", high_fn, NULL, stacks[1], STACK, 9);
	kt_task_spawn(&mid, "mid", mid_fn, NULL, stacks[2], STACK, 5);
	kt_event_set(&go);
	kt_task_join(&mid, NULL, 100);
	order[order_len] = 0;
	printf("inherit order: %s\n", order);
	SC_CHECK(strcmp(order, "LHM") == 0);

	/* deadlock */
	t0 = kt_now();
	kt_task_spawn(&ta, "A", lock_pair, ab, stacks[3], STACK, 3);
	kt_task_spawn(&tb, "B", lock_pair, ba, stacks[4], STACK, 3);
	SC_CHECK_EQ(kt_task_join(&ta, &ra, 100), 0);
	SC_CHECK_EQ(kt_task_join(&tb, &rb, 100), 0);
	SC_CHECK_EQ(ra + rb, -EDEADLK);
	SC_CHECK(ra == 0 || rb == 0);
	/* Refused at once: no waiting out the 1000-tick timeout. */
	SC_CHECK(kt_now() - t0 < 10);
	SC_CHECK(kt_mutex_owner(&l_mutex) == NULL);
	SC_CHECK(kt_mutex_owner(&m_mutex) == NULL);
	sc_finish();
}

int main(void)
{
	kt_init(0);
	sc_begin("mutex");
	sc_watchdog(2000);
	kt_mutex_init(&m);
	kt_event_init(&go);
	kt_mutex_init(&l_mutex);
	kt_mutex_init(&m_mutex);
	kt_task_spawn(&checker, "checker", check, NULL, stacks[5], STACK, 10);
	kt_run();
}
