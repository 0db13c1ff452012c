/* The scheduler: priorities, round-robin, fairness, posted work, idle. */
#include <string.h>

#include "kt_test.h"

static char log_buf[256];
static size_t log_len;

static void log_c(char c)
{
	if (log_len < sizeof(log_buf) - 1)
		log_buf[log_len++] = c;
	log_buf[log_len] = 0;
}

static int yielder(void *arg)
{
	char c = *(const char *)arg;

	for (int i = 0; i < 3; i++) {
		log_c(c);
		kt_yield();
	}
	return 0;
}

static void reset_log(void)
{
	log_len = 0;
	log_buf[0] = 0;
}

static void round_robin_within_priority(void **state)
{
	static struct test_task a, b, c;
	(void)state;
	reset_log();
	assert_int_equal(spawn(&a, "a", yielder, "a", 5), 0);
	assert_int_equal(spawn(&b, "b", yielder, "b", 5), 0);
	assert_int_equal(spawn(&c, "c", yielder, "c", 5), 0);
	kt_run_until_idle();
	assert_string_equal(log_buf, "abcabcabc");
	assert_int_equal(a.task.state, KT_DONE);
	assert_int_equal(c.task.state, KT_DONE);
}

static void higher_priority_runs_first(void **state)
{
	static struct test_task lo, mid, hi;
	(void)state;
	reset_log();
	spawn(&lo, "lo", yielder, "l", 1);
	spawn(&mid, "mid", yielder, "m", 7);
	spawn(&hi, "hi", yielder, "h", 31);
	kt_run_until_idle();
	assert_string_equal(log_buf, "hhhmmmlll");
}

/* Priority 0 is a valid priority, 32 is not. */
static void priority_bounds(void **state)
{
	static struct test_task t;
	(void)state;
	assert_int_equal(spawn(&t, "x", yielder, "x", KT_PRIO_COUNT), -EINVAL);
	reset_log();
	assert_int_equal(spawn(&t, "x", yielder, "x", 0), 0);
	kt_run_until_idle();
	assert_string_equal(log_buf, "xxx");
}

static int spinner_count;

/* A task that keeps re-readying itself must take turns with its peers. */
static int spinner(void *arg)
{
	(void)arg;
	for (int i = 0; i < 1000; i++) {
		spinner_count++;
		kt_yield();
	}
	return 0;
}

static int watcher_max_gap;

static int watcher(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100; i++) {
		int before = spinner_count;

		kt_yield();
		if (spinner_count - before > watcher_max_gap)
			watcher_max_gap = spinner_count - before;
	}
	return 0;
}

static void yielding_task_cannot_starve_peer(void **state)
{
	static struct test_task s, w;
	(void)state;
	spinner_count = 0;
	watcher_max_gap = 0;
	spawn(&s, "spin", spinner, NULL, 3);
	spawn(&w, "watch", watcher, NULL, 3);
	kt_run_until_idle();
	assert_int_equal(spinner_count, 1000);
	assert_int_equal(watcher_max_gap, 1);
}

/* Work that keeps re-posting itself runs once per round: tasks still run. */
static struct kt_work storm_work;
static int storm_runs, storm_max_per_step;
static struct kt_task *storm_victim;

static void storm_fn(void *arg)
{
	(void)arg;
	storm_runs++;
	if (storm_victim->state != KT_DONE)
		kt_call_soon(&storm_work);
}

static int storm_task(void *arg)
{
	(void)arg;
	for (int i = 0; i < 50; i++) {
		int before = storm_runs;

		kt_yield();
		if (storm_runs - before > storm_max_per_step)
			storm_max_per_step = storm_runs - before;
	}
	return 0;
}

static void reposting_work_cannot_starve_tasks(void **state)
{
	static struct test_task t;
	(void)state;
	storm_runs = 0;
	storm_max_per_step = 0;
	storm_victim = &t.task;
	kt_work_init(&storm_work, storm_fn, NULL);
	spawn(&t, "t", storm_task, NULL, 1);
	kt_call_soon(&storm_work);
	kt_run_until_idle();
	assert_int_equal(t.task.state, KT_DONE);
	assert_int_equal(storm_max_per_step, 1);
	assert_in_range(storm_runs, 50, 52);
}

static int call_order[8];
static int call_count;

static void record(void *arg)
{
	call_order[call_count++] = (int)(intptr_t)arg;
}

static void call_soon_is_fifo_and_idempotent(void **state)
{
	static struct kt_work w1, w2, w3;
	(void)state;
	call_count = 0;
	kt_work_init(&w1, record, (void *)1);
	kt_work_init(&w2, record, (void *)2);
	kt_work_init(&w3, record, (void *)3);
	assert_true(kt_call_soon(&w1));
	assert_true(kt_call_soon(&w2));
	assert_false(kt_call_soon(&w1)); /* already pending */
	assert_true(kt_call_soon(&w3));
	kt_run_until_idle();
	assert_int_equal(call_count, 3);
	assert_int_equal(call_order[0], 1);
	assert_int_equal(call_order[1], 2);
	assert_int_equal(call_order[2], 3);
	/* Once run, it can be posted again. */
	assert_true(kt_call_soon(&w1));
	kt_run_until_idle();
	assert_int_equal(call_count, 4);
}

static void post_from_isr(void *arg)
{
	assert_true(kt_call_soon(arg));
}

static struct kt_task *self_in_callback = (struct kt_task *)1;

static void grab_self(void *arg)
{
	(void)arg;
	self_in_callback = kt_self();
}

static void callbacks_run_on_the_scheduler(void **state)
{
	static struct kt_work w;
	(void)state;
	kt_work_init(&w, grab_self, NULL);
	kt_host_isr(post_from_isr, &w);
	kt_run_until_idle();
	assert_null(self_in_callback);
}

static struct kt_task *seen_self;

static int who_am_i(void *arg)
{
	(void)arg;
	seen_self = kt_self();
	assert_int_equal(seen_self->state, KT_RUNNING);
	return 0;
}

static void self_and_states(void **state)
{
	static struct test_task t;
	(void)state;
	assert_null(kt_self());
	spawn(&t, "me", who_am_i, NULL, 4);
	assert_int_equal(t.task.state, KT_NEW);
	kt_run_until_idle();
	assert_ptr_equal(seen_self, &t.task);
	assert_int_equal(t.task.state, KT_DONE);
	assert_int_equal(t.task.runs, 1);
}

/* kt_yield outside a task does nothing and does not crash. */
static void yield_outside_task(void **state)
{
	(void)state;
	kt_yield();
	assert_int_equal(kt_sleep(1), -EPERM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		KT_TEST(round_robin_within_priority),
		KT_TEST(higher_priority_runs_first),
		KT_TEST(priority_bounds),
		KT_TEST(yielding_task_cannot_starve_peer),
		KT_TEST(reposting_work_cannot_starve_tasks),
		KT_TEST(call_soon_is_fifo_and_idempotent),
		KT_TEST(callbacks_run_on_the_scheduler),
		KT_TEST(self_and_states),
		KT_TEST(yield_outside_task),
	};
	return cmocka_run_group_tests_name("sched", tests, NULL, NULL);
}
