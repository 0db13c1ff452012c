/*
 * API misuse gets a documented error, never a crash: objects never
 * initialised, blocking calls from an interrupt, NULLs, zero and maximal
 * timeouts, a timer started twice.
 */
#include "kt_test.h"

static struct kt_event z_ev; /* all zero: never initialised */
static struct kt_mutex z_mx;
static struct kt_sem z_sem;
static struct kt_queue z_q;
static struct test_task t;

static int use_uninitialised(void *arg)
{
	uint32_t item = 0;
	struct kt_wait_item any[1] = { { KT_ON_SEM, &z_sem, NULL } };

	(void)arg;
	if (kt_event_wait(&z_ev, 1) != -EINVAL ||
	    kt_event_set(&z_ev) != -EINVAL || kt_event_set_isr(&z_ev) != -EINVAL)
		return 1;
	if (kt_mutex_lock(&z_mx, 1) != -EINVAL ||
	    kt_mutex_trylock(&z_mx) != -EINVAL || kt_mutex_unlock(&z_mx) != -EINVAL)
		return 2;
	if (kt_sem_take(&z_sem, 1) != -EINVAL ||
	    kt_sem_give(&z_sem) != -EINVAL || kt_sem_give_isr(&z_sem) != -EINVAL)
		return 3;
	if (kt_queue_put(&z_q, &item, 1) != -EINVAL ||
	    kt_queue_get(&z_q, &item, 1) != -EINVAL ||
	    kt_queue_put_isr(&z_q, &item) != -EINVAL ||
	    kt_queue_get_isr(&z_q, &item) != -EINVAL)
		return 4;
	if (kt_wait_any(any, 1, 1) != -EINVAL)
		return 5;
	return 0;
}

static void never_initialised_objects_are_refused(void **state)
{
	(void)state;
	spawn(&t, "misuse", use_uninitialised, NULL, 1);
	kt_run_until_idle();
	assert_int_equal(t.task.state, KT_DONE);
	assert_int_equal(t.task.result, 0);
	assert_false(kt_event_is_set(NULL));
	kt_event_clear(NULL);
}

static struct kt_event ev;
static struct kt_mutex mx;
static struct kt_sem sem;
static struct kt_queue q;
static uint32_t qbuf[2];
static int isr_results[8];

static void block_in_isr(void *arg)
{
	uint32_t item = 0;

	(void)arg;
	isr_results[0] = kt_event_wait(&ev, 5);
	isr_results[1] = kt_mutex_lock(&mx, 5);
	isr_results[2] = kt_sem_take(&sem, 5);
	isr_results[3] = kt_queue_get(&q, &item, 5);
	isr_results[4] = kt_sleep(5);
	isr_results[5] = kt_sem_take(&sem, KT_NOWAIT); /* polls: allowed */
	isr_results[6] = kt_queue_get_isr(&q, &item); /* the _isr call: allowed */
	isr_results[7] = kt_sem_give(&sem) == -EPERM &&
			 kt_event_set(&ev) == -EPERM &&
			 kt_queue_put(&q, &item, KT_NOWAIT) == -EPERM &&
			 kt_mutex_unlock(&mx) == -EPERM;
	{
		static struct kt_timer tm;
		static struct test_task other;
		unsigned long switches = kt_host_switches();

		kt_timer_init(&tm, block_in_isr, NULL);
		isr_results[7] = isr_results[7] &&
				 kt_timer_start(&tm, 5, 0) == -EPERM &&
				 kt_timer_stop(&tm) == -EPERM &&
				 kt_task_spawn(&other.task, "x", use_uninitialised,
					       NULL, other.stack,
					       sizeof(other.stack), 1) == -EPERM &&
				 kt_task_cancel(&t.task) == -EPERM;
		kt_yield(); /* does nothing in a handler: no switch */
		kt_sleep(0);
		isr_results[7] = isr_results[7] && kt_host_switches() == switches;
	}
}

static int in_task_isr(void *arg)
{
	(void)arg;
	kt_host_isr(block_in_isr, NULL);
	return 0;
}

static void blocking_from_an_interrupt_is_refused(void **state)
{
	uint32_t v = 1;
	(void)state;
	kt_event_init(&ev);
	kt_mutex_init(&mx);
	kt_sem_init(&sem, 0, 1);
	kt_queue_init(&q, qbuf, sizeof(uint32_t), 2);
	kt_queue_put(&q, &v, KT_NOWAIT);
	spawn(&t, "isr", in_task_isr, NULL, 1);
	kt_run_until_idle();
	for (int i = 0; i < 5; i++)
		assert_int_equal(isr_results[i], -EPERM);
	assert_int_equal(isr_results[5], -ETIMEDOUT);
	assert_int_equal(isr_results[6], 0);
	assert_true(isr_results[7]); /* thread-only calls refuse in a handler */
}

static int timeouts(void *arg)
{
	(void)arg;
	if (kt_event_wait(&ev, KT_NOWAIT) != -ETIMEDOUT)
		return 1;
	if (kt_event_wait(&ev, KT_DELAY_MAX + 1u) != -EINVAL)
		return 2;
	if (kt_event_wait(&ev, KT_FOREVER - 1u) != -EINVAL)
		return 3;
	if (kt_sem_take(&sem, KT_DELAY_MAX + 1u) != -EINVAL)
		return 4;
	if (kt_event_wait(&ev, KT_DELAY_MAX) != -ETIMEDOUT) /* the longest */
		return 5;
	return 0;
}

static void zero_and_maximal_timeouts(void **state)
{
	(void)state;
	kt_event_init(&ev);
	kt_sem_init(&sem, 0, 1);
	spawn(&t, "timeouts", timeouts, NULL, 1);
	kt_run_until_idle();
	assert_int_equal(t.task.state, KT_BLOCKED); /* in the longest wait */
	assert_int_equal(t.task.timer.expires - kt_now(), KT_DELAY_MAX);
	assert_int_equal(kt_task_cancel(&t.task), 0); /* don't wait 24 days */
	kt_run_until_idle();
	assert_int_equal(t.task.result, 5); /* it was cancelled there */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		KT_TEST(never_initialised_objects_are_refused),
		KT_TEST(blocking_from_an_interrupt_is_refused),
		KT_TEST(zero_and_maximal_timeouts),
	};
	return cmocka_run_group_tests_name("misuse", tests, NULL, NULL);
}
