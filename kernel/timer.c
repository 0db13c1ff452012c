/*
 * Time: the hierarchical timer wheel behind sleeps, timeouts and soft timers.
 *
 * Geometry: 7 levels of 32 slots (5 bits each, 35 bits in all, so any
 * 32-bit delay has a place).  A timer due in delta ticks (counted from the
 * last processed tick, now) sits at level L = the highest 5-bit group in
 * which delta has a bit set, in the slot given by bits 5L..5L+4 of its
 * absolute expiry tick:
 *
 *   level 0: delta < 32            slot = expires & 31        (1 tick each)
 *   level 1: delta < 1024          slot = (expires >> 5) & 31 (32 ticks each)
 *   level L: delta < 2^(5L+5)      slot = (expires >> 5L) & 31
 *
 * Processing tick T fires level 0's slot T & 31.  When T & 31 == 0 it first
 * cascades level 1's slot (T >> 5) & 31 into the levels below, and when that
 * index is 0 too, level 2's, and so on.  Each timer is therefore re-filed at
 * most once per level and fires exactly on its expiry tick: the wheel adds
 * no lateness at any level.  A timer fires late only when the scheduler
 * processes a tick late (a task kept the CPU), never early.
 *
 * Costs: add and delete O(1); a lower bound of the next tick with work,
 * kt_wheel_soon(), O(levels) with the per-level occupancy bitmaps: the
 * next occupied level-0 slot or the lowest occupied level's next
 * boundary.  So kt_wheel_advance() jumps from one such tick to the next,
 * however far apart (tickless idle advances by the whole sleep in one
 * call), and its cost is the timers that fire or cascade plus O(levels)
 * per jump, at most 32 jumps a level between cascades.
 *
 * Timers with the same expiry tick fire in an unspecified but deterministic
 * order.  The wheel is thread-mode only; the tick interrupt only counts.
 */
#include "kernel.h"
#include "port.h"

static inline uint32_t ctz32(uint32_t x)
{
	return (uint32_t)__builtin_ctz(x);
}

void kt_wheel_init(struct kt_wheel *w, kt_tick_t now)
{
	w->now = now;
	w->due.first = NULL;
	for (unsigned l = 0; l < KT_WHEEL_LEVELS; l++) {
		w->occupied[l] = 0;
		for (unsigned s = 0; s < KT_WHEEL_SLOTS; s++)
			w->slot[l][s].first = NULL;
	}
}

/*
 * File t into its slot; delta = expires - now, 0 means "this very tick".
 * Returns the level.
 */
static unsigned place(struct kt_wheel *w, struct kt_timer *t, kt_tick_t delta)
{
	unsigned level = delta ? kt_wheel_level(delta) : 0;
	unsigned slot = kt_wheel_slot(t->expires, level);

	kt_hlist_push(&w->slot[level][slot], &t->node);
	w->occupied[level] |= 1u << slot;
	return level;
}

kt_tick_t kt_wheel_add(struct kt_wheel *w, struct kt_timer *t)
{
	kt_tick_t delta = t->expires - w->now;
	unsigned level;

	if ((int32_t)delta <= 0) {
		/* Due already: the current tick was processed. */
		kt_hlist_push(&w->due, &t->node);
		return w->now;
	}
	/* Its slot cascades where the bits below the level's are all 0. */
	level = place(w, t, delta);
	return t->expires & ~((1u << (level * KT_WHEEL_BITS)) - 1u);
}

void kt_wheel_del(struct kt_wheel *w, struct kt_timer *t)
{
	struct kt_hnode *n = &t->node;
	uintptr_t off = (uintptr_t)n->pprev - (uintptr_t)&w->slot[0][0];

	/* The last timer of a slot leaves it empty: clear its bit. */
	if (n->next == NULL && off < sizeof(w->slot)) {
		unsigned i = (unsigned)(off / sizeof(struct kt_hlist));

		w->occupied[i / KT_WHEEL_SLOTS] &= ~(1u << (i % KT_WHEEL_SLOTS));
	}
	kt_hnode_remove(n);
}

/* Move a slot's timers onto a local list the callbacks may edit. */
static void detach(struct kt_hlist *from, struct kt_hlist *to)
{
	to->first = from->first;
	from->first = NULL;
	if (to->first != NULL)
		to->first->pprev = &to->first;
}

static void fire(struct kt_hlist *list, void (*expire)(struct kt_timer *))
{
	struct kt_hlist batch;

	detach(list, &batch);
	while (batch.first != NULL) {
		struct kt_hnode *n = batch.first;

		kt_hnode_remove(n);
		expire(kt_container_of(n, struct kt_timer, node));
	}
}

static void cascade(struct kt_wheel *w)
{
	for (unsigned l = 1; l < KT_WHEEL_LEVELS; l++) {
		unsigned s = kt_wheel_slot(w->now, l);
		struct kt_hlist batch;

		if (w->occupied[l] & (1u << s)) {
			w->occupied[l] &= ~(1u << s);
			detach(&w->slot[l][s], &batch);
			while (batch.first != NULL) {
				struct kt_hnode *n = batch.first;
				struct kt_timer *t = kt_container_of(n, struct kt_timer,
								     node);

				kt_hnode_remove(n);
				place(w, t, t->expires - w->now);
			}
		}
		if (s != 0)
			break;
	}
}

static inline uint32_t ror32(uint32_t x, unsigned n)
{
	n &= 31u;
	return n != 0 ? x >> n | x << (32u - n) : x;
}

/*
 * With nothing in the rest of level 0's rotation, the lowest occupied
 * level l has no work before its next boundary (a multiple of 2^(5l),
 * where its slots cascade; the higher levels' boundaries are multiples of
 * it), and the levels below it none at all: a lower bound of the next
 * tick with work, never 0 unless something is due.  O(levels) and no
 * division or search: kt_wheel_advance() jumps boundary by boundary
 * (at most 32 jumps a level before a slot cascades), the tick's next kick
 * is at the same place.
 */
kt_tick_t kt_wheel_soon(const struct kt_wheel *w)
{
	uint32_t i0 = w->now & (KT_WHEEL_SLOTS - 1);
	uint32_t ahead = i0 == 31u ? 0 : w->occupied[0] >> (i0 + 1u);
	unsigned l = 0;
	kt_tick_t span;

	if (w->due.first != NULL)
		return 0;
	if (ahead != 0)
		return ctz32(ahead) + 1u;
	while (w->occupied[l] == 0)
		if (++l == KT_WHEEL_LEVELS)
			return KT_FOREVER;
	span = (kt_tick_t)1 << (l != 0 ? l * KT_WHEEL_BITS : KT_WHEEL_BITS);
	return span - (w->now & (span - 1u));
}

/*
 * A cascade is no work by itself: kt_wheel_advance() passes it on its way,
 * so tickless idle may sleep through it to the first expiry.  At every
 * level the timers of the first occupied slot after the level's index
 * expire before those of the level's other slots (a level's timers are 1
 * to 32 of its slots ahead of now, 1 to 4 on level 6), so only that slot
 * is looked into, on each occupied level.
 */
kt_tick_t kt_wheel_next_expiry(const struct kt_wheel *w)
{
	kt_tick_t best = KT_FOREVER;

	if (w->due.first != NULL)
		return 0;
	for (unsigned l = 0; l < KT_WHEEL_LEVELS; l++) {
		uint32_t occ = w->occupied[l],
			 next = (w->now >> (l * KT_WHEEL_BITS)) + 1u;
		const struct kt_hnode *n;

		if (occ == 0)
			continue;
		n = w->slot[l][(ctz32(ror32(occ, next)) + next) & 31u].first;
		for (; n != NULL; n = n->next) {
			kt_tick_t d = kt_container_of(n, struct kt_timer, node)->expires -
				      w->now;

			if (d < best)
				best = d;
		}
	}
	return best;
}

void kt_wheel_advance(struct kt_wheel *w, kt_tick_t to,
		      void (*expire)(struct kt_timer *t))
{
	if (w->due.first != NULL)
		fire(&w->due, expire);
	while (w->now != to) {
		/* Jump to the next tick that may have work. */
		kt_tick_t d = kt_wheel_soon(w), left = to - w->now;
		uint32_t idx;

		if (d > left) {
			w->now = to;
			break;
		}
		w->now += d;
		if ((w->now & (KT_WHEEL_SLOTS - 1)) == 0)
			cascade(w);
		idx = w->now & (KT_WHEEL_SLOTS - 1);
		if (w->occupied[0] & (1u << idx)) {
			w->occupied[0] &= ~(1u << idx);
			fire(&w->slot[0][idx], expire);
		}
	}
}

/* ---- soft timers on the kernel's wheel --------------------------------- */

static void timer_expire(struct kt_timer *t)
{
	if (t->period != 0) {
		/* Re-arm from the expiry, not from now: no drift. */
		t->expires += t->period;
		kt_wheel_add(&kt_k.wheel, t);
	}
	t->fn(t->arg);
}

void kt_timer_service(void)
{
	if (KT_TRACE) {
		kt_tick_t n = kt_k.ticks - kt_k.wheel.now;

		if (n != 0)
			kt_trace_rec(KT_TR_TICK, 0,
				     n > 0xffff ? 0xffff : (uint16_t)n);
		kt_k.waker = KT_TR_BY_TIMER;
	}
	kt_wheel_advance(&kt_k.wheel, kt_k.ticks, timer_expire);
	if (KT_TRACE)
		kt_k.waker = KT_WAKER_SELF;
	kt_timer_due(kt_wheel_soon(&kt_k.wheel));
}

/*
 * The wheel's next work is delta ticks after its now: where the tick
 * kicks the scheduler next.  Then the tick count is looked at again, as
 * the tick may have reached the new value before it was written (or a
 * callback left a timer due).
 */
void kt_timer_due(kt_tick_t delta)
{
	kt_k.next_due = kt_k.wheel.now + (delta < KT_DUE_MAX ? delta : KT_DUE_MAX);
	if (!kt_tick_before(kt_k.ticks, kt_k.next_due) ||
	    kt_wheel_has_due(&kt_k.wheel))
		kt_kick();
}

void kt_timer_init(struct kt_timer *t, void (*fn)(void *), void *arg)
{
	kt_hnode_init(&t->node);
	t->expires = 0;
	t->period = 0;
	t->fn = fn;
	t->arg = arg;
}

void kt_timer_start_at(struct kt_timer *t, kt_tick_t expires, kt_tick_t period)
{
	kt_tick_t first;

	t->expires = expires;
	t->period = period;
	/*
	 * Its first work (the cascade of its slot, or its expiry) sooner than
	 * the tick's next kick: bring that forward.  The cascade too, so that
	 * the wheel's work at each tick does not depend on how long it lagged.
	 */
	first = kt_wheel_add(&kt_k.wheel, t);
	if (kt_tick_before(first, kt_k.next_due))
		kt_timer_due(first - kt_k.wheel.now);
}

int kt_timer_start(struct kt_timer *t, kt_tick_t delay, kt_tick_t period)
{
	if (t == NULL || t->fn == NULL || delay > KT_DELAY_MAX || period > KT_DELAY_MAX)
		return -EINVAL;
	if (port_in_isr())
		return -EPERM; /* the wheel is thread-mode only */
	if (kt_hnode_linked(&t->node))
		return -EBUSY;
	kt_timer_start_at(t, kt_now() + delay, period);
	return 0;
}

int kt_timer_stop(struct kt_timer *t)
{
	if (t == NULL)
		return -EINVAL;
	if (port_in_isr())
		return -EPERM;
	if (!kt_hnode_linked(&t->node))
		return -EALREADY;
	kt_wheel_del(&kt_k.wheel, t);
	return 0;
}

bool kt_timer_active(const struct kt_timer *t)
{
	return t != NULL && kt_hnode_linked(&t->node);
}
