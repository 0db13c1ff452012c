/*
 * Events (asyncio.Event): a flag that tasks wait for.
 *
 * kt_event_set() wakes every waiter at once.  kt_event_set_isr() only sets
 * the flag and marks the event's completion, which is lock-free and
 * idempotent; the next scheduling point then wakes the waiters in thread
 * mode.  A task that checks the flag and then blocks cannot miss a set
 * from an interrupt between the two: the completion is taken only once
 * the task has gone to sleep on the waiter list.
 *
 * Every set also counts in seq, and a waiter notes seq (read before the
 * flag) when it blocks.  The work item wakes only waiters that noted an
 * older count: so a work item left over from a set that a task already
 * saw (through the flag) and cleared does not wake that task again later.
 */
#include "kernel.h"
#include "port.h"

static uintptr_t seq_of(const struct kt_event *e)
{
	return *(const volatile uint32_t *)&e->seq;
}

/*
 * A set: the flag, then the count.  A plain increment, though interrupts
 * set too: one that comes between the load and the store sets the same
 * number, and that is all a waiter needs, as no task can block between
 * the two sets (kettle runs on one core).
 */
static void mark_set(struct kt_event *e)
{
	e->set = 1;
	*(volatile uint32_t *)&e->seq = e->seq + 1u;
}

/*
 * Wake the waiters that blocked before the latest set.  Waiters queue in
 * the order they blocked and each noted the count then, so those that
 * noted an older count are the list's first ones.
 */
static void wake_earlier(void *arg)
{
	struct kt_event *e = arg;
	uintptr_t seq = seq_of(e);
	struct kt_waiter *w;

	while ((w = kt_waiter_first(&e->waiters)) != NULL && (uintptr_t)w->data != seq)
		kt_waiter_fire(w); /* unlinks it */
}

void kt_event_init(struct kt_event *e)
{
	kt_work_init(&e->work, wake_earlier, e);
	e->set = 0;
	e->seq = 0;
	kt_list_init(&e->waiters);
}

int kt_event_set(struct kt_event *e)
{
	if (e == NULL || kt_list_uninit(&e->waiters))
		return -EINVAL;
	if (port_in_isr())
		return -EPERM; /* kt_event_set_isr is the interrupt's */
	mark_set(e);
	wake_earlier(e);
	return 0;
}

int kt_event_set_isr(struct kt_event *e)
{
	if (e == NULL || e->work.fn == NULL)
		return -EINVAL;
	mark_set(e);
	kt_complete(&e->work);
	return 0;
}

uintptr_t kt_event_seq(const struct kt_event *e)
{
	return seq_of(e);
}

void kt_event_clear(struct kt_event *e)
{
	if (e != NULL)
		e->set = 0;
}

bool kt_event_is_set(const struct kt_event *e)
{
	return e != NULL && e->set != 0;
}

int kt_event_wait(struct kt_event *e, kt_tick_t timeout)
{
	uintptr_t seq;
	int err;

	if (e == NULL || kt_list_uninit(&e->waiters))
		return -EINVAL;
	err = kt_wait_args(timeout);
	if (err != 0)
		return err;
	seq = seq_of(e); /* before the flag: a set in between shows in it */
	if (e->set)
		return 0;
	if (kt_running() != NULL)
		kt_running()->w.data = (void *)seq;
	return kt_block(&e->waiters, timeout, KT_WAIT_EVENT, e);
}
