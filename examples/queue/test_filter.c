/*
 * Host unit test of the consumer's filter (make host-test), and of the
 * consumer pattern itself on kettle's host port: real tasks and a real
 * queue, on this machine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "filter.h"
#include "kettle.h"

static void test_mean_of_fewer_than_window(void **state)
{
	struct filter f;

	(void)state;
	filter_init(&f);
	assert_int_equal(filter_add(&f, 10), 10);
	assert_int_equal(filter_add(&f, 20), 15);
	assert_int_equal(filter_add(&f, 30), 20);
	assert_int_equal(filter_add(&f, 40), 25);
	/* The window is full: 10 drops out. */
	assert_int_equal(filter_add(&f, 50), 35);
	assert_int_equal(filter_add(&f, -140), -5);
}

static void test_extremes_do_not_overflow(void **state)
{
	struct filter f;

	(void)state;
	filter_init(&f);
	for (int i = 0; i < 10; i++)
		assert_int_equal(filter_add(&f, INT32_MAX), INT32_MAX);
	for (int i = 0; i < FILTER_LEN; i++)
		filter_add(&f, INT32_MIN + 1);
	assert_int_equal(filter_add(&f, INT32_MIN + 1), INT32_MIN + 1);
}

/* The consumer's loop on the host port: items through a real queue. */
static struct kt_queue q;
static int32_t q_storage[2];
static int32_t last_mean;

static int consume(void *arg)
{
	struct filter f;
	int32_t v;

	(void)arg;
	filter_init(&f);
	while (kt_queue_get(&q, &v, 10) == 0)
		last_mean = filter_add(&f, v);
	return 0;
}

static void test_consumer_task_on_host_port(void **state)
{
	static struct kt_task t;
	static _Alignas(16) uint8_t stack[16384];
	const int32_t items[] = { 4, 8, 12, 16, 20 };

	(void)state;
	kt_init(0);
	assert_int_equal(kt_queue_init(&q, q_storage, sizeof(q_storage[0]), 2), 0);
	assert_int_equal(kt_task_spawn(&t, "consume", consume, NULL, stack,
				       sizeof(stack), 1),
			 0);
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		/* Outside a task a put must not block: room is made by
		 * letting the consumer run. */
		assert_int_equal(kt_queue_put(&q, &items[i], KT_NOWAIT), 0);
		kt_run_until_idle();
	}
	assert_int_equal(last_mean, (8 + 12 + 16 + 20) / 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mean_of_fewer_than_window),
		cmocka_unit_test(test_extremes_do_not_overflow),
		cmocka_unit_test(test_consumer_task_on_host_port),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
