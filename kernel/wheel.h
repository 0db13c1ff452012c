/*
 * The timer wheel's data structure, separate from the kernel's one global
 * wheel so that host tests can drive it directly.  See timer.c.
 */
#ifndef KT_WHEEL_H
#define KT_WHEEL_H

#include "kettle.h"

#define KT_WHEEL_BITS 5
#define KT_WHEEL_SLOTS (1u << KT_WHEEL_BITS)
#define KT_WHEEL_LEVELS 7 /* 7 x 5 bits = 35 bits: any 32-bit delay fits */

struct kt_wheel {
	kt_tick_t now;                      /* the last tick processed */
	uint32_t occupied[KT_WHEEL_LEVELS]; /* bit s: slot s is not empty */
	struct kt_hlist due; /* expired on arrival: next advance */
	struct kt_hlist slot[KT_WHEEL_LEVELS][KT_WHEEL_SLOTS];
};

/*
 * The level a timer delta ticks away goes to (pure; delta >= 1): the 5-bit
 * group of its highest set bit.  (b * 205) >> 10 is b / 5 for b < 1024.
 */
static inline unsigned kt_wheel_level(kt_tick_t delta)
{
	unsigned high = 31u - (unsigned)__builtin_clz(delta | 1u);

	return (high * 205u) >> 10;
}

/* Its slot within that level (pure). */
static inline unsigned kt_wheel_slot(kt_tick_t expires, unsigned level)
{
	return (expires >> (level * KT_WHEEL_BITS)) & (KT_WHEEL_SLOTS - 1);
}

void kt_wheel_init(struct kt_wheel *w, kt_tick_t now);
/*
 * Insert t at t->expires.  t must not be in a wheel.  O(1).  Returns the
 * first tick at which the wheel has work for t: its slot's cascade, or
 * its expiry (w->now: due already).
 */
kt_tick_t kt_wheel_add(struct kt_wheel *w, struct kt_timer *t);
/* Remove t from the wheel it is in.  O(1). */
void kt_wheel_del(struct kt_wheel *w, struct kt_timer *t);
/*
 * Process every tick up to and including to, calling expire(t) for each
 * timer as its tick is processed (t is already out of the wheel: expire may
 * add it again, or add and remove others).  Timers that were due on
 * arrival go first.
 */
void kt_wheel_advance(struct kt_wheel *w, kt_tick_t to,
		      void (*expire)(struct kt_timer *t));
/*
 * A lower bound of the ticks from w->now to the next tick at which the
 * wheel has work (a timer fires or a slot cascades): exact for a level-0
 * slot before the level's wrap, else the lowest occupied level's next
 * boundary; 0 when something is due already, KT_FOREVER when the wheel is
 * empty.  Never later than the first expiry.  O(levels).  Where the
 * tick's next kick goes, and kt_wheel_advance()'s jumps.
 */
kt_tick_t kt_wheel_soon(const struct kt_wheel *w);

/*
 * Ticks from w->now to the first expiry (tickless idle's budget): as
 * kt_wheel_soon(), but exact, past the cascades before it.  O(levels) plus
 * the timers of each level's first occupied slot.
 */
kt_tick_t kt_wheel_next_expiry(const struct kt_wheel *w);

/* True when a call to kt_wheel_advance(w, w->now) would expire something. */
static inline bool kt_wheel_has_due(const struct kt_wheel *w)
{
	return w->due.first != NULL;
}

#endif
