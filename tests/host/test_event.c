/* Events: set/clear/wait, timeouts, interrupts, and no lost wake-ups. */
#include "kt_test.h"

static struct kt_event ev;
static struct test_task w[3];
static int results[3];

static int waiter(void *arg)
{
	int i = (int)(intptr_t)arg;

	results[i] = kt_event_wait(&ev, i == 2 ? 20 : KT_FOREVER);
	return 0;
}

static void set_wakes_every_waiter(void **state)
{
	(void)state;
	kt_event_init(&ev);
	for (int i = 0; i < 3; i++) {
		results[i] = 1;
		spawn(&w[i], "w", waiter, (void *)(intptr_t)i, 1);
	}
	kt_run_until_idle();
	for (int i = 0; i < 3; i++)
		assert_int_equal(w[i].task.state, KT_BLOCKED);
	assert_int_equal(w[0].task.wait, KT_WAIT_EVENT);
	assert_ptr_equal(w[0].task.wait_obj, &ev);
	kt_event_set(&ev);
	assert_true(kt_event_is_set(&ev));
	kt_run_until_idle();
	for (int i = 0; i < 3; i++) {
		assert_int_equal(w[i].task.state, KT_DONE);
		assert_int_equal(results[i], 0);
	}
	/* Stays set: a new waiter passes straight through. */
	spawn(&w[0], "w", waiter, (void *)0, 1);
	kt_run_until_idle();
	assert_int_equal(results[0], 0);
	assert_int_equal(w[0].task.runs, 1);
}

static void wait_times_out(void **state)
{
	kt_tick_t t0 = kt_now();
	(void)state;
	kt_event_init(&ev);
	results[2] = 1;
	spawn(&w[2], "w", waiter, (void *)2, 1);
	kt_host_tick(19);
	assert_int_equal(w[2].task.state, KT_BLOCKED);
	kt_host_tick(1);
	assert_int_equal(results[2], -ETIMEDOUT);
	assert_int_equal(kt_now() - t0, 20);
	/* The timed-out waiter left the list: a set now wakes nobody. */
	assert_true(kt_list_empty(&ev.waiters));
}

static void set_isr(void *arg)
{
	kt_event_set_isr(arg);
}

static void set_from_isr_wakes_at_next_scheduling_point(void **state)
{
	(void)state;
	kt_event_init(&ev);
	results[0] = 1;
	spawn(&w[0], "w", waiter, (void *)0, 1);
	kt_run_until_idle();
	kt_host_isr(set_isr, &ev);
	kt_host_isr(set_isr, &ev); /* idempotent: one work item */
	assert_int_equal(w[0].task.state, KT_BLOCKED); /* nothing ran yet */
	assert_true(ev.work.pending);
	kt_run_until_idle();
	assert_int_equal(results[0], 0);
	assert_int_equal(w[0].task.state, KT_DONE);
	assert_false(ev.work.pending);
}

/* A waiter blocked before a set wakes even if the flag is cleared first. */
static void set_then_clear_still_wakes_blocked_waiter(void **state)
{
	(void)state;
	kt_event_init(&ev);
	results[0] = 1;
	spawn(&w[0], "w", waiter, (void *)0, 1);
	kt_run_until_idle();
	kt_host_isr(set_isr, &ev);
	kt_event_clear(&ev);
	kt_run_until_idle();
	assert_int_equal(results[0], 0);
	assert_false(kt_event_is_set(&ev));
}

/*
 * A set the task already saw through the flag, and cleared, must not wake
 * it from its next wait: its work item is still pending when it blocks.
 */
static int see_clear_wait(void *arg)
{
	(void)arg;
	if (kt_event_wait(&ev, KT_FOREVER) != 0) /* set: returns at once */
		return 1;
	kt_event_clear(&ev);
	return kt_event_wait(&ev, 5); /* nothing new: must time out */
}

static void stale_set_does_not_wake_a_later_wait(void **state)
{
	(void)state;
	kt_event_init(&ev);
	kt_host_isr(set_isr, &ev); /* flag up, work item pending */
	spawn(&w[0], "w", see_clear_wait, NULL, 9);
	kt_run_until_idle();
	assert_int_equal(w[0].task.state, KT_BLOCKED);
	kt_host_tick(5);
	assert_int_equal(w[0].task.result, -ETIMEDOUT);
}

/* Work posted before kt_init is dropped, and can be posted again. */
static void init_drops_posted_work(void **state)
{
	(void)state;
	kt_event_init(&ev);
	kt_host_isr(set_isr, &ev);
	assert_true(ev.work.pending);
	kt_init(0);
	assert_false(ev.work.pending);
	kt_event_clear(&ev);
	results[0] = 1;
	spawn(&w[0], "w", waiter, (void *)0, 1);
	kt_run_until_idle();
	kt_host_isr(set_isr, &ev);
	kt_run_until_idle();
	assert_int_equal(results[0], 0);
}

static int poll_wait(void *arg)
{
	(void)arg;
	return kt_event_wait(&ev, KT_NOWAIT);
}

static void event_errors(void **state)
{
	(void)state;
	kt_event_init(&ev);
	assert_int_equal(kt_event_wait(NULL, 1), -EINVAL);
	assert_int_equal(kt_event_wait(&ev, 1), -EPERM); /* not a task */
	spawn(&w[0], "p", poll_wait, NULL, 1);
	kt_run_until_idle();
	assert_int_equal(w[0].task.result, -ETIMEDOUT);
	kt_event_set(&ev);
	/* Checked whatever the state: set, so it need not block, but a
	 * timeout outside a task is refused all the same (issue 15). */
	assert_int_equal(kt_event_wait(&ev, 1), -EPERM);
	assert_int_equal(kt_event_wait(&ev, KT_DELAY_MAX + 1), -EINVAL);
	assert_int_equal(kt_event_wait(&ev, KT_NOWAIT), 0);
}

static int in_isr_wait_result;

static void wait_in_isr(void *arg)
{
	(void)arg;
	kt_event_clear(&ev);
	in_isr_wait_result = kt_event_wait(&ev, 5);
}

static int isr_caller(void *arg)
{
	(void)arg;
	kt_host_isr(wait_in_isr, NULL);
	return 0;
}

static void blocking_in_isr_is_refused(void **state)
{
	(void)state;
	kt_event_init(&ev);
	spawn(&w[0], "i", isr_caller, NULL, 1);
	kt_run_until_idle();
	assert_int_equal(in_isr_wait_result, -EPERM);
}

/*
 * The race: an "interrupt" sets the event at random task switches and
 * ticks while consumers clear, wait with short timeouts and get woken.  A
 * set that lands while a consumer is blocked on the event must wake it: if
 * that consumer's wait then reports a timeout, a wake-up was lost.
 */
static uint64_t rng;
static struct test_task cons[3];
static bool set_while_blocked[3];
static unsigned produced, lost, woke, timed_out;

static uint32_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

static void maybe_produce(void *arg)
{
	(void)arg;
	if (rnd() % 7 != 0)
		return;
	produced++;
	for (int i = 0; i < 3; i++)
		if (cons[i].task.state == KT_BLOCKED)
			set_while_blocked[i] = true;
	kt_event_set_isr(&ev);
}

static int consumer(void *arg)
{
	int me = (int)(intptr_t)arg;

	for (int i = 0; i < 3000; i++) {
		int r;

		kt_event_clear(&ev);
		set_while_blocked[me] = false;
		r = kt_event_wait(&ev, 1 + rnd() % 3);
		if (r == 0)
			woke++;
		else if (r == -ETIMEDOUT && !set_while_blocked[me])
			timed_out++;
		else
			lost++;
		if (rnd() % 3 == 0)
			kt_yield();
	}
	return 0;
}

static void no_lost_wakeups_under_random_interrupts(void **state)
{
	(void)state;
	rng = 0x1234567;
	produced = lost = woke = timed_out = 0;
	kt_event_init(&ev);
	for (int i = 0; i < 3; i++)
		spawn(&cons[i], "consumer", consumer, (void *)(intptr_t)i,
		      (unsigned)i % 2);
	kt_host_set_switch_hook(maybe_produce, NULL);
	for (int t = 0; t < 100000; t++) {
		if (cons[0].task.state == KT_DONE &&
		    cons[1].task.state == KT_DONE && cons[2].task.state == KT_DONE)
			break;
		kt_host_isr(maybe_produce, NULL);
		kt_host_tick(1);
	}
	kt_host_set_switch_hook(NULL, NULL);
	print_message("  %u sets, %u woken, %u timed out, %u lost\n", produced,
		      woke, timed_out, lost);
	for (int i = 0; i < 3; i++)
		assert_int_equal(cons[i].task.state, KT_DONE);
	assert_int_equal(lost, 0);
	assert_int_equal(woke + timed_out, 9000);
	assert_true(woke > 1000 && timed_out > 100); /* both paths exercised */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		KT_TEST(set_wakes_every_waiter),
		KT_TEST(wait_times_out),
		KT_TEST_WRAP(wait_times_out),
		KT_TEST(set_from_isr_wakes_at_next_scheduling_point),
		KT_TEST(set_then_clear_still_wakes_blocked_waiter),
		KT_TEST(stale_set_does_not_wake_a_later_wait),
		KT_TEST(init_drops_posted_work),
		KT_TEST(event_errors),
		KT_TEST(blocking_in_isr_is_refused),
		KT_TEST(no_lost_wakeups_under_random_interrupts),
	};
	return cmocka_run_group_tests_name("event", tests, NULL, NULL);
}
