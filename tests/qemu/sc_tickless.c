/*
 * Time on the target: the tick stays locked to a second hardware timer,
 * board_cycles(), over 10,000 periods of a task on kt_sleep_until and of
 * a periodic soft timer, with the clock started 1,000 ticks before the
 * 32-bit wrap, while the runner (tests/qemu/run.py, "tickless" in the
 * name) feeds UART bytes that wake the CPU in the middle of its sleeps.
 * mk/tickless.mk runs it built both ways: tickless (the default) and
 * with KT_TICKLESS=0.
 *
 * - metro: kt_sleep_until() with a 3-tick period, 10,000 times, then 40
 *   sleeps of 250 ticks (long tickless sleeps; on the SysTick boards
 *   several reloads each).  It wakes exactly on every deadline, and at
 *   every wake board_cycles() since the first wake, less the ticks since
 *   then times the cycles per tick, stays within a band a tenth of a tick
 *   wide: the wake-up latency, the same at every wake bar the odd
 *   interrupt in between.  A tick gained or lost moves it by a whole
 *   tick, a drift of a cycle a period by 10,000 cycles.
 * - a periodic soft timer, 2 ticks, fires on its ticks 10,000 times (it
 *   stops itself then, before the metro's long sleeps), and is held to
 *   the same band.
 * - reader: each UART byte wakes it, early in some sleep; the kernel's
 *   clock must already be right, within a tick of board_cycles() and
 *   never ahead of it.  Then it sleeps 2 ticks, a deadline earlier than
 *   the end of the sleep the byte broke into (the tick must be brought
 *   back in the middle of a long period), and must wake exactly on it.
 *   It counts the bytes; the scenario ends once the metro is done and at
 *   least MIN_BYTES came.
 * - edge_sweep, after the metro: deadlines set as the tick's interrupt
 *   comes (see there).
 * - kt_uptime64() crosses the 32-bit wrap with the clock.
 *
 * board_cycles() wraps (every 25 s at 168 MHz), so it is extended to 64
 * bits by whoever reads it, often enough: every reader runs in thread
 * mode, one at a time.
 */
#include <stdio.h>

#include "port.h"
#include "scenario.h"

#define START (0xffffffffu - 1000u)
#define PERIOD 3u
#define PERIODS 10000u
#define LONG_PERIOD 250u
#define LONG_PERIODS 40u
#define TIMER_PERIOD 2u
#define TIMER_PERIODS 10000u
#define MIN_BYTES 20u
#define STACK 1024

static struct kt_task metro_task, reader_task, checker_task;
static uint8_t stacks[3][STACK];
static struct kt_timer timer;

static uint32_t per_tick; /* board_cycles() per tick */
static uint64_t cycles_hi;
static uint32_t cycles_last;

/*
 * QEMU's SysTick model (lm3s6965evb, netduinoplus2: their board_cycles()
 * is SysTick's count) is not coherent at a reload, now and then: SYST_CVR
 * and the pending bit disagree for a read or two, and board_cycles() reads
 * a period ahead or behind (measured: 12,452 cycles back at the last cycle
 * of a period, about one run in 30).  Such a read is a glitch of the
 * reference, not of the kernel's clock: a read behind the last one is not
 * taken into the 64-bit count, and a sample a half tick or more off the
 * last good one is not taken into the band.  Both are counted, and held to
 * GLITCH_MAX: a tick the kernel lost or gained moves every sample after it,
 * thousands of them, and still fails.
 */
#define GLITCH_MAX 8u
static unsigned long glitches;

static uint64_t cycles64(void)
{
	uint32_t c = board_cycles();

	if (c - cycles_last > 0x80000000u) { /* behind the last read */
		glitches++;
		return cycles_hi;
	}
	cycles_hi += c - cycles_last;
	cycles_last = c;
	return cycles_hi;
}

/*
 * The reference: board_cycles() and the tick at the metro's first wake.
 * offset(): cycles since then less the ticks since then, in cycles.
 */
static uint64_t ref_cycles;
static kt_tick_t ref_tick;
static bool ref_set;
static int64_t band_lo, band_hi; /* the reference is 0 */
static unsigned long metro_late, timer_late, timer_fires, bytes, reader_bad,
	reader_late;
static volatile bool sweeping; /* edge_sweep() keeps the CPU: the reader looks away */

static int64_t offset(void)
{
	uint64_t c = cycles64() - ref_cycles;

	return (int64_t)c - (int64_t)(kt_tick_t)(kt_now() - ref_tick) * per_tick;
}

/*
 * offset(), false for a glitch (see cycles64): more than a half tick
 * before the last good wake's, or as much past it plus ahead (0 for a
 * wake; a tick for the reader, whose byte comes anywhere in a tick).
 */
static int64_t last_good;

static bool sample(int64_t *o, int64_t ahead)
{
	int64_t d, half = (int64_t)per_tick / 2;

	*o = offset();
	d = *o - last_good;
	if (d < -half || d > ahead + half) {
		glitches++;
		return false;
	}
	return true;
}

static void in_band(void)
{
	int64_t o;

	if (!sample(&o, 0))
		return;
	last_good = o;
	if (o < band_lo)
		band_lo = o;
	if (o > band_hi)
		band_hi = o;
}

static int metro(void *arg)
{
	kt_tick_t deadline;
	(void)arg;

	deadline = kt_now();
	/* The first wake is the reference: every later one is alike. */
	SC_CHECK_EQ(kt_sleep_until(&deadline, PERIOD), 0);
	ref_cycles = cycles64();
	ref_tick = kt_now();
	ref_set = true;
	for (unsigned i = 0; i < PERIODS + LONG_PERIODS; i++) {
		kt_tick_t period = i < PERIODS ? PERIOD : LONG_PERIOD;

		if (kt_sleep_until(&deadline, period) != 0 || kt_now() != deadline)
			metro_late++;
		in_band();
	}
	SC_CHECK_EQ(metro_late, 0);
	SC_CHECK_EQ(deadline - ref_tick,
		    PERIODS * PERIOD + LONG_PERIODS * LONG_PERIOD);
	return 0;
}

static void timer_fired(void *arg)
{
	(void)arg;
	timer_fires++;
	if (kt_now() != START + timer_fires * TIMER_PERIOD)
		timer_late++;
	if (timer_fires == TIMER_PERIODS)
		kt_timer_stop(&timer);
	if (ref_set)
		in_band();
}

static int reader(void *arg)
{
	(void)arg;
	for (;;) {
		char buf[16];
		int n = board_uart_read(buf, sizeof(buf), KT_FOREVER);
		kt_tick_t t;
		int64_t o;
		int rc;

		if (n < 0)
			return n;
		bytes += (unsigned)n;
		if (!ref_set || sweeping)
			continue; /* not yet, or the CPU is kept busy */
		/* Not a tick ahead of the cycles, nor one behind. */
		if (!sample(&o, per_tick))
			continue;
		if (o < band_lo - (int64_t)per_tick / 10 ||
		    o > band_hi + (int64_t)per_tick)
			reader_bad++;
		/* A deadline, not a delay: a tick may come before it is set. */
		t = kt_now();
		rc = kt_sleep_until(&t, 2);
		if (sweeping)
			continue;
		if (rc != 0 || kt_now() != t) {
			reader_late++;
			printf("reader: deadline %lu, woke at %lu (%d), offset %ld\n",
			       (unsigned long)t, (unsigned long)kt_now(), rc,
			       (long)offset());
		}
		in_band();
	}
}

/*
 * A deadline set as the tick passes: kt_sleep_until() is called at every
 * point, 20 ns or a cycle apart, of the last EDGE_NS before a tick's
 * interrupt, so that the tick comes in the middle of it at some point
 * (between its reading the clock and its timer going on the wheel), and
 * it must still wake exactly on the deadline.  Busy: the periodic tick
 * runs meanwhile.
 */
#define EDGE_NS 6000u
static unsigned long edge_late;

static void edge_sweep(void)
{
	/* Cycles, and a step of 20 ns at most: shorter than the window. */
	uint32_t span = EDGE_NS * (board_cycles_hz() / 1000000u) / 1000u;
	uint32_t step = board_cycles_hz() / 50000000u + 1u, steps = 0;

	sweeping = true;
	for (uint32_t x = 0; x < span; x += step, steps++) {
		kt_tick_t k = kt_now(), t;
		uint32_t c;

		while (kt_now() == k)
			;
		c = board_cycles(); /* just after the tick's interrupt */
		while (board_cycles() - c < per_tick - x)
			;
		t = kt_now();
		if (kt_sleep_until(&t, 2) != 0 || kt_now() != t)
			edge_late++;
	}
	sweeping = false;
	printf("edge: %lu deadlines set in the %u ns before a tick, %lu late\n",
	       (unsigned long)steps, EDGE_NS, edge_late);
}

static int checker(void *arg)
{
	uint64_t up;
	kt_tick_t now;
	uint32_t width, s;
	(void)arg;

	SC_CHECK_EQ(kt_task_join(&metro_task, NULL, KT_FOREVER), 0);
	edge_sweep();
	SC_CHECK_EQ(edge_late, 0);
	while (bytes < MIN_BYTES)
		kt_sleep(100);
	s = port_irq_save(); /* the two at the same tick */
	up = kt_uptime64();
	now = kt_now();
	port_irq_restore(s);
	width = (uint32_t)(band_hi - band_lo);
	printf("tickless %d: %u + %u periods, %lu timer periods, %lu bytes; "
	       "cycles less ticks x %lu: %ld .. %ld (%lu wide)\n",
	       KT_TICKLESS, PERIODS, LONG_PERIODS, timer_fires, bytes,
	       (unsigned long)per_tick, (long)band_lo, (long)band_hi,
	       (unsigned long)width);
	printf("reference glitches: %lu\n", glitches);
	/* Zero ticks of error, and no drift within the tick either. */
	SC_CHECK(glitches <= GLITCH_MAX);
	SC_CHECK(width < per_tick / 10);
	SC_CHECK(band_lo > -(int64_t)per_tick / 10 &&
		 band_hi < (int64_t)per_tick / 10);
	SC_CHECK_EQ(timer_late, 0);
	SC_CHECK_EQ(timer_fires, TIMER_PERIODS);
	SC_CHECK(!kt_timer_active(&timer));
	SC_CHECK_EQ(reader_bad, 0);
	SC_CHECK_EQ(reader_late, 0);
	/* The 32-bit clock wrapped; the 64-bit uptime went on. */
	SC_CHECK(now < START);
	SC_CHECK(up > 1000u);
	SC_CHECK_EQ((kt_tick_t)(START + (kt_tick_t)up), now);
	sc_finish();
}

int main(void)
{
	kt_init(START);
	sc_begin("tickless");
	per_tick = board_cycles_hz() / KT_TICK_HZ;
	cycles_last = board_cycles();
	sc_watchdog(600000); /* virtual time races on while it waits for bytes */
	SC_CHECK_EQ(kt_uptime64(), 0);
	kt_timer_init(&timer, timer_fired, NULL);
	SC_CHECK_EQ(kt_timer_start(&timer, TIMER_PERIOD, TIMER_PERIOD), 0);
	SC_CHECK_EQ(kt_task_spawn(&metro_task, "metro", metro, NULL, stacks[0],
				  STACK, 5),
		    0);
	SC_CHECK_EQ(kt_task_spawn(&reader_task, "reader", reader, NULL,
				  stacks[1], STACK, 6),
		    0);
	SC_CHECK_EQ(kt_task_spawn(&checker_task, "checker", checker, NULL,
				  stacks[2], STACK, 1),
		    0);
	kt_run();
}
