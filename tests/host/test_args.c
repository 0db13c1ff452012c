/*
 * Every call with a timeout checks its arguments and its context the same
 * way whatever the state of its object (docs/errors.md, issue 15): each
 * call below is made on an object that lets it finish at once (a set
 * event, a free mutex, a semaphore with a unit, a queue with an item and
 * room, a finished task), so only the checks can refuse it.
 *
 *   a timeout over KT_DELAY_MAX other than KT_FOREVER   -EINVAL, anywhere
 *   a timeout other than KT_NOWAIT outside a task        -EPERM
 *   the same in an interrupt handler                     -EPERM
 *   the same in a task                                   it succeeds
 *   KT_NOWAIT outside a task, in a handler               as the table says
 */
#include "kt_test.h"

static struct kt_event ev;
static struct kt_mutex mx;
static struct kt_sem sem;
static struct kt_queue q;
static uint32_t qbuf[4];
static struct test_task t, done;

static int returns_zero(void *arg)
{
	(void)arg;
	return 0;
}

/* Each object as the calls find it, nothing making them wait; with the
 * calls any context may make. */
static void prepare(void)
{
	uint32_t v = 7, w;

	kt_event_set_isr(&ev);
	if (kt_sem_count(&sem) == 0)
		kt_sem_give_isr(&sem);
	while (kt_queue_get_isr(&q, &w) == 0)
		;
	kt_queue_put_isr(&q, &v);
}

static int event_wait(kt_tick_t to)
{
	return kt_event_wait(&ev, to);
}
static int sem_take(kt_tick_t to)
{
	return kt_sem_take(&sem, to);
}
static int queue_get(kt_tick_t to)
{
	uint32_t v;
	return kt_queue_get(&q, &v, to);
}
static int queue_put(kt_tick_t to)
{
	uint32_t v = 1;
	return kt_queue_put(&q, &v, to);
}
static int task_join(kt_tick_t to)
{
	int r;
	return kt_task_join(&done.task, &r, to);
}

static int mutex_lock(kt_tick_t to)
{
	int err = kt_mutex_lock(&mx, to);

	if (err == 0)
		kt_mutex_unlock(&mx);
	return err;
}

static int wait_any(kt_tick_t to)
{
	struct kt_wait_item any[1] = { { KT_ON_EVENT, &ev, NULL } };

	return kt_wait_any(any, 1, to);
}

static int sleep_for(kt_tick_t to)
{
	return kt_sleep(to);
}

struct row {
	const char *name;
	int (*call)(kt_tick_t timeout);
	int nowait_outside; /* KT_NOWAIT on the scheduler */
	int nowait_isr;     /* KT_NOWAIT in an interrupt handler */
	int in_task;        /* timeout 1 in a task */
};

static const struct row rows[] = {
	{ "kt_event_wait", event_wait, 0, 0, 0 },
	{ "kt_sem_take", sem_take, 0, 0, 0 },
	{ "kt_queue_get", queue_get, 0, -EPERM, 0 },
	{ "kt_queue_put", queue_put, 0, -EPERM, 0 },
	{ "kt_task_join", task_join, 0, 0, 0 },
	{ "kt_mutex_lock", mutex_lock, -EPERM, -EPERM, 0 },
	{ "kt_wait_any", wait_any, -EPERM, -EPERM, 0 },
	/* kt_sleep(0) yields; kt_sleep(1) in a task sleeps its tick */
	{ "kt_sleep", sleep_for, -EPERM, -EPERM, 0 },
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

static const kt_tick_t bad[] = { KT_DELAY_MAX + 1u, KT_FOREVER - 1u };

enum { OUTSIDE, ISR, TASK, CONTEXTS };
static const char *const context_name[CONTEXTS] = { "outside a task",
						    "in a handler", "in a task" };
static int got[CONTEXTS][NROWS][4]; /* NOWAIT, 1, bad[0], bad[1] */

static void call_all(int c)
{
	static const kt_tick_t one = 1;

	for (unsigned i = 0; i < NROWS; i++) {
		prepare();
		got[c][i][0] = rows[i].call(KT_NOWAIT);
		prepare();
		got[c][i][1] = rows[i].call(one);
		for (unsigned b = 0; b < 2; b++) {
			prepare();
			got[c][i][2 + b] = rows[i].call(bad[b]);
		}
	}
}

static void in_isr(void *arg)
{
	(void)arg;
	call_all(ISR);
}

static int tasks_calls(void *arg)
{
	(void)arg;
	call_all(TASK);
	kt_host_isr(in_isr, NULL);
	return 0;
}

static void expect(int c, unsigned i, unsigned k, int want)
{
	if (got[c][i][k] != want)
		fail_msg("%s %s, timeout %s: %d, not %d", rows[i].name,
			 context_name[c],
			 k == 0 ? "KT_NOWAIT" :
			 k == 1 ? "1" :
				  "over KT_DELAY_MAX",
			 got[c][i][k], want);
}

static void checked_whatever_the_state(void **state)
{
	(void)state;
	kt_event_init(&ev);
	kt_mutex_init(&mx);
	kt_sem_init(&sem, 1, 4);
	kt_queue_init(&q, qbuf, sizeof(uint32_t), 4);
	spawn(&done, "done", returns_zero, NULL, 1);
	kt_run_until_idle();
	assert_int_equal(done.task.state, KT_DONE);

	call_all(OUTSIDE);
	spawn(&t, "caller", tasks_calls, NULL, 1);
	for (int n = 0; n < 10 && t.task.state != KT_DONE; n++)
		kt_host_tick(1); /* kt_sleep(1) */
	assert_int_equal(t.task.state, KT_DONE);

	for (unsigned i = 0; i < NROWS; i++) {
		for (int c = 0; c < CONTEXTS; c++) {
			expect(c, i, 2, -EINVAL);
			expect(c, i, 3, -EINVAL);
		}
		expect(OUTSIDE, i, 0, rows[i].nowait_outside);
		expect(OUTSIDE, i, 1, -EPERM);
		expect(ISR, i, 0, rows[i].nowait_isr);
		expect(ISR, i, 1, -EPERM);
		expect(TASK, i, 0, 0);
		expect(TASK, i, 1, rows[i].in_task);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		KT_TEST(checked_whatever_the_state),
	};
	return cmocka_run_group_tests_name("args", tests, NULL, NULL);
}
