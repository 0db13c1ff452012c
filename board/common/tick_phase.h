/*
 * The tick's phase against a free-running counter, for tickless idle: pure
 * arithmetic, shared by the SysTick tick (systick.c) and the tick from a
 * counter and an alarm (ticker.c), and tested on the host
 * (tests/host/test_time.c).
 *
 * A tick boundary is a counter value: the first is where the tick started,
 * and every per_tick counts after it comes the next.  The phase holds the
 * next boundary the kernel has not been told of.  Whoever looks at the
 * counter (the tick's interrupt, or the idle path after it wakes) asks how
 * many boundaries the counter has passed: exactly those ticks are
 * announced, and next moves on by whole ticks only.  The part of a tick
 * that has passed is never consumed: it stays between the counter and
 * next, so the boundaries never move, however often and wherever the CPU
 * wakes, and the tick cannot drift from the counter.  The counter is 32
 * bits and wraps; differences are taken modulo 2^32, so the counter may
 * run at most 2^31 counts past next (tick_phase_max_ticks) between two
 * looks.  Not for concurrent use: callers mask interrupts or run in the
 * tick's handler.
 */
#ifndef BOARD_TICK_PHASE_H
#define BOARD_TICK_PHASE_H

#include <stdint.h>

struct tick_phase {
	uint32_t next; /* counter value of the next tick not yet announced */
	uint32_t per_tick; /* counter counts per tick */
};

/* Start ticking: the first tick ends per_tick counts after now. */
static inline void tick_phase_init(struct tick_phase *p, uint32_t now, uint32_t per_tick)
{
	p->per_tick = per_tick;
	p->next = now + per_tick;
}

/*
 * The number of ticks that ended at or before counter value now, each
 * counted once: next moves past them.  0 when the counter has not reached
 * next yet, which is also what a counter value from before next reads as.
 */
static inline uint32_t tick_phase_catch_up(struct tick_phase *p, uint32_t now)
{
	uint32_t late = now - p->next, n;

	if ((int32_t)late < 0)
		return 0;
	/* Division only after a sleep: the periodic tick takes the first branch. */
	n = late < p->per_tick ? 1u : late / p->per_tick + 1u;
	p->next += n * p->per_tick;
	return n;
}

/*
 * The counter value at which the n-th tick from now ends (n >= 1), now
 * being the kernel's: the first tick still to be announced is the first.
 */
static inline uint32_t tick_phase_at(const struct tick_phase *p, uint32_t n)
{
	return p->next + (n - 1u) * p->per_tick;
}

/*
 * The longest sleep the phase can measure, in ticks: its end must stay
 * within 2^31 counts of next, with one tick to spare for the time it
 * takes to wake and look.
 */
static inline uint32_t tick_phase_max_ticks(const struct tick_phase *p)
{
	return 0x80000000u / p->per_tick - 1u;
}

#endif
