/*
 * kt_task_fail: a task whose stack overflowed is ended by the port from
 * wherever it was caught.  On the target the port calls it from a fault
 * handler's exit or a failed canary check inside port_switch; here the
 * host port's switch hook plays that part: armed for one victim, it fires
 * inside port_switch while the victim's stack is still the running one
 * (the kernel has already made the next task current), leaves "interrupt"
 * mode as an exception return would, and calls kt_task_fail there.  Each
 * case checks that the victim ends with -EFAULT (or its own result, when
 * it was already on its way out), leaves every list and timer it was on,
 * passes its mutexes on, and that every other task runs as if nothing had
 * happened - first of all the one the switch was going to.
 */
#include <string.h>

#include "kt_test.h"
#include "port.h"

static struct test_task victim, others[3];
static struct kt_event ev;
static struct kt_mutex mtx;
static char order[32];
static int order_len, done_calls;
static bool armed;

static void note(char c)
{
	order[order_len++] = c;
	order[order_len] = 0;
}

static void reset(void)
{
	kt_event_init(&ev);
	kt_mutex_init(&mtx);
	order_len = 0;
	order[0] = 0;
	done_calls = 0;
	armed = false;
}

/* The switch hook: at the first switch made on the victim's stack. */
static void fail_hook(void *arg)
{
	char here;
	uintptr_t lo = (uintptr_t)victim.stack, p = (uintptr_t)&here;

	(void)arg;
	if (!armed || p < lo || p >= lo + sizeof(victim.stack))
		return;
	armed = false;
	kt_host_in_isr = false; /* as the fault handler's exception return */
	kt_task_fail(&victim.task, -EFAULT);
}

static int noter(void *arg)
{
	for (int i = 0; i < 3; i++) {
		note(*(const char *)arg);
		kt_yield();
	}
	return 0;
}

static int yielder(void *arg)
{
	(void)arg;
	note('v');
	armed = true;
	while (armed)
		kt_yield();
	return 1; /* not stopped */
}

/* Caught as it yields: the next task was already made current. */
static void caught_in_a_yield(void **state)
{
	int result = 0;
	(void)state;
	reset();
	kt_host_set_switch_hook(fail_hook, NULL);
	spawn(&victim, "victim", yielder, NULL, 1);
	spawn(&others[0], "a", noter, "a", 1);
	spawn(&others[1], "b", noter, "b", 1);
	kt_run_until_idle();
	kt_host_set_switch_hook(NULL, NULL);
	assert_int_equal(victim.task.state, KT_DONE);
	assert_int_equal(victim.task.result, -EFAULT);
	/* a was being switched to: it runs first, and nothing is lost. */
	assert_string_equal(order, "vababab");
	for (int i = 0; i < 2; i++)
		assert_int_equal(others[i].task.state, KT_DONE);
	assert_int_equal(kt_task_join(&victim.task, &result, KT_NOWAIT), 0);
	assert_int_equal(result, -EFAULT);
}

static int blocker(void *arg)
{
	(void)arg;
	armed = true;
	return kt_event_wait(&ev, 100);
}

static int joiner(void *arg)
{
	int result = 0, err = kt_task_join(arg, &result, KT_FOREVER);

	return err != 0 ? err : result;
}

/* Caught as it blocks: off the wait list and its timer, joiners told. */
static void caught_blocking(void **state)
{
	(void)state;
	reset();
	kt_host_set_switch_hook(fail_hook, NULL);
	spawn(&victim, "victim", blocker, NULL, 2);
	spawn(&others[0], "joiner", joiner, &victim.task, 1);
	kt_run_until_idle();
	kt_host_set_switch_hook(NULL, NULL);
	assert_int_equal(victim.task.state, KT_DONE);
	assert_int_equal(others[0].task.state, KT_DONE);
	assert_int_equal(others[0].task.result, -EFAULT);
	assert_false(kt_hnode_linked(&victim.task.timer.node));
	assert_true(kt_list_empty(&ev.waiters));
	/* Neither the set nor the timeout finds it again. */
	assert_int_equal(kt_event_set(&ev), 0);
	kt_host_tick(200);
	assert_int_equal(victim.task.state, KT_DONE);
	assert_int_equal(victim.task.result, -EFAULT);
}

static int mutex_holder(void *arg)
{
	(void)arg;
	if (kt_mutex_lock(&mtx, KT_FOREVER) != 0)
		return 1;
	kt_sleep(5);
	armed = true;
	return kt_sleep(5);
}

static int mutex_taker(void *arg)
{
	(void)arg;
	return kt_mutex_lock(&mtx, KT_FOREVER) == -EOWNERDEAD &&
			       kt_mutex_unlock(&mtx) == 0 ?
		       7 :
		       1;
}

/* Its mutex passes on to the waiter that had lifted it. */
static void caught_holding_a_mutex(void **state)
{
	(void)state;
	reset();
	kt_host_set_switch_hook(fail_hook, NULL);
	spawn(&victim, "victim", mutex_holder, NULL, 1);
	kt_run_until_idle();
	spawn(&others[0], "taker", mutex_taker, NULL, 9);
	kt_host_tick(3);
	assert_int_equal(victim.task.prio, 9); /* inherited */
	kt_host_tick(20);
	kt_host_set_switch_hook(NULL, NULL);
	assert_int_equal(victim.task.state, KT_DONE);
	assert_int_equal(victim.task.result, -EFAULT);
	assert_int_equal(others[0].task.state, KT_DONE);
	assert_int_equal(others[0].task.result, 7);
	assert_null(kt_mutex_owner(&mtx));
}

static int mutex_waiter(void *arg)
{
	(void)arg;
	armed = true;
	return kt_mutex_lock(&mtx, KT_FOREVER);
}

static int mutex_owner(void *arg)
{
	(void)arg;
	if (kt_mutex_lock(&mtx, KT_FOREVER) != 0)
		return 1;
	kt_sleep(10);
	return kt_mutex_unlock(&mtx) == 0 ? 5 : 2;
}

/* Caught waiting for a mutex: the owner's inherited priority drops. */
static void caught_waiting_for_a_mutex(void **state)
{
	(void)state;
	reset();
	spawn(&others[0], "owner", mutex_owner, NULL, 1);
	kt_run_until_idle();
	kt_host_set_switch_hook(fail_hook, NULL);
	spawn(&victim, "victim", mutex_waiter, NULL, 6);
	kt_run_until_idle();
	kt_host_set_switch_hook(NULL, NULL);
	assert_int_equal(victim.task.state, KT_DONE);
	assert_int_equal(victim.task.result, -EFAULT);
	assert_int_equal(others[0].task.prio, 1);
	assert_true(kt_list_empty(&mtx.waiters));
	kt_host_tick(10);
	assert_int_equal(others[0].task.state, KT_DONE);
	assert_int_equal(others[0].task.result, 5);
}

static void count_done(struct kt_task *t)
{
	(void)t;
	done_calls++;
}

static int finisher(void *arg)
{
	(void)arg;
	armed = true;
	return 42;
}

/*
 * Caught on its way out, in its last switch: it keeps its own result,
 * its done callback ran once, and its joiner was woken once.
 */
static void caught_ending(void **state)
{
	(void)state;
	reset();
	kt_host_set_switch_hook(fail_hook, NULL);
	spawn(&victim, "victim", finisher, NULL, 1);
	kt_task_on_done(&victim.task, count_done);
	spawn(&others[0], "joiner", joiner, &victim.task, 2);
	kt_run_until_idle();
	kt_host_set_switch_hook(NULL, NULL);
	assert_false(armed);
	assert_int_equal(victim.task.state, KT_DONE);
	assert_int_equal(victim.task.result, 42);
	assert_int_equal(done_calls, 1);
	assert_int_equal(others[0].task.state, KT_DONE);
	assert_int_equal(others[0].task.result, 42);
}

static int self_failer(void *arg)
{
	(void)arg;
	note('v');
	kt_task_fail(kt_self(), -EFAULT);
}

/* Ended while running, on its own stack, as after a fault in its code. */
static void caught_running(void **state)
{
	(void)state;
	reset();
	spawn(&victim, "victim", self_failer, NULL, 1);
	spawn(&others[0], "a", noter, "a", 1);
	spawn(&others[1], "joiner", joiner, &victim.task, 1);
	kt_run_until_idle();
	assert_string_equal(order, "vaaa");
	assert_int_equal(victim.task.state, KT_DONE);
	assert_int_equal(others[1].task.result, -EFAULT);
	/* Its stack and control block are the caller's again. */
	assert_int_equal(spawn(&victim, "again", noter, "x", 1), 0);
	kt_run_until_idle();
	assert_string_equal(order, "vaaaxxx");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		KT_TEST(caught_in_a_yield),
		KT_TEST(caught_blocking),
		KT_TEST(caught_holding_a_mutex),
		KT_TEST(caught_waiting_for_a_mutex),
		KT_TEST(caught_ending),
		KT_TEST(caught_running),
	};
	return cmocka_run_group_tests_name("task_fail", tests, NULL, NULL);
}
