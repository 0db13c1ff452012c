/* Seeing inside: CPU shares by tick, the hog detector, the timer list. */
#include "kt_test.h"

static struct test_task a, b;

static void tick_isr(void *arg)
{
	(void)arg;
	kt_tick_isr();
}

/* A task "busy" for n ticks: the tick interrupt comes while it runs. */
static int busy(void *arg)
{
	int n = (int)(intptr_t)arg;

	for (int i = 0; i < n; i++)
		kt_host_isr(tick_isr, NULL);
	kt_sleep(100);
	return 0;
}

static void cpu_share_by_tick(void **state)
{
	struct kt_task_info ia, ib;
	(void)state;
	spawn(&a, "a", busy, (void *)3, 2);
	spawn(&b, "b", busy, (void *)7, 1);
	kt_run_until_idle();
	kt_host_tick(5); /* idle ticks */
	kt_task_info(&a.task, &ia);
	kt_task_info(&b.task, &ib);
	assert_int_equal(ia.ticks, 3);
	assert_int_equal(ib.ticks, 7);
	assert_int_equal(kt_idle_ticks(), 5);
}

static struct kt_task *hog_seen;
static kt_tick_t hog_ran;
static unsigned hog_reports;

static void on_hog(struct kt_task *t, kt_tick_t ran)
{
	hog_seen = t;
	hog_ran = ran;
	hog_reports++;
}

static void hog_detector(void **state)
{
	struct kt_task_info ia, ib;
	(void)state;
	hog_reports = 0;
	kt_hog_watch(5, on_hog);
	spawn(&a, "polite", busy, (void *)4, 1); /* under the limit */
	spawn(&b, "hog", busy, (void *)12, 1);   /* over it */
	kt_run_until_idle();
	assert_int_equal(hog_reports, 1);
	assert_ptr_equal(hog_seen, &b.task);
	assert_int_equal(hog_ran, 12); /* how long it really ran */
	kt_task_info(&a.task, &ia);
	kt_task_info(&b.task, &ib);
	assert_int_equal(ia.hogs, 0);
	assert_int_equal(ib.hogs, 1);
	/* Off: nothing reported. */
	kt_hog_watch(0, on_hog);
	spawn(&a, "hog2", busy, (void *)12, 1);
	kt_run_until_idle();
	assert_int_equal(hog_reports, 1);
}

static unsigned soft_seen, task_timeouts_seen;

static void nothing(void *arg)
{
	(void)arg;
}

static void count_timer(const struct kt_timer *t, void *arg)
{
	(void)arg;
	if (kt_timer_task(t) != NULL)
		task_timeouts_seen++;
	else
		soft_seen++;
}

static int sleeper(void *arg)
{
	(void)arg;
	return kt_sleep(500);
}

static void timer_list(void **state)
{
	static struct kt_timer t[4];
	static const kt_tick_t delays[4] = { 1, 40, 5000, 3000000 };
	(void)state;
	for (int i = 0; i < 4; i++) {
		kt_timer_init(&t[i], nothing, &t[i]);
		kt_timer_start(&t[i], delays[i], 0);
	}
	spawn(&a, "sleeper", sleeper, NULL, 1);
	kt_run_until_idle();
	soft_seen = task_timeouts_seen = 0;
	kt_timer_foreach(count_timer, NULL);
	assert_int_equal(soft_seen, 4);
	assert_int_equal(task_timeouts_seen, 1);
	assert_ptr_equal(kt_timer_task(&a.task.timer), &a.task);
	assert_null(kt_timer_task(&t[0]));
	kt_host_tick(1);
	soft_seen = task_timeouts_seen = 0;
	kt_timer_foreach(count_timer, NULL);
	assert_int_equal(soft_seen, 3); /* the 1-tick one fired */
	kt_timer_foreach(NULL, NULL);   /* harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		KT_TEST(cpu_share_by_tick),
		KT_TEST(hog_detector),
		KT_TEST(timer_list),
	};
	return cmocka_run_group_tests_name("introspect", tests, NULL, NULL);
}
