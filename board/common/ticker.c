/*
 * The kernel tick from a free-running counter and an alarm, periodic or
 * tickless, for boards that have both: the micro:bit (nRF51 TIMER0
 * counts, its compare register 0 is the alarm).  (The MPS2 boards' CMSDK
 * dual timer would do too, an alarm that reloads itself, but QEMU 7.2
 * faulted now and then at its handler's entry in real time: docs/time.md;
 * they tick from SysTick.)
 *
 * The counter is the clock: it never stops and is never written, so the
 * tick's phase is fixed by it for good (tick_phase.h), and how late or
 * early an alarm or an interrupt comes cannot move a tick.  The alarm
 * only says when to look.  While the kernel is busy it is set to the next
 * boundary each time it fires: the periodic tick.  In tickless idle
 * (port_idle_ticks, through ticker_idle) it is set to the boundary of the
 * last tick the kernel may sleep through, the CPU sleeps, and whatever
 * woke it - that alarm or any other interrupt, a UART byte - the ticks
 * the counter has passed are announced at once in one kt_tick_announce
 * and the alarm goes back to the next boundary.  The part of a tick that
 * passed stays in the counter.  So a sleep costs one interrupt however
 * long it is, up to what the alarm and the counter can span
 * (ticker_start's max_ticks): longer budgets wake once per span.
 *
 * The board provides ticker_now() and ticker_alarm() and calls
 * ticker_isr() from the alarm's interrupt handler, once it has cleared
 * the alarm.  An alarm may come a little late (its resolution, the write
 * latency) or even early: early it finds no tick to count and is set
 * again.  With KT_TICKLESS 0 the scheduler never calls ticker_idle and
 * the alarm fires at every tick, as a periodic tick.
 */
#include "board.h"
#include "common/board_common.h"
#include "common/tick_phase.h"
#include "port.h"

static struct tick_phase phase;
static kt_tick_t max_sleep;
static bool alarm_repeats;
static volatile bool tick_on = true;

/*
 * Announce the ticks the counter has passed; how many.  Masked or in the
 * handler.
 */
static uint32_t count(uint32_t now)
{
	uint32_t n = tick_phase_catch_up(&phase, now);

	if (n == 0 || !tick_on)
		return n;
	if (n == 1)
		kt_tick_isr(); /* the periodic tick's path: the shortest */
	else
		kt_tick_announce(n);
	return n;
}

/* The alarm for the next tick, or with the tick off as far as it goes. */
static void rearm(void)
{
	ticker_alarm(tick_on ? phase.next : tick_phase_at(&phase, max_sleep));
}

uint32_t ticker_start(uint32_t per_tick, kt_tick_t max_ticks, bool repeats)
{
	alarm_repeats = repeats;
	tick_phase_init(&phase, ticker_now(), per_tick);
	max_sleep = max_ticks < tick_phase_max_ticks(&phase) ?
			    max_ticks :
			    tick_phase_max_ticks(&phase);
	ticker_alarm(phase.next);
	return phase.next;
}

void ticker_isr(void)
{
	uint32_t now = ticker_now();

	/*
	 * The periodic tick, the one path that runs every tick: one tick has
	 * ended, and an alarm that repeats is already set for the next one.
	 */
	if (now - phase.next < phase.per_tick && alarm_repeats && tick_on) {
		phase.next += phase.per_tick;
		kt_tick_isr();
		return;
	}
	if (count(now) == 0 || !alarm_repeats || !tick_on)
		rearm();
}

void ticker_idle(kt_tick_t max)
{
	if (max == 0)
		return;
	if (max > max_sleep || !tick_on)
		max = max_sleep;
	ticker_alarm(tick_phase_at(&phase, max));
	port_idle();
	/*
	 * Awake, interrupts still masked: the alarm, or an early interrupt
	 * whose handler runs once we return, with the clock already right.
	 * The alarm's own handler, if it is pending, then finds no tick left
	 * to count.
	 */
	count(ticker_now());
	rearm();
}

/*
 * Off, the alarm is set as far ahead as it goes, so the tick's interrupt
 * stays out of measurements; the counter runs on, so the tick keeps its
 * phase, and the ticks while it was off are dropped.
 */
void board_tick_enable(bool on)
{
	uint32_t s = port_irq_save();

	count(ticker_now());
	tick_on = on;
	rearm();
	port_irq_restore(s);
}
