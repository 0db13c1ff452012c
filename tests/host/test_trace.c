/*
 * Tracing (built with -DKT_TRACE=1, see the Makefile): a known schedule
 * gives exactly the expected records, the dump's text format, and an
 * overflowing ring that counts what it lost.
 */
#include <stdio.h>
#include <string.h>

#include "kt_test.h"

static uint32_t fake_clock;

static uint32_t clock_fn(void)
{
	return fake_clock += 10;
}

static struct kt_trace_rec ring[64];
static struct kt_event ev;
static struct test_task a, b;

static int sleeper(void *arg)
{
	(void)arg;
	kt_trace_mark(42);
	return kt_sleep(3);
}

static int waiter(void *arg)
{
	(void)arg;
	return kt_event_wait(&ev, KT_FOREVER);
}

static void uart_irq(void *arg)
{
	uint32_t prev = kt_trace_irq_enter(17);

	kt_event_set_isr(arg);
	kt_trace_irq_exit(17, prev);
}

struct expect {
	uint8_t type, task;
	uint16_t arg;
};

static void check(const struct expect *e, size_t n, size_t first)
{
	for (size_t i = 0; i < n; i++) {
		const struct kt_trace_rec *r = &ring[first + i];

		if (r->type != e[i].type || r->task != e[i].task || r->arg != e[i].arg)
			fail_msg("record %zu: got %u/%u/%04x, want %u/%u/%04x",
				 first + i, r->type, r->task, r->arg, e[i].type,
				 e[i].task, e[i].arg);
	}
}

static void known_schedule(void **state)
{
	const struct expect want[] = {
		{ KT_TR_SPAWN, 1, 2 },
		{ KT_TR_SPAWN, 2, 1 },
		{ KT_TR_SWITCH, 1, 0 }, /* from the scheduler: no reason */
		{ KT_TR_MARK, 1, 42 },
		{ KT_TR_SWITCH, 2, 1 | KT_WAIT_SLEEP << 8 }, /* a sleeps: to b */
		{ KT_TR_SWITCH, 0, 2 | KT_WAIT_EVENT << 8 }, /* b waits: idle */
		{ KT_TR_IRQ_ENTER, 0, 17 },
		{ KT_TR_IRQ_EXIT, 0, 17 },
		{ KT_TR_WAKE, 2, KT_TR_BY_IRQ | 17 }, /* the irq woke b */
		{ KT_TR_SWITCH, 2, 0 },
		{ KT_TR_SWITCH, 0, 2 | KT_TR_WHY_DONE << 8 },
		{ KT_TR_TICK, 0, 3 },
		{ KT_TR_WAKE, 1, KT_TR_BY_TIMER }, /* 3 ticks: a wakes */
		{ KT_TR_SWITCH, 1, 0 },
		{ KT_TR_SWITCH, 0, 1 | KT_TR_WHY_DONE << 8 },
	};
	(void)state;
	kt_event_init(&ev);
	fake_clock = 0;
	assert_int_equal(kt_trace_start(ring, 64, clock_fn), 0);
	spawn(&a, "sleeper", sleeper, NULL, 2);
	spawn(&b, "waiter", waiter, NULL, 1);
	kt_run_until_idle();
	kt_host_isr(uart_irq, &ev);
	kt_run_until_idle();
	kt_host_isr((void (*)(void *))kt_tick_isr, NULL);
	kt_host_isr((void (*)(void *))kt_tick_isr, NULL);
	kt_host_isr((void (*)(void *))kt_tick_isr, NULL);
	kt_run_until_idle();
	kt_trace_stop();
	check(want, sizeof(want) / sizeof(want[0]), 0);
	assert_int_equal(ring[sizeof(want) / sizeof(want[0])].type, 0);
	/* Times come from the clock, in order. */
	for (size_t i = 1; i < sizeof(want) / sizeof(want[0]); i++)
		assert_true(ring[i].time > ring[i - 1].time);
}

static char dumped[8192];

static void put(const char *line)
{
	strncat(dumped, line, sizeof(dumped) - strlen(dumped) - 1);
}

static void dump_format_and_overflow(void **state)
{
	static struct kt_trace_rec small[8];
	char want[64];
	(void)state;
	fake_clock = 0;
	assert_int_equal(kt_trace_start(small, 6, clock_fn), -EINVAL);
	assert_int_equal(kt_trace_start(NULL, 8, clock_fn), -EINVAL);
	assert_int_equal(kt_trace_start(small, 8, clock_fn), 0);
	spawn(&a, "sleeper", sleeper, NULL, 2);
	for (int i = 0; i < 10; i++)
		kt_trace_mark((uint16_t)i); /* 11 records in all, ring of 8 */
	dumped[0] = 0;
	kt_trace_dump(put, 25000000, 1000);
	/* 8 kept, 3 lost (overwritten), oldest first. */
	assert_non_null(strstr(dumped, "KTRACE begin 8 3 25000000 1000\n"));
	assert_non_null(strstr(dumped, "KTRACE task 1 2 sleeper\n"));
	snprintf(want, sizeof(want), "KTRACE rec %08x09000002 ", 40u);
	assert_non_null(strstr(dumped, want)); /* mark 2 at time 40 */
	assert_non_null(strstr(dumped, "KTRACE end 8\n"));
	/* The dump does not record itself, and recording goes on after. */
	kt_trace_mark(99);
	assert_int_equal(small[11 & 7].arg, 99);
	kt_trace_stop();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		KT_TEST(known_schedule),
		KT_TEST(dump_format_and_overflow),
	};
	return cmocka_run_group_tests_name("trace", tests, NULL, NULL);
}
