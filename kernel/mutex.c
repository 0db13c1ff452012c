/*
 * Mutexes: an owner, a priority-ordered waiter list, and the owner's list
 * of what it holds.  The rules are in kettle.h; here is how they hold.
 *
 * Priority inheritance: a task's effective priority is the highest of its
 * base priority and the first waiter of each mutex it holds (waiter lists
 * are sorted, so that is one look per held mutex).  Whenever a waiter
 * arrives, leaves or is handed the mutex, the owner's priority is
 * recomputed; when the owner itself waits on another mutex its place in
 * that list moves and the change carries on to that mutex's owner, and so
 * on along the chain.
 *
 * Deadlock detection follows the same chain before the caller blocks: a
 * cycle can only be closed by the task about to block, so finding the
 * caller on the chain is exactly the deadlock.  Chains are as long as the
 * number of tasks involved; everything else is O(1) except the sorted
 * insertion (O(waiters)) and the recomputation (O(mutexes held)).
 *
 * Tasks only: an interrupt handler that calls in gets -EPERM.
 */
#include "kernel.h"
#include "port.h"

static struct kt_mutex *mutex_of(struct kt_list *n)
{
	return kt_container_of(n, struct kt_mutex, held);
}

static unsigned top_waiter_prio(const struct kt_mutex *m)
{
	struct kt_waiter *w = kt_waiter_first((struct kt_list *)&m->waiters);

	return w != NULL ? w->task->prio : 0;
}

static unsigned inherited_prio(const struct kt_task *t)
{
	unsigned p = t->base_prio;
	struct kt_list *n;

	kt_list_for_each (n, &t->held) {
		unsigned q = top_waiter_prio(mutex_of(n));

		if (q > p)
			p = q;
	}
	return p;
}

/* Sorted by priority, FIFO within one. */
static void insert_waiter(struct kt_mutex *m, struct kt_waiter *w)
{
	struct kt_list *n;

	kt_list_for_each (n, &m->waiters)
		if (kt_waiter_of(n)->task->prio < w->task->prio)
			break;
	kt_list_insert_before(n, &w->link);
}

/* Recompute t's priority and carry the change along the chain it waits in. */
static void update_chain(struct kt_task *t)
{
	while (t != NULL) {
		unsigned p = inherited_prio(t);
		struct kt_mutex *next;

		if (p == t->prio)
			return;
		kt_set_prio(t, p);
		if (t->state != KT_BLOCKED || t->wait != KT_WAIT_MUTEX)
			return;
		next = (struct kt_mutex *)t->wait_obj;
		kt_list_remove(&t->w.link);
		insert_waiter(next, &t->w);
		t = next->owner;
	}
}

static void waiter_left(struct kt_mutex *m);
static void release_all(struct kt_task *t);

KT_INLINE void take(struct kt_mutex *m, struct kt_task *t)
{
	m->owner = t;
	kt_list_push_back(&t->held, &m->held);
	/* The core reaches this module only through these: see kernel.h. */
	if (kt_k.mutex_release_all == NULL) {
		kt_k.mutex_waiter_left = waiter_left;
		kt_k.mutex_release_all = release_all;
	}
}

void kt_mutex_init(struct kt_mutex *m)
{
	m->owner = NULL;
	kt_list_init(&m->waiters);
	kt_list_init(&m->held);
	m->owner_died = 0;
}

struct kt_task *kt_mutex_owner(const struct kt_mutex *m)
{
	return m != NULL ? m->owner : NULL;
}

/*
 * Free: take it, learning whether the last owner died holding it.  A free
 * mutex has no waiters, so taking it lifts nobody.
 */
KT_INLINE int take_free(struct kt_mutex *m, struct kt_task *cur)
{
	take(m, cur);
	if (m->owner_died) {
		m->owner_died = 0;
		return -EOWNERDEAD;
	}
	return 0;
}

static bool closes_cycle(const struct kt_mutex *m, const struct kt_task *cur)
{
	for (const struct kt_task *o = m->owner; o != NULL;) {
		if (o == cur)
			return true;
		if (o->state != KT_BLOCKED || o->wait != KT_WAIT_MUTEX)
			return false;
		o = ((const struct kt_mutex *)o->wait_obj)->owner;
	}
	return false;
}

/*
 * The mutex has an owner: wait for it.  Out of line, so that the free
 * lock saves no registers for it.
 */
static __attribute__((noinline)) int lock_wait(struct kt_mutex *m,
					       struct kt_task *cur, kt_tick_t timeout)
{
	int err;

	if (closes_cycle(m, cur))
		return -EDEADLK;
	err = kt_block_check(timeout);
	if (err != 0)
		return err;
	insert_waiter(m, &cur->w);
	update_chain(m->owner);
	/* Woken with the mutex handed over (0 or -EOWNERDEAD), or not. */
	return kt_block_now(timeout, KT_WAIT_MUTEX, m);
}

int kt_mutex_lock(struct kt_mutex *m, kt_tick_t timeout)
{
	struct kt_task *cur = kt_k.cur;

	if (m == NULL || kt_list_uninit(&m->waiters))
		return -EINVAL;
	if (timeout + 1u > KT_DELAY_MAX + 1u)
		return -EINVAL; /* as kt_wait_args: see there */
	if (cur == &kt_k.sched || port_in_isr())
		return -EPERM;
	if (m->owner == NULL)
		return take_free(m, cur);
	return lock_wait(m, cur, timeout);
}

int kt_mutex_trylock(struct kt_mutex *m)
{
	struct kt_task *cur = kt_running();

	if (m == NULL || kt_list_uninit(&m->waiters))
		return -EINVAL;
	if (cur == NULL || port_in_isr())
		return -EPERM;
	if (m->owner == cur)
		return -EDEADLK;
	if (m->owner != NULL)
		return -EBUSY;
	return take_free(m, cur);
}

/* Give m from its owner to the first waiter, who wakes with result. */
static void hand_over(struct kt_mutex *m, int result)
{
	struct kt_task *old = m->owner;
	struct kt_waiter *w = kt_waiter_first(&m->waiters);

	if (old == NULL)
		return; /* callers hold it: cannot happen, and costs nothing */
	kt_list_remove(&m->held);
	m->owner = NULL;
	if (w != NULL) {
		if (KT_TRACE)
			kt_trace_rec(KT_TR_HANDOFF, w->task->id, old->id);
		take(m, w->task);
		kt_wake(w->task, result);
		update_chain(w->task);
	} else if (result == -EOWNERDEAD) {
		m->owner_died = 1;
	}
	/* Only a lifted owner can drop: the common unlock stops here. */
	if (old->prio != old->base_prio && old->state != KT_DONE)
		update_chain(old);
}

int kt_mutex_unlock(struct kt_mutex *m)
{
	struct kt_task *owner;

	if (m == NULL || kt_list_uninit(&m->waiters))
		return -EINVAL;
	/* An owner is a task: never the scheduler's context kt_k.cur may be. */
	owner = m->owner;
	if (owner == NULL || owner != kt_k.cur || port_in_isr())
		return -EPERM;
	if (kt_list_empty(&m->waiters) && owner->prio == owner->base_prio) {
		/* Nobody to hand it to, nobody lifted: the common unlock. */
		kt_list_remove(&m->held);
		m->owner = NULL;
		return 0;
	}
	hand_over(m, 0);
	return 0;
}

/* A waiter left (timeout, cancel): the owner may be lifted less. */
static void waiter_left(struct kt_mutex *m)
{
	update_chain(m->owner);
}

/* A task ends: its mutexes go to their next owners, who learn of it. */
static void release_all(struct kt_task *t)
{
	while (!kt_list_empty(&t->held))
		hand_over(mutex_of(t->held.next), -EOWNERDEAD);
}
