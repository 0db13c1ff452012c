/* Tasks: spawn rules, join, sleep, drift-free periods, introspection. */
#include <string.h>

#include "kt_test.h"

static int ret_arg(void *arg)
{
	return (int)(intptr_t)arg;
}

static void spawn_rejects_bad_arguments(void **state)
{
	static struct test_task t;
	static unsigned char small[KT_STACK_MIN - 1];
	(void)state;
	assert_int_equal(kt_task_spawn(NULL, "x", ret_arg, NULL, t.stack,
				       sizeof(t.stack), 1),
			 -EINVAL);
	assert_int_equal(kt_task_spawn(&t.task, "x", NULL, NULL, t.stack,
				       sizeof(t.stack), 1),
			 -EINVAL);
	assert_int_equal(kt_task_spawn(&t.task, "x", ret_arg, NULL, NULL,
				       sizeof(t.stack), 1),
			 -EINVAL);
	assert_int_equal(kt_task_spawn(&t.task, "x", ret_arg, NULL, small,
				       sizeof(small), 1),
			 -EINVAL);
	assert_int_equal(kt_task_spawn(&t.task, "x", ret_arg, NULL, t.stack,
				       sizeof(t.stack), 32),
			 -EINVAL);
	assert_int_equal(t.task.state, KT_UNUSED);
	assert_null(kt_task_next(NULL));
	assert_int_equal(spawn(&t, "x", ret_arg, NULL, 1), 0);
	/* Spawning a live task again is refused and changes nothing. */
	assert_int_equal(spawn(&t, "y", ret_arg, NULL, 2), -EBUSY);
	assert_string_equal(t.task.name, "x");
	kt_run_until_idle();
	assert_int_equal(t.task.state, KT_DONE);
}

static struct test_task worker, joiner;
static int join_err, join_result;

static int slow_worker(void *arg)
{
	kt_sleep(50);
	return (int)(intptr_t)arg;
}

static int join_forever(void *arg)
{
	join_err = kt_task_join(arg, &join_result, KT_FOREVER);
	return 0;
}

static void join_returns_the_result(void **state)
{
	(void)state;
	join_err = 1;
	join_result = 0;
	spawn(&worker, "worker", slow_worker, (void *)(intptr_t)-1234, 3);
	spawn(&joiner, "joiner", join_forever, &worker.task, 3);
	kt_host_tick(49);
	assert_int_equal(joiner.task.state, KT_BLOCKED);
	assert_int_equal(joiner.task.wait, KT_WAIT_JOIN);
	kt_host_tick(1);
	assert_int_equal(join_err, 0);
	assert_int_equal(join_result, -1234);
	assert_int_equal(joiner.task.state, KT_DONE);
}

static int join_twice(void *arg)
{
	int r = 0;

	/* A short wait times out; the task goes on and a second join works. */
	if (kt_task_join(arg, &r, 10) != -ETIMEDOUT)
		return 1;
	if (kt_task_join(arg, &r, KT_NOWAIT) != -ETIMEDOUT)
		return 2;
	if (kt_task_join(arg, &r, 100) != 0)
		return 3;
	if (r != 77)
		return 4;
	/* Joining a finished task answers at once, any number of times. */
	r = 0;
	if (kt_task_join(arg, &r, KT_NOWAIT) != 0 || r != 77)
		return 5;
	return 0;
}

static void join_with_timeout(void **state)
{
	int r = -1;
	(void)state;
	spawn(&worker, "worker", slow_worker, (void *)77, 3);
	spawn(&joiner, "joiner", join_twice, &worker.task, 3);
	kt_host_tick(60);
	assert_int_equal(joiner.task.state, KT_DONE);
	assert_int_equal(joiner.task.result, 0); /* else: which step failed */
	/* A finished task can be joined from anywhere, without blocking. */
	assert_int_equal(kt_task_join(&worker.task, &r, KT_NOWAIT), 0);
	assert_int_equal(r, 77);
}

static int join_self(void *arg)
{
	(void)arg;
	return kt_task_join(kt_self(), NULL, KT_FOREVER);
}

static void join_errors(void **state)
{
	static struct test_task never;
	int r = 0;
	(void)state;
	assert_int_equal(kt_task_join(NULL, &r, 1), -EINVAL);
	assert_int_equal(kt_task_join(&never.task, &r, 1), -EINVAL);
	spawn(&worker, "self", join_self, NULL, 1);
	/* Outside a task a live task cannot be waited for. */
	assert_int_equal(kt_task_join(&worker.task, &r, 5), -EPERM);
	kt_run_until_idle();
	assert_int_equal(kt_task_join(&worker.task, &r, KT_NOWAIT), 0);
	assert_int_equal(r, -EDEADLK);
}

static kt_tick_t woke_at[8];

static int sleeper(void *arg)
{
	kt_tick_t n = (kt_tick_t)(uintptr_t)arg;
	kt_tick_t t0 = kt_now();

	if (kt_sleep(n) != 0)
		return -1;
	woke_at[n % 8] = kt_now() - t0;
	return 0;
}

static void sleep_is_exact_in_ticks(void **state)
{
	static struct test_task s[4];
	static const kt_tick_t n[4] = { 1, 3, 5, 7 };
	(void)state;
	memset(woke_at, 0, sizeof(woke_at));
	for (int i = 0; i < 4; i++)
		spawn(&s[i], "sleeper", sleeper, (void *)(uintptr_t)n[i], 2);
	kt_host_tick(10);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(s[i].task.state, KT_DONE);
		assert_int_equal(s[i].task.result, 0);
		assert_int_equal(woke_at[n[i] % 8], n[i]);
	}
}

static int zero_sleep(void *arg)
{
	(void)arg;
	return kt_sleep(0); /* a yield */
}

static void sleep_zero_yields(void **state)
{
	(void)state;
	spawn(&worker, "z", zero_sleep, NULL, 2);
	kt_run_until_idle();
	assert_int_equal(worker.task.state, KT_DONE);
	assert_int_equal(worker.task.result, 0);
	/* Alone at its priority, its yield found nothing else to run. */
	assert_int_equal(worker.task.runs, 1);
}

static unsigned periods_seen, periods_wrong, overruns;

static int periodic(void *arg)
{
	kt_tick_t deadline = kt_now();
	kt_tick_t start = deadline;
	unsigned n = (unsigned)(uintptr_t)arg;

	for (unsigned i = 1; i <= n; i++) {
		int r = kt_sleep_until(&deadline, 10);

		if (r == 1)
			overruns++;
		else if (r != 0 || kt_now() != start + 10 * i)
			periods_wrong++;
		periods_seen++;
		if (i == 5) {
			/* Work that overruns two periods. */
			kt_tick_t until = kt_now() + 25;
			while (kt_tick_before(kt_now(), until))
				kt_host_isr((void (*)(void *))kt_tick_isr, NULL);
		}
	}
	return 0;
}

static void sleep_until_is_drift_free(void **state)
{
	(void)state;
	periods_seen = periods_wrong = overruns = 0;
	spawn(&worker, "periodic", periodic, (void *)(uintptr_t)100, 4);
	kt_host_tick(100 * 10 + 5);
	assert_int_equal(worker.task.state, KT_DONE);
	assert_int_equal(periods_seen, 100);
	/* Periods 6 and 7 were missed by the overrun: reported, phase kept. */
	assert_int_equal(overruns, 2);
	assert_int_equal(periods_wrong, 0);
}

static void sleep_until_errors(void **state)
{
	kt_tick_t d = 0;
	(void)state;
	assert_int_equal(kt_sleep_until(&d, 5), -EPERM);
	assert_int_equal(kt_sleep_until(NULL, 5), -EINVAL);
	assert_int_equal(kt_sleep_until(&d, KT_DELAY_MAX + 1u), -EINVAL);
}

static int deep(void *arg)
{
	volatile unsigned char buf[3000];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)i;
	kt_sleep(5);
	return buf[(uintptr_t)arg];
}

static void introspection(void **state)
{
	static struct test_task a, b;
	struct kt_task_info ia, ib;
	struct kt_task *it;
	int count = 0;
	(void)state;
	spawn(&a, "alpha", deep, NULL, 9);
	spawn(&b, "beta", ret_arg, NULL, 1);
	for (it = kt_task_next(NULL); it != NULL; it = kt_task_next(it))
		count++;
	assert_int_equal(count, 2);
	assert_ptr_equal(kt_task_next(NULL), &a.task);
	assert_ptr_equal(kt_task_next(&a.task), &b.task);
	kt_run_until_idle();
	assert_int_equal(kt_task_info(&a.task, &ia), 0);
	assert_int_equal(kt_task_info(&b.task, &ib), 0);
	assert_string_equal(ia.name, "alpha");
	assert_int_equal(ia.state, KT_BLOCKED);
	assert_int_equal(ia.wait, KT_WAIT_SLEEP);
	assert_string_equal(kt_wait_name(ia.wait), "sleep");
	assert_string_equal(kt_wait_name(KT_WAIT_ANY), "any");
	assert_string_equal(kt_wait_name((enum kt_wait)99), "?");
	assert_string_equal(kt_state_name(ia.state), "blocked");
	assert_int_equal(ia.prio, 9);
	assert_int_equal(ia.runs, 1);
	assert_true(ia.stack_size <= TEST_STACK && ia.stack_size >= TEST_STACK - 16);
	/* The 3000-byte buffer shows in the high-water mark. */
	assert_true(ia.stack_used >= 3000 && ia.stack_used < 3000 + 4096);
	assert_int_equal(ib.state, KT_DONE);
	assert_true(ib.stack_used > 0 && ib.stack_used < 4096); /* ASan frames are big */
	assert_int_equal(kt_task_info(NULL, &ia), -EINVAL);
	kt_host_tick(5);
	assert_int_equal(kt_task_info(&a.task, &ia), 0);
	assert_int_equal(ia.runs, 2);
	assert_int_equal(ia.state, KT_DONE);
}

static void respawn_after_done(void **state)
{
	struct kt_task *it;
	int count = 0, r = 0;
	(void)state;
	spawn(&worker, "first", ret_arg, (void *)1, 1);
	kt_run_until_idle();
	assert_int_equal(spawn(&worker, "second", ret_arg, (void *)2, 1), 0);
	kt_run_until_idle();
	assert_int_equal(kt_task_join(&worker.task, &r, KT_NOWAIT), 0);
	assert_int_equal(r, 2);
	for (it = kt_task_next(NULL); it != NULL; it = kt_task_next(it))
		count++;
	assert_int_equal(count, 1); /* listed once */
}

/* Many tasks sleeping different times all wake exactly, across the wrap. */
static void many_sleepers_across_wrap(void **state)
{
	static struct test_task s[16];
	kt_tick_t t0;
	(void)state;
	kt_host_tick(80);
	t0 = kt_now();
	for (int i = 0; i < 16; i++)
		spawn(&s[i], "s", slow_worker, NULL, 1);
	kt_host_tick(49);
	for (int i = 0; i < 16; i++)
		assert_int_equal(s[i].task.state, KT_BLOCKED);
	kt_host_tick(1);
	for (int i = 0; i < 16; i++)
		assert_int_equal(s[i].task.state, KT_DONE);
	assert_true(kt_now() - t0 == 50 && kt_now() < t0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		KT_TEST(spawn_rejects_bad_arguments),
		KT_TEST(join_returns_the_result),
		KT_TEST(join_with_timeout),
		KT_TEST(join_errors),
		KT_TEST(sleep_is_exact_in_ticks),
		KT_TEST_WRAP(sleep_is_exact_in_ticks),
		KT_TEST(sleep_zero_yields),
		KT_TEST(sleep_until_is_drift_free),
		KT_TEST_WRAP(sleep_until_is_drift_free),
		KT_TEST(sleep_until_errors),
		KT_TEST(introspection),
		KT_TEST(respawn_after_done),
		KT_TEST_WRAP(many_sleepers_across_wrap),
	};
	return cmocka_run_group_tests_name("task", tests, NULL, NULL);
}
