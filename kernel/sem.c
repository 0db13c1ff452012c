/*
 * Counting semaphores.
 *
 * The count is only ever changed atomically, because kt_sem_give_isr adds
 * to it from interrupts.  A give from a task with waiters hands its unit
 * straight to the first waiter and leaves the count alone; a give from an
 * interrupt adds to the count and marks the semaphore's completion, which
 * then hands units to waiters in thread mode.
 */
#include "kernel.h"
#include "port.h"

static bool try_take(struct kt_sem *s)
{
	uint32_t c = __atomic_load_n(&s->count, __ATOMIC_RELAXED);

	do {
		if (c == 0)
			return false;
	} while (!__atomic_compare_exchange_n(&s->count, &c, c - 1, true,
					      __ATOMIC_ACQUIRE, __ATOMIC_RELAXED));
	return true;
}

static int add_unit(struct kt_sem *s)
{
	uint32_t c = __atomic_load_n(&s->count, __ATOMIC_RELAXED);

	do {
		if (c >= s->max)
			return -EOVERFLOW;
	} while (!__atomic_compare_exchange_n(&s->count, &c, c + 1, true,
					      __ATOMIC_RELEASE, __ATOMIC_RELAXED));
	return 0;
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
	if (s == NULL || max == 0 || initial > max)
		return -EINVAL;
	kt_work_init(&s->work, sem_serve, s);
	s->count = initial;
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
	if (w != NULL && __atomic_load_n(&s->count, __ATOMIC_RELAXED) == 0) {
		kt_waiter_fire(w);
		return 0;
	}
	/* Units from interrupts are still on their way: queue behind them. */
	if (add_unit(s) != 0)
		return -EOVERFLOW;
	if (w != NULL)
		kt_complete(&s->work);
	return 0;
}

int kt_sem_give_isr(struct kt_sem *s)
{
	if (s == NULL || kt_list_uninit(&s->waiters))
		return -EINVAL;
	if (add_unit(s) != 0)
		return -EOVERFLOW;
	kt_complete(&s->work);
	return 0;
}

int kt_sem_take(struct kt_sem *s, kt_tick_t timeout)
{
	if (s == NULL || kt_list_uninit(&s->waiters))
		return -EINVAL;
	if (try_take(s))
		return 0;
	if (timeout == KT_NOWAIT)
		return -ETIMEDOUT;
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
	return s != NULL ? __atomic_load_n(&s->count, __ATOMIC_RELAXED) : 0;
}
