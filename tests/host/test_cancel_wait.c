/* Cancellation from every primitive, shields, wait-any, gather, extras. */
#include <string.h>

#include "kt_test.h"

static struct kt_event ev;
static struct kt_sem sem;
static struct kt_queue q;
static struct kt_mutex mx;
static uint32_t qbuf[4];
static struct test_task t[4];

static void init_all(void)
{
	kt_event_init(&ev);
	kt_sem_init(&sem, 0, 4);
	kt_queue_init(&q, qbuf, sizeof(uint32_t), 4);
	kt_mutex_init(&mx);
}

static int hold_mutex(void *arg)
{
	(void)arg;
	kt_mutex_lock(&mx, KT_FOREVER);
	kt_sleep(1000);
	kt_mutex_unlock(&mx);
	return 0;
}

static int block_on(void *arg)
{
	uint32_t item;
	struct kt_wait_item any[2] = { { KT_ON_EVENT, &ev, NULL },
				       { KT_ON_QUEUE, &q, &item } };

	switch ((int)(intptr_t)arg) {
	case 0:
		return kt_event_wait(&ev, KT_FOREVER);
	case 1:
		return kt_sem_take(&sem, KT_FOREVER);
	case 2:
		return kt_queue_get(&q, &item, KT_FOREVER);
	case 3:
		return kt_mutex_lock(&mx, KT_FOREVER);
	case 4:
		return kt_sleep(1000);
	case 5:
		return kt_task_join(&t[0].task, NULL, KT_FOREVER);
	case 6:
		return kt_wait_any(any, 2, KT_FOREVER);
	default:
		return kt_event_wait(&ev, 500);
	}
}

/* Cancelling a task blocked in each primitive: -ECANCELED, lists clean. */
static void cancel_from_every_primitive(void **state)
{
	(void)state;
	for (int kind = 0; kind <= 7; kind++) {
		kt_init(0);
		init_all();
		spawn(&t[0], "holder", hold_mutex, NULL, 1);
		kt_run_until_idle();
		spawn(&t[1], "victim", block_on, (void *)(intptr_t)kind, 2);
		kt_host_tick(1);
		assert_int_equal(t[1].task.state, KT_BLOCKED);
		assert_int_equal(kt_task_cancel(&t[1].task), 0);
		kt_run_until_idle();
		assert_int_equal(t[1].task.state, KT_DONE);
		assert_int_equal(t[1].task.result, -ECANCELED);
		assert_true(kt_task_cancelled(&t[1].task));
		assert_false(kt_timer_active(&t[1].task.timer));
		assert_true(kt_list_empty(&ev.waiters));
		assert_true(kt_list_empty(&sem.waiters));
		assert_true(kt_list_empty(&q.getters));
		assert_true(kt_list_empty(&mx.waiters));
		assert_true(kt_list_empty(&t[0].task.joiners));
		assert_int_equal(t[0].task.prio, 1); /* no lift left behind */
		/* What it waited for still works for others. */
		kt_event_set(&ev);
		assert_int_equal(kt_sem_give(&sem), 0);
		assert_int_equal(kt_sem_count(&sem), 1);
		assert_int_equal(kt_task_cancel(&t[1].task), -EALREADY);
	}
}

static int cleanup_seen;

/* Cancelled while asleep; its cleanup may block again. */
static int cleans_up(void *arg)
{
	int err;

	(void)arg;
	kt_mutex_lock(&mx, KT_FOREVER);
	err = kt_sleep(100);
	if (err == -ECANCELED) {
		/* the cancel was delivered once: cleanup can still sleep */
		if (kt_sleep(2) == 0)
			cleanup_seen = 1;
		kt_mutex_unlock(&mx);
		return -ECANCELED;
	}
	kt_mutex_unlock(&mx);
	return 0;
}

static int joins_victim(void *arg)
{
	int r = 0, err = kt_task_join(arg, &r, KT_FOREVER);

	return err != 0 ? err : r;
}

static void cancel_lets_task_clean_up_and_join_sees_it(void **state)
{
	(void)state;
	init_all();
	cleanup_seen = 0;
	spawn(&t[0], "victim", cleans_up, NULL, 1);
	spawn(&t[1], "joiner", joins_victim, &t[0].task, 1);
	kt_host_tick(5);
	kt_task_cancel(&t[0].task);
	kt_host_tick(2);
	assert_int_equal(cleanup_seen, 1);
	assert_int_equal(t[0].task.state, KT_DONE);
	assert_int_equal(t[1].task.result, -ECANCELED);
	assert_null(kt_mutex_owner(&mx));
}

static int shielded(void *arg)
{
	int a, b;

	(void)arg;
	kt_cancel_defer();
	a = kt_sleep(10); /* must not be interrupted */
	kt_cancel_allow();
	b = kt_sleep(10); /* the deferred cancel lands here */
	return a == 0 && b == -ECANCELED ? 0 : 1;
}

static void shield_defers_cancel(void **state)
{
	(void)state;
	spawn(&t[0], "shielded", shielded, NULL, 1);
	kt_host_tick(3);
	kt_task_cancel(&t[0].task);
	kt_host_tick(3);
	assert_int_equal(t[0].task.state, KT_BLOCKED); /* still sleeping */
	kt_host_tick(10);
	assert_int_equal(t[0].task.state, KT_DONE);
	assert_int_equal(t[0].task.result, 0);
}

static int self_cancel(void *arg)
{
	(void)arg;
	kt_task_cancel(kt_self());
	kt_yield(); /* not a blocking call */
	return kt_sleep(5);
}

static void cancel_while_running_hits_next_block(void **state)
{
	(void)state;
	spawn(&t[0], "self", self_cancel, NULL, 1);
	kt_run_until_idle();
	assert_int_equal(t[0].task.result, -ECANCELED);
	assert_int_equal(kt_task_cancel(NULL), -EINVAL);
	assert_int_equal(kt_task_cancel(&t[1].task), -EINVAL); /* never spawned */
}

/* ---- wait any ---------------------------------------------------------- */

static uint32_t got;
static int any_result;

static int wait_three(void *arg)
{
	struct kt_wait_item items[3] = {
		{ KT_ON_EVENT, &ev, NULL },
		{ KT_ON_SEM, &sem, NULL },
		{ KT_ON_QUEUE, &q, &got },
	};

	any_result = kt_wait_any(items, 3, (kt_tick_t)(uintptr_t)arg);
	return 0;
}

static void wait_any_reports_which_fired(void **state)
{
	uint32_t v = 99;
	(void)state;
	init_all();
	/* Already ready: answered at once, lowest index first. */
	kt_sem_give(&sem);
	kt_queue_put(&q, &v, KT_NOWAIT);
	spawn(&t[0], "any", wait_three, (void *)KT_FOREVER, 1);
	kt_run_until_idle();
	assert_int_equal(any_result, 1);
	assert_int_equal(kt_sem_count(&sem), 0);
	assert_int_equal(kt_queue_count(&q), 1); /* untouched */
	kt_queue_get(&q, &v, KT_NOWAIT);

	/* Blocked: a queue item arrives; exactly it is consumed. */
	spawn(&t[0], "any", wait_three, (void *)KT_FOREVER, 1);
	kt_run_until_idle();
	assert_int_equal(t[0].task.wait, KT_WAIT_ANY);
	v = 1234;
	kt_queue_put(&q, &v, KT_NOWAIT);
	kt_run_until_idle();
	assert_int_equal(any_result, 2);
	assert_int_equal(got, 1234);
	assert_true(kt_list_empty(&ev.waiters));
	assert_true(kt_list_empty(&sem.waiters));
	/* A later give is not taken by the finished waiter. */
	kt_sem_give(&sem);
	assert_int_equal(kt_sem_count(&sem), 1);

	/* Timeout. */
	kt_sem_take(&sem, KT_NOWAIT);
	spawn(&t[0], "any", wait_three, (void *)5, 1);
	kt_host_tick(5);
	assert_int_equal(any_result, -ETIMEDOUT);
	assert_true(kt_list_empty(&q.getters));
}

static void sem_give_isr(void *arg)
{
	kt_sem_give_isr(arg);
}

/* A give from an interrupt that races the timeout is never lost. */
static void wait_any_race_with_timeout(void **state)
{
	(void)state;
	for (int phase = 0; phase < 2; phase++) {
		kt_init(0);
		init_all();
		spawn(&t[0], "any", wait_three, (void *)3, 1);
		kt_host_tick(2);
		/* The unit arrives in the same tick the timeout expires. */
		kt_host_isr(sem_give_isr, &sem);
		if (phase == 1)
			kt_host_isr((void (*)(void *))kt_tick_isr, NULL);
		kt_host_tick(phase == 0 ? 1 : 0);
		assert_int_equal(t[0].task.state, KT_DONE);
		/* Either it took the unit, or it timed out and the unit stayed. */
		if (any_result == 1)
			assert_int_equal(kt_sem_count(&sem), 0);
		else {
			assert_int_equal(any_result, -ETIMEDOUT);
			assert_int_equal(kt_sem_count(&sem), 1);
		}
	}
}

static int returns_arg_after(void *arg)
{
	kt_sleep((kt_tick_t)(uintptr_t)arg);
	return (int)(intptr_t)arg * 10;
}

static int gather(void *arg)
{
	struct kt_task *tasks[2] = { &t[0].task, &t[1].task };
	int results[2] = { 0, 0 };
	int err = kt_task_join_all(tasks, 2, results, (kt_tick_t)(uintptr_t)arg);

	if (err != 0)
		return err;
	return results[0] + results[1];
}

static void gather_joins_all(void **state)
{
	(void)state;
	spawn(&t[0], "a", returns_arg_after, (void *)3, 1);
	spawn(&t[1], "b", returns_arg_after, (void *)7, 1);
	spawn(&t[2], "g", gather, (void *)KT_FOREVER, 1);
	kt_host_tick(7);
	assert_int_equal(t[2].task.result, 100);
	spawn(&t[0], "a", returns_arg_after, (void *)3, 1);
	spawn(&t[1], "b", returns_arg_after, (void *)9, 1);
	spawn(&t[2], "g", gather, (void *)5, 1); /* one timeout for both */
	kt_host_tick(6);
	assert_int_equal(t[2].task.result, -ETIMEDOUT);
}

static void wait_any_errors(void **state)
{
	struct kt_wait_item bad[1] = { { KT_ON_QUEUE, &q, NULL } };
	struct kt_wait_item ok[1] = { { KT_ON_EVENT, &ev, NULL } };
	(void)state;
	init_all();
	assert_int_equal(kt_wait_any(NULL, 1, 1), -EINVAL);
	assert_int_equal(kt_wait_any(ok, 0, 1), -EINVAL);
	assert_int_equal(kt_wait_any(ok, KT_WAIT_ANY_MAX + 1, 1), -EINVAL);
	assert_int_equal(kt_wait_any(bad, 1, 1), -EINVAL);
	assert_int_equal(kt_wait_any(ok, 1, 1), -EPERM);
}

/* ---- done callbacks, task-local ----------------------------------------- */

static struct kt_task *done_seen;

static void on_done(struct kt_task *tk)
{
	done_seen = tk;
}

static int uses_local(void *arg)
{
	kt_task_set_local(arg);
	kt_yield();
	return kt_task_local() == arg ? 0 : 1;
}

static void done_callback_and_local(void **state)
{
	static int a, b;
	(void)state;
	done_seen = NULL;
	spawn(&t[0], "a", uses_local, &a, 1);
	spawn(&t[1], "b", uses_local, &b, 1);
	assert_int_equal(kt_task_on_done(&t[0].task, on_done), 0);
	kt_run_until_idle();
	assert_ptr_equal(done_seen, &t[0].task);
	assert_int_equal(t[0].task.result, 0);
	assert_int_equal(t[1].task.result, 0);
	assert_int_equal(kt_task_on_done(&t[0].task, on_done), -EALREADY);
	assert_null(kt_task_local());
	assert_int_equal(kt_task_set_local(&a), -EPERM);
}

/* ---- a cancel is delivered once (issue 15) ------------------------------ */

static int sleeps[3];

static int sleeps_three_times(void *arg)
{
	(void)arg;
	sleeps[0] = kt_sleep(100);
	sleeps[1] = kt_sleep(1);
	sleeps[2] = kt_sleep(100);
	return 0;
}

static void two_cancels_before_it_runs_are_one(void **state)
{
	(void)state;
	spawn(&t[0], "sleeper", sleeps_three_times, NULL, 1);
	kt_run_until_idle();
	assert_int_equal(t[0].task.state, KT_BLOCKED);
	assert_int_equal(kt_task_cancel(&t[0].task), 0);
	assert_int_equal(kt_task_cancel(&t[0].task), 1); /* the same cancel */
	kt_run_until_idle();
	assert_int_equal(sleeps[0], -ECANCELED);
	kt_host_tick(1);
	assert_int_equal(sleeps[1], 0); /* not cancelled a second time */
	/* Seen: the next cancel is a new one, delivered again. */
	assert_int_equal(t[0].task.state, KT_BLOCKED);
	assert_int_equal(kt_task_cancel(&t[0].task), 0);
	kt_run_until_idle();
	assert_int_equal(sleeps[2], -ECANCELED);
	assert_int_equal(t[0].task.state, KT_DONE);
}

static int cancel_twice_then_block(void *arg)
{
	(void)arg;
	if (kt_task_cancel(kt_self()) != 0 || kt_task_cancel(kt_self()) != 1)
		return 1;
	if (kt_event_wait(&ev, 5) != -ECANCELED)
		return 2;
	return kt_event_wait(&ev, 1) == -ETIMEDOUT ? 0 : 3;
}

static void two_cancels_while_running_are_one(void **state)
{
	(void)state;
	init_all();
	spawn(&t[0], "self", cancel_twice_then_block, NULL, 1);
	kt_run_until_idle();
	kt_host_tick(2);
	assert_int_equal(t[0].task.state, KT_DONE);
	assert_int_equal(t[0].task.result, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cancel_from_every_primitive),
		KT_TEST(cancel_lets_task_clean_up_and_join_sees_it),
		KT_TEST(shield_defers_cancel),
		KT_TEST(cancel_while_running_hits_next_block),
		KT_TEST(wait_any_reports_which_fired),
		cmocka_unit_test(wait_any_race_with_timeout),
		KT_TEST(gather_joins_all),
		KT_TEST(wait_any_errors),
		KT_TEST(done_callback_and_local),
		KT_TEST(two_cancels_before_it_runs_are_one),
		KT_TEST(two_cancels_while_running_are_one),
	};
	return cmocka_run_group_tests_name("cancel_wait", tests, NULL, NULL);
}
