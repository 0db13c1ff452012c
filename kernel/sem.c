/*
 * Counting semaphores.
 *
 * The count is two counters: units given from interrupts (given, which
 * only interrupt handlers write, with exclusive loads and stores, as they
 * may nest) less units taken by tasks net of their gives (taken, which
 * only thread mode writes, with plain loads and stores).  A task's take
 * or give therefore needs no atomic operation: it changes taken first and
 * then looks whether the count left is in range, undoing the change when
 * it is not.  An interrupt that comes in between sees the changed count,
 * so the unit goes to exactly one of them.  An interrupt's give or take
 * checks the range and changes given in one exclusive access.
 *
 * A give from a task with waiters hands its unit straight to the first
 * waiter and leaves the count alone; a give from an interrupt adds to the
 * count and marks the semaphore's completion, which then hands units to
 * waiters in thread mode at the next scheduling point.
 */
#include "kernel.h"
#include "port.h"

static inline int32_t count_of(const struct kt_sem *s)
{
	return (int32_t)(*(const volatile uint32_t *)&s->given - s->taken);
}

/* thread mode */
static inline bool try_take(struct kt_sem *s)
{
	*(volatile uint32_t *)&s->taken = s->taken + 1u;
	if (count_of(s) >= 0)
		return true;
	*(volatile uint32_t *)&s->taken = s->taken - 1u;
	return false;
}

/* An interrupt's give (delta 1) or take (delta -1). */
static bool isr_change(struct kt_sem *s, uint32_t delta)
{
	uint32_t g = __atomic_load_n(&s->given, __ATOMIC_RELAXED), c;

	do {
		c = g + delta - s->taken;
		if ((int32_t)c < 0 || c > s->max)
			return false;
	} while (!__atomic_compare_exchange_n(&s->given, &g, g + delta, true,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return true;
}

/* Units that arrived from interrupts go to the waiters, in order. */
static void sem_serve(void *arg)
{
	struct kt_sem *s = arg;
	struct kt_waiter *w;

	while ((w = kt_waiter_first(&s->waiters)) != NULL && try_take(s))
		kt_waiter_fire(w);
}

int kt_sem_init(struct kt_sem *s, uint32_t initial, uint32_t max)
{
	if (s == NULL || max == 0 || initial > max || max > INT32_MAX)
		return -EINVAL;
	kt_work_init(&s->work, sem_serve, s);
	s->given = initial;
	s->taken = 0;
	s->max = max;
	kt_list_init(&s->waiters);
	return 0;
}

int kt_sem_give(struct kt_sem *s)
{
	struct kt_waiter *w;

	if (s == NULL || kt_list_uninit(&s->waiters))
		return -EINVAL;
	if (port_in_isr())
		return -EPERM; /* kt_sem_give_isr is the interrupt's */
	w = kt_waiter_first(&s->waiters);
	if (w != NULL && count_of(s) == 0) {
		kt_waiter_fire(w);
		return 0;
	}
	/* Units from interrupts may still be on their way: queue behind them. */
	*(volatile uint32_t *)&s->taken = s->taken - 1u;
	if ((uint32_t)count_of(s) > s->max) {
		*(volatile uint32_t *)&s->taken = s->taken + 1u;
		return -EOVERFLOW;
	}
	if (w != NULL)
		kt_complete(&s->work);
	return 0;
}

int kt_sem_give_isr(struct kt_sem *s)
{
	if (s == NULL || kt_list_uninit(&s->waiters))
		return -EINVAL;
	if (!port_in_isr())
		return kt_sem_give(s);
	if (!isr_change(s, 1u))
		return -EOVERFLOW;
	kt_complete(&s->work);
	return 0;
}

int kt_sem_take(struct kt_sem *s, kt_tick_t timeout)
{
	int err;

	if (s == NULL || kt_list_uninit(&s->waiters))
		return -EINVAL;
	err = kt_wait_args(timeout);
	if (err != 0)
		return err;
	if (port_in_isr())
		return isr_change(s, (uint32_t)-1) ? 0 : -ETIMEDOUT;
	/* Waiters first: a unit on its way to them is theirs (FIFO). */
	if (kt_list_empty(&s->waiters) && try_take(s))
		return 0;
	return kt_block(&s->waiters, timeout, KT_WAIT_SEM, s);
}

int kt_sem_abort(struct kt_sem *s, int err)
{
	struct kt_waiter *w;
	int n = 0;

	if (s == NULL || kt_list_uninit(&s->waiters) || err >= 0)
		return -EINVAL;
	if (port_in_isr())
		return -EPERM;
	while ((w = kt_waiter_first(&s->waiters)) != NULL) {
		kt_wake(w->task, err); /* leaves every list it was on */
		n++;
	}
	return n;
}

uint32_t kt_sem_count(const struct kt_sem *s)
{
	int32_t c = s != NULL ? count_of(s) : 0;

	return c > 0 ? (uint32_t)c : 0;
}
