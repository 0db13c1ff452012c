/* Mutexes: ownership rules, hand-off order, inheritance, deadlock, death. */
#include "kt_test.h"

static struct kt_mutex m1, m2, m3;
static struct test_task t[4];
static char order[16];
static int order_len;

static void note(char c)
{
	order[order_len++] = c;
	order[order_len] = 0;
}

static void reset(void)
{
	kt_mutex_init(&m1);
	kt_mutex_init(&m2);
	kt_mutex_init(&m3);
	order_len = 0;
	order[0] = 0;
}

static int lock_sleep_unlock(void *arg)
{
	int err = kt_mutex_lock(&m1, KT_FOREVER);

	if (err != 0)
		return err;
	note(*(const char *)arg);
	kt_sleep(5);
	return kt_mutex_unlock(&m1);
}

static void basic_rules(void **state)
{
	(void)state;
	reset();
	assert_int_equal(kt_mutex_lock(NULL, 1), -EINVAL);
	assert_int_equal(kt_mutex_unlock(NULL), -EINVAL);
	assert_int_equal(kt_mutex_trylock(NULL), -EINVAL);
	assert_int_equal(kt_mutex_lock(&m1, 1), -EPERM); /* not a task */
	assert_int_equal(kt_mutex_unlock(&m1), -EPERM);  /* not the owner */
	assert_null(kt_mutex_owner(&m1));
}

static int rule_checker(void *arg)
{
	(void)arg;
	if (kt_mutex_trylock(&m1) != 0)
		return 1;
	if (kt_mutex_lock(&m1, KT_FOREVER) != -EDEADLK) /* no recursion */
		return 2;
	if (kt_mutex_trylock(&m1) != -EDEADLK)
		return 3;
	kt_sleep(10);
	if (kt_mutex_unlock(&m1) != 0)
		return 4;
	if (kt_mutex_unlock(&m1) != -EPERM)
		return 5;
	return 0;
}

static int intruder(void *arg)
{
	(void)arg;
	kt_sleep(1);
	if (kt_mutex_unlock(&m1) != -EPERM) /* not its mutex */
		return 1;
	if (kt_mutex_trylock(&m1) != -EBUSY)
		return 2;
	if (kt_mutex_lock(&m1, KT_NOWAIT) != -ETIMEDOUT)
		return 3;
	if (kt_mutex_lock(&m1, 3) != -ETIMEDOUT)
		return 4;
	return kt_mutex_owner(&m1) == &t[0].task ? 0 : 5;
}

static void owner_rules(void **state)
{
	(void)state;
	reset();
	spawn(&t[0], "owner", rule_checker, NULL, 2);
	spawn(&t[1], "intruder", intruder, NULL, 2);
	kt_host_tick(20);
	assert_int_equal(t[0].task.state, KT_DONE);
	assert_int_equal(t[0].task.result, 0);
	assert_int_equal(t[1].task.result, 0);
	assert_null(kt_mutex_owner(&m1));
}

/* Waiters by priority, FIFO within; unlock hands over directly. */
static void handoff_order(void **state)
{
	static struct test_task extra[2];
	(void)state;
	reset();
	spawn(&t[0], "first", lock_sleep_unlock, "0", 1);
	kt_run_until_idle(); /* t0 owns m1 */
	spawn(&t[1], "lowA", lock_sleep_unlock, "a", 1);
	spawn(&t[2], "high", lock_sleep_unlock, "h", 5);
	spawn(&extra[0], "lowB", lock_sleep_unlock, "b", 1);
	spawn(&extra[1], "mid", lock_sleep_unlock, "m", 3);
	kt_host_tick(100);
	assert_string_equal(order, "0hmab");
	for (int i = 0; i < 3; i++)
		assert_int_equal(t[i].task.result, 0);
}

/* No barging: a task that arrives when the mutex is handed over waits. */
static int barger(void *arg)
{
	(void)arg;
	return kt_mutex_trylock(&m1);
}

static int unlock_then_spawn(void *arg)
{
	(void)arg;
	kt_mutex_lock(&m1, KT_FOREVER);
	kt_sleep(2);
	kt_mutex_unlock(&m1);
	/* the waiter owns it now, though it has not run yet */
	return kt_mutex_owner(&m1) == &t[1].task ? 0 : 1;
}

static void no_barging(void **state)
{
	(void)state;
	reset();
	spawn(&t[0], "owner", unlock_then_spawn, NULL, 2);
	kt_run_until_idle();
	spawn(&t[1], "waiter", lock_sleep_unlock, "w", 1);
	kt_run_until_idle();
	kt_host_tick(2);
	assert_int_equal(t[0].task.result, 0);
	spawn(&t[2], "barger", barger, NULL, 9);
	kt_run_until_idle();
	assert_int_equal(t[2].task.result, -EBUSY);
}

/* Inheritance: low holds, high waits, mid is ready: low runs before mid. */
static int low_holder(void *arg)
{
	(void)arg;
	kt_mutex_lock(&m1, KT_FOREVER);
	kt_yield(); /* high arrives and waits */
	note('L');
	kt_yield(); /* lifted above mid: still runs before mid */
	note('l');
	kt_mutex_unlock(&m1);
	return 0;
}

static int high_waiter(void *arg)
{
	(void)arg;
	kt_mutex_lock(&m1, KT_FOREVER);
	note('H');
	kt_mutex_unlock(&m1);
	return 0;
}

static int mid_worker(void *arg)
{
	(void)arg;
	note('M');
	return 0;
}

static void priority_inheritance(void **state)
{
	(void)state;
	reset();
	spawn(&t[0], "low", low_holder, NULL, 1);
	kt_run_until_idle();
	assert_int_equal(t[0].task.state, KT_DONE); /* alone: ran through */
	reset();
	spawn(&t[0], "low", low_holder, NULL, 1);
	kt_host_tick(0);
	spawn(&t[1], "high", high_waiter, NULL, 9);
	spawn(&t[2], "mid", mid_worker, NULL, 5);
	kt_run_until_idle();
	/* low lifted to 9 ran before mid; high ran right after the unlock. */
	assert_string_equal(order, "LlHM");
	assert_int_equal(t[0].task.prio, 1); /* lift undone */
}

static int chain_a(void *arg) /* holds m1, then waits for m2 */
{
	(void)arg;
	kt_mutex_lock(&m1, KT_FOREVER);
	kt_sleep(2);
	kt_mutex_lock(&m2, KT_FOREVER);
	kt_mutex_unlock(&m2);
	kt_mutex_unlock(&m1);
	return 0;
}

static int chain_b(void *arg) /* holds m2 for a while */
{
	(void)arg;
	kt_mutex_lock(&m2, KT_FOREVER);
	kt_sleep(10);
	kt_mutex_unlock(&m2);
	return 0;
}

static int chain_top(void *arg) /* waits for m1 with a timeout */
{
	(void)arg;
	return kt_mutex_lock(&m1, 4);
}

static void transitive_inheritance_and_undo_on_timeout(void **state)
{
	(void)state;
	reset();
	spawn(&t[0], "a", chain_a, NULL, 2);
	spawn(&t[1], "b", chain_b, NULL, 1);
	kt_host_tick(3); /* a holds m1 and waits on m2, held by b */
	assert_int_equal(t[0].task.wait, KT_WAIT_MUTEX);
	assert_int_equal(t[1].task.prio, 2); /* b lifted by a */
	spawn(&t[2], "top", chain_top, NULL, 7);
	kt_run_until_idle();
	assert_int_equal(t[0].task.prio, 7); /* a lifted by top */
	assert_int_equal(t[1].task.prio, 7); /* and b, through a */
	kt_host_tick(4);                     /* top times out */
	assert_int_equal(t[2].task.result, -ETIMEDOUT);
	assert_int_equal(t[0].task.prio, 2);
	assert_int_equal(t[1].task.prio, 2);
	kt_host_tick(10);
	assert_int_equal(t[0].task.state, KT_DONE);
	assert_int_equal(t[1].task.state, KT_DONE);
	assert_int_equal(t[0].task.prio, 2);
	assert_int_equal(t[1].task.prio, 1);
}

/* A holds L wants M, B holds M wants L: the second to block is refused. */
static int deadlock_ab(void *arg)
{
	struct kt_mutex **pair = arg;
	int err;

	kt_mutex_lock(pair[0], KT_FOREVER);
	kt_sleep(2);
	err = kt_mutex_lock(pair[1], KT_FOREVER);
	if (err == 0)
		kt_mutex_unlock(pair[1]);
	kt_mutex_unlock(pair[0]);
	return err;
}

static void deadlock_detected(void **state)
{
	static struct kt_mutex *ab[2] = { &m1, &m2 }, *ba[2] = { &m2, &m1 };
	(void)state;
	reset();
	spawn(&t[0], "A", deadlock_ab, ab, 1);
	spawn(&t[1], "B", deadlock_ab, ba, 1);
	kt_host_tick(5);
	assert_int_equal(t[0].task.state, KT_DONE);
	assert_int_equal(t[1].task.state, KT_DONE);
	/* The one that blocked second closed the cycle and was refused; the
	 * other got its mutex when the refused one gave up and unlocked. */
	assert_int_equal(t[0].task.result + t[1].task.result, -EDEADLK);
	assert_true(t[0].task.result == 0 || t[1].task.result == 0);
}

static void longer_cycle_detected(void **state)
{
	static struct kt_mutex *p0[2] = { &m1, &m2 }, *p1[2] = { &m2, &m3 },
			       *p2[2] = { &m3, &m1 };
	(void)state;
	reset();
	spawn(&t[0], "A", deadlock_ab, p0, 1);
	spawn(&t[1], "B", deadlock_ab, p1, 1);
	spawn(&t[2], "C", deadlock_ab, p2, 1);
	kt_host_tick(5);
	for (int i = 0; i < 3; i++)
		assert_int_equal(t[i].task.state, KT_DONE);
	assert_int_equal(t[0].task.result + t[1].task.result + t[2].task.result,
			 -EDEADLK);
}

static int die_holding(void *arg)
{
	(void)arg;
	kt_mutex_lock(&m1, KT_FOREVER);
	kt_sleep(3);
	return 0; /* forgot to unlock */
}

static int lock_result(void *arg)
{
	int err;

	(void)arg;
	err = kt_mutex_lock(&m1, KT_FOREVER);
	if (kt_mutex_owner(&m1) != kt_self())
		return 100;
	kt_mutex_unlock(&m1);
	return err;
}

static void owner_death(void **state)
{
	(void)state;
	reset();
	spawn(&t[0], "dier", die_holding, NULL, 1);
	spawn(&t[1], "heir", lock_result, NULL, 1);
	kt_host_tick(5);
	assert_int_equal(t[1].task.result, -EOWNERDEAD);
	/* Repaired: the next owner sees a normal lock. */
	spawn(&t[2], "next", lock_result, NULL, 1);
	kt_run_until_idle();
	assert_int_equal(t[2].task.result, 0);
	/* With no waiter, the next lock learns it. */
	spawn(&t[0], "dier", die_holding, NULL, 1);
	kt_host_tick(5);
	assert_null(kt_mutex_owner(&m1));
	spawn(&t[1], "late", lock_result, NULL, 1);
	kt_run_until_idle();
	assert_int_equal(t[1].task.result, -EOWNERDEAD);
}

static int cancel_me_on_lock(void *arg)
{
	(void)arg;
	return kt_mutex_lock(&m1, KT_FOREVER);
}

static void cancelled_waiter_leaves_and_undoes_lift(void **state)
{
	(void)state;
	reset();
	spawn(&t[0], "owner", die_holding, NULL, 1);
	kt_run_until_idle();
	spawn(&t[1], "waiter", cancel_me_on_lock, NULL, 8);
	kt_run_until_idle();
	assert_int_equal(t[0].task.prio, 8);
	assert_int_equal(kt_task_cancel(&t[1].task), 0);
	kt_run_until_idle();
	assert_int_equal(t[1].task.result, -ECANCELED);
	assert_int_equal(t[0].task.prio, 1);
	assert_true(kt_list_empty(&m1.waiters));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		KT_TEST(basic_rules),
		KT_TEST(owner_rules),
		KT_TEST(handoff_order),
		KT_TEST(no_barging),
		KT_TEST(priority_inheritance),
		KT_TEST(transitive_inheritance_and_undo_on_timeout),
		KT_TEST(deadlock_detected),
		KT_TEST(longer_cycle_detected),
		KT_TEST(owner_death),
		KT_TEST(cancelled_waiter_leaves_and_undoes_lift),
	};
	return cmocka_run_group_tests_name("mutex", tests, NULL, NULL);
}
