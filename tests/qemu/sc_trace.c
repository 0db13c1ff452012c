/*
 * Schedule tracing on the target (built with KT_TRACE=1 by mk/trace.mk):
 * a known schedule gives exactly the records it should, in order, from
 * the kernel and from the board's interrupt hooks, and the dump that
 * tests/trace/test_sc_trace.py decodes on the host.
 *
 * The schedule: a conductor (priority 4) starts tracing just after a tick
 * (it wakes from kt_sleep(1)), so the next tick is a whole period away
 * and cannot land in the middle; it spawns a sleeper (3), a waiter (2) and
 * a kicker (1) and joins the sleeper.  The sleeper marks 42 and sleeps 3
 * ticks; the waiter waits for an event; the kicker pends the soft
 * interrupt, whose handler sets the event, and returns.  Its last
 * scheduling point takes the marked set (a wake by the interrupt) and
 * switches straight to the waiter, which returns; 3 ticks after it slept the sleeper wakes by its timer
 * and returns, waking the conductor.
 *
 * The check walks the ring and compares every record's type, task and
 * argument with the expected list, leaving out what the schedule does not
 * decide: the tick's records (its interrupt and the scheduler's tick
 * records) and any other interrupt (a UART's).  The soft interrupt's
 * number is what the board's hook told the kernel (kt_trace_irq, read in
 * the handler), so a board without the hook fails here.  The sleep is
 * checked separately: 3 ticks counted by tick records between the block
 * and the wake, and 2 to 3 tick periods of trace clock.  Nothing is
 * printed while recording, so the console adds no records; recording is
 * stopped before the dump, so the ring stays as dumped (the GDB test
 * compares it).
 */
#include <stdio.h>
#include <string.h>

#include "scenario.h"

#define STACK 1024
#define RING 256

static struct kt_trace_rec ring[RING];
static struct kt_task conductor_task, sleeper_task, waiter_task, kicker_task;
static uint8_t stacks[4][STACK];
static struct kt_event ev;
static volatile uint32_t soft_irq; /* its number, as the board's hook gave it */

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

static void soft_irq_handler(void)
{
	soft_irq = kt_trace_irq - 1u; /* 0: no hook; the number + 1 */
	kt_event_set_isr(&ev);
}

static int kicker(void *arg)
{
	(void)arg;
	board_soft_irq_pend(); /* the handler runs here */
	return 0;
}

struct expect {
	uint8_t type, task;
	uint16_t arg;
};

/* Whether the schedule decides record r (see the top). */
static bool decided(const struct kt_trace_rec *r)
{
	if (r->type == KT_TR_TICK)
		return false;
	if (r->type == KT_TR_IRQ_ENTER || r->type == KT_TR_IRQ_EXIT)
		return r->arg == soft_irq;
	return true;
}

static void check_records(void)
{
	const uint8_t c = conductor_task.id, s = sleeper_task.id;
	const uint8_t w = waiter_task.id, k = kicker_task.id;
	const uint16_t n = (uint16_t)soft_irq;
	const struct expect want[] = {
		{ KT_TR_SPAWN, s, 3 },
		{ KT_TR_SPAWN, w, 2 },
		{ KT_TR_SPAWN, k, 1 },
		{ KT_TR_SWITCH, s, c | KT_WAIT_JOIN << 8 }, /* conductor joins */
		{ KT_TR_MARK, s, 42 },
		{ KT_TR_SWITCH, w, s | KT_WAIT_SLEEP << 8 }, /* sleeper sleeps */
		{ KT_TR_SWITCH, k, w | KT_WAIT_EVENT << 8 }, /* waiter waits */
		{ KT_TR_IRQ_ENTER, 0, n },
		{ KT_TR_IRQ_EXIT, 0, n },
		/* The kicker ends: its last scheduling point readies the waiter */
		{ KT_TR_WAKE, w, KT_TR_BY_IRQ | (n & 0xff) },
		{ KT_TR_SWITCH, w, k | KT_TR_WHY_DONE << 8 }, /* one switch */
		{ KT_TR_SWITCH, 0, w | KT_TR_WHY_DONE << 8 },
		{ KT_TR_WAKE, s, KT_TR_BY_TIMER }, /* 3 ticks later */
		{ KT_TR_SWITCH, s, 0 },
		{ KT_TR_WAKE, c, KT_TR_BY_TASK | s }, /* the join returns */
		{ KT_TR_SWITCH, c, s | KT_TR_WHY_DONE << 8 },
	};
	const size_t nwant = sizeof(want) / sizeof(want[0]);
	uint32_t slept_at = 0, woke_at = 0, ticks = 0;
	bool asleep = false;
	size_t got = 0, i;

	SC_CHECK(soft_irq >= 15 && soft_irq < 256); /* the hook ran */
	for (i = 0; i < RING && ring[i].type != 0; i++) {
		const struct kt_trace_rec *r = &ring[i];

		if (r->type == KT_TR_TICK && asleep)
			ticks += r->arg;
		if (!decided(r))
			continue;
		if (got < nwant &&
		    !(r->type == want[got].type && r->task == want[got].task &&
		      r->arg == want[got].arg)) {
			printf("FAIL record %u (%u of the schedule): %u/%u/%04x, want "
			       "%u/%u/%04x\n",
			       (unsigned)i, (unsigned)got, r->type, r->task, r->arg,
			       want[got].type, want[got].task, want[got].arg);
			SC_CHECK(false);
		}
		if (got == 5) { /* the sleeper blocks */
			slept_at = r->time;
			asleep = true;
		}
		if (got == 12) { /* and wakes */
			woke_at = r->time;
			asleep = false;
		}
		got++;
	}
	SC_CHECK(i < RING); /* the ring did not wrap */
	SC_CHECK_EQ(got, nwant);
	SC_CHECK_EQ(ticks, 3);
	/* Slept just after a tick, so a little under 3 tick periods. */
	SC_CHECK(woke_at - slept_at > 2u * (board_cycles_hz() / KT_TICK_HZ));
	SC_CHECK(woke_at - slept_at <= 3u * (board_cycles_hz() / KT_TICK_HZ));
	printf("sc_trace: %u records, %u of them the schedule's; soft irq %u\n",
	       (unsigned)i, (unsigned)got, (unsigned)soft_irq);
}

static void put_line(const char *line)
{
	board_console_write(line, strlen(line));
}

static int conductor(void *arg)
{
	int result = -1;
	(void)arg;

	kt_sleep(1); /* just after a tick: see the top */
	SC_CHECK_EQ(kt_trace_start(ring, RING, board_cycles), 0);
	kt_task_spawn(&sleeper_task, "sleeper", sleeper, NULL, stacks[1], STACK, 3);
	kt_task_spawn(&waiter_task, "waiter", waiter, NULL, stacks[2], STACK, 2);
	kt_task_spawn(&kicker_task, "kicker", kicker, NULL, stacks[3], STACK, 1);
	kt_task_join(&sleeper_task, &result, KT_FOREVER);
	kt_trace_stop();
	SC_CHECK_EQ(result, 0);
	SC_CHECK_EQ(waiter_task.result, 0);
	check_records();
	kt_trace_dump(put_line, board_cycles_hz(), KT_TICK_HZ);
	sc_finish();
}

int main(void)
{
	kt_init(0);
	sc_begin("trace");
	sc_watchdog(2000);
	kt_event_init(&ev);
	board_soft_irq_set(soft_irq_handler);
	kt_task_spawn(&conductor_task, "conductor", conductor, NULL, stacks[0],
		      STACK, 4);
	kt_run();
}
