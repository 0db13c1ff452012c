/*
 * The kernel tick from SysTick alone, periodic or tickless, and a cycle
 * counter built on it: the MPS2 boards (whose board_cycles() is CMSDK
 * TIMER0), and the boards whose only timer QEMU lets software read is
 * SysTick (lm3s6965evb, netduinoplus2).
 *
 * SysTick counts the core clock down and reloads from RVR; a write to RVR
 * only takes effect at the next reload, and a reload loses no cycle.  So
 * SysTick is never stopped, and every period is made a whole number of
 * ticks by changing RVR alone: each reload falls on a tick boundary, the
 * interrupt adds the period that ended to the cycles counted so far, and
 * systick_cycles() - those cycles plus how far the period in progress has
 * run - is a free-running 32-bit count of core clocks that the tick's
 * phase (tick_phase.h) is kept against, as the other boards keep it
 * against a hardware counter (ticker.c).
 *
 * While the kernel is busy every period is one tick.  In tickless idle
 * (port_idle_ticks) the rest of the current tick runs out as it is, and
 * the period after it is made to end where the sleep ends, capped at the
 * longest whole number of ticks in 24 bits (1342 ticks at 12.5 MHz, 99 at
 * 168 MHz): a sleep costs an interrupt at the first boundary, one at its
 * end and one per cap between, each handled here with interrupts still
 * masked and no wake of the kernel.  What cannot be done with RVR alone
 * is to end the period in progress early, and a wake by another interrupt
 * in the middle of a long period must do that, to give the busy kernel
 * its periodic tick back: then the ticks that passed are announced and
 * the counter is cut - SYST_CVR written, which restarts it - with a
 * period that ends on the next boundary.  The cycles between reading the
 * counter and that write are taken to be CUT_LATENCY, at least what they
 * are: a core that takes fewer moves the tick's phase forward by the
 * difference, a cycle or two once per such wake.  Sleeps that end by
 * their own timeout, and the periodic tick, never write the counter and
 * keep the phase exactly.
 *
 * board_tick_enable(false) stops the ticks reaching the kernel, not the
 * interrupt: the cycle counter and the phase run on.  The reads and the
 * bookkeeping share the variables with the interrupt, so thread mode
 * reads them masked.
 */
#include "board.h"
#include "common/board_common.h"
#include "common/cortex_m.h"
#include "common/tick_phase.h"
#include "port.h"

/*
 * Cycles: closer than GUARD to a reload, RVR is not written (the write
 * might land on either side of it); a cut never makes a period shorter
 * than CUT_MIN; CUT_LATENCY is at least what the read-add-compare-
 * branch-store-store sequence of cut() takes from its read to its last
 * store: 6 or 7 on a Cortex-M3/M4, and under QEMU, whose instructions
 * take 8 ns, 0.6 at 12.5 MHz and 8 at 168 MHz.  Taking too much moves the
 * count on by the difference, too little would move it back:
 * systick_cycles() must never go back.
 */
#define GUARD 64u
#define CUT_MIN 256u
#define CUT_LATENCY 8u

static uint32_t per_tick; /* core clocks per tick */
static uint32_t max_len;  /* the longest period: whole ticks */
static kt_tick_t max_sleep;
static volatile uint32_t base;    /* cycles when the period in progress began */
static volatile uint32_t cur_len; /* its length (RVR + 1 at its reload) */
static volatile uint32_t next_len; /* RVR + 1 now: the length of the next */
static struct tick_phase phase;    /* in systick_cycles() */
static volatile bool tick_on = true;

static inline bool reload_pending(void)
{
	return (SCB_ICSR & SCB_ICSR_PENDSTSET) != 0;
}

/* A reload happened: the period that ended goes into the count. */
static void reloaded(void)
{
	base += cur_len;
	cur_len = next_len;
}

/* Announce the ticks the counter has passed.  Masked or in the handler. */
static void count(uint32_t now)
{
	uint32_t n = tick_phase_catch_up(&phase, now);

	if (n == 0 || !tick_on)
		return;
	if (n == 1)
		kt_tick_isr(); /* the periodic tick's path: the shortest */
	else
		kt_tick_announce(n);
}

void systick_start(uint32_t cycles_per_tick)
{
	per_tick = cycles_per_tick;
	max_len = SYST_MAX / cycles_per_tick * cycles_per_tick;
	base = 0;
	cur_len = cycles_per_tick;
	next_len = cycles_per_tick;
	tick_phase_init(&phase, 0, cycles_per_tick);
	max_sleep = tick_phase_max_ticks(&phase);
	SYST_CSR = 0;
	SYST_RVR = cycles_per_tick - 1u;
	SYST_CVR = 0; /* any write: reload now, from RVR */
	SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CORECLK;
}

void systick_handler(void)
{
	uint32_t prev;

	/*
	 * The reload first: the trace's clock may be systick_cycles(), which
	 * in here, with the reload no longer pending, would read a period
	 * behind.  Outside tickless idle every period is one tick and ends on
	 * a boundary, so the count at the reload is base itself.
	 */
	reloaded();
	prev = board_irq_trace_enter();
	count(base);
	board_irq_trace_exit(prev);
}

void board_tick_enable(bool on)
{
	tick_on = on;
}

/* A reload came while masked: count it here; its handler will not run. */
static void take_reload(void)
{
	SCB_ICSR = SCB_ICSR_PENDSTCLR;
	reloaded();
}

/*
 * systick_cycles() with interrupts masked, for the idle path: a reload
 * that comes meanwhile is taken here (see take_reload), and the counter
 * read again past it.
 */
static uint32_t cycles_masked(void)
{
	uint32_t value = SYST_CVR;

	if (reload_pending()) {
		take_reload();
		value = SYST_CVR;
	}
	return base + (cur_len - 1u - value);
}

uint32_t systick_cycles(void)
{
	uint32_t s = port_irq_save();
	uint32_t b = base, len = cur_len, value = SYST_CVR;

	if (reload_pending()) {
		/* Reloaded, handler pending: count it, read past the reload. */
		b += len;
		len = next_len;
		value = SYST_CVR;
	}
	port_irq_restore(s);
	return b + (len - 1u - value);
}

/* ---- tickless idle ------------------------------------------------------ */

/*
 * Set the length of the next period, unless a reload is too close or has
 * come already.  The core runs on between the read and the write: GUARD
 * cycles on silicon, but under QEMU without -icount, or with a debugger
 * halting the core, any time at all.  A reload in that gap has loaded
 * either the old length or len, and no register says which: the period
 * in progress is taken to be the shorter, unless the counter has already
 * shown it is the longer.  A wrong guess makes the count lose the
 * difference, the time the core stood still; it never makes it go back.
 */
static bool set_next(uint32_t len)
{
	uint32_t old = next_len, lo, hi;

	if (SYST_CVR < GUARD || reload_pending())
		return false;
	SYST_RVR = len - 1u;
	next_len = len;
	if (reload_pending()) {
		lo = old < len ? old : len;
		hi = old < len ? len : old;
		SCB_ICSR = SCB_ICSR_PENDSTCLR;
		base += cur_len;
		cur_len = SYST_CVR < lo ? lo : hi;
	}
	return true;
}

/*
 * Restart the counter so that the period in progress ends at cycle count
 * at, in a fixed sequence: read the counter, compute RVR from it, store
 * RVR, store CVR (any write clears it; it reloads from RVR on the next
 * clock).  The period cut short lasted up to that write plus the clock at
 * zero.  False, with nothing written, when at is too close or already
 * past: the caller decided on a count read before the core stood still.
 */
static bool cut(uint32_t at)
{
	uint32_t k = at - base - cur_len - CUT_LATENCY - 1u, v, t;

	__asm volatile("ldr	%0, [%2, #8]\n\t" /* v = CVR */
		       "adds	%1, %0, %3\n\t" /* t = v + k: the new period, less 1 */
		       "cmp	%1, #255\n\t"
		       "ble	1f\n\t" /* t + 1 <= 256 cycles, or past */
		       "str	%1, [%2, #4]\n\t" /* RVR = t */
		       "str	%1, [%2, #8]\n" /* CVR: cleared, reloads t + 1 cycles */
		       "1:"
		       : "=&l"(v), "=&l"(t)
		       : "l"(0xe000e010u), "l"(k)
		       : "cc", "memory");
	if ((int32_t)t <= 255)
		return false;
	base += cur_len - v + CUT_LATENCY;
	cur_len = t + 1u;
	if (reload_pending()) {
		/*
		 * The core stood still between the reads and the write (see
		 * set_next): the period had ended, so it counts whole, and
		 * the new one started no earlier than that.
		 */
		SCB_ICSR = SCB_ICSR_PENDSTCLR;
		base += v - CUT_LATENCY;
	}
	/* RVR for the period after, once the restart has loaded t. */
	while (SYST_CVR == 0)
		;
	next_len = per_tick;
	SYST_RVR = per_tick - 1u;
	return true;
}

/* Whether an interrupt other than SysTick's waits (its reload cleared). */
static inline bool other_pending(void)
{
	return (SCB_ICSR & SCB_ICSR_VECTPENDING) != 0;
}

/*
 * Leave tickless idle: announce the ticks that passed, and make the period
 * in progress end at the next boundary and the ones after it last a tick.
 */
static void resume(void)
{
	for (;;) {
		uint32_t now;

		now = cycles_masked();
		count(now);
		if (base + cur_len == phase.next) {
			if (set_next(per_tick))
				return;
			while (!reload_pending())
				; /* a few cycles: then look again */
		} else if (phase.next - now >= CUT_MIN) {
			if (cut(phase.next))
				return;
		} else {
			/* The boundary is a few cycles away, inside the period. */
			while ((int32_t)(cycles_masked() - phase.next) < 0)
				;
		}
	}
}

void port_idle_ticks(kt_tick_t max)
{
	uint32_t target;

	/* A reload to count first: let its handler run. */
	if (max == 0 || reload_pending())
		return;
	if (max > max_sleep)
		max = max_sleep;
	target = tick_phase_at(&phase, max);
	/*
	 * The period in progress ends on a boundary at or before target: make
	 * the next one end at target, or as far as it can, and once the period
	 * in progress ends at target, the next one a tick long.
	 */
	while ((int32_t)(target - base) > 0) {
		uint32_t left = target - (base + cur_len), len;

		/* Past target only after the core stood still (set_next). */
		if ((int32_t)left <= 0)
			len = per_tick;
		else
			len = left < max_len ? left : max_len;
		if (set_next(len)) {
			port_idle();
			if (!reload_pending())
				break; /* another interrupt, in the middle of a period */
		} else {
			while (!reload_pending())
				; /* a reload a few cycles away: take it first */
		}
		take_reload();
		if (other_pending())
			break;
	}
	resume();
}
