/*
 * Events (asyncio.Event): a flag that tasks wait for.
 *
 * kt_event_set() wakes every waiter at once.  kt_event_set_isr() only sets
 * the flag and posts the event's work item, which is lock-free and
 * idempotent; the scheduler then wakes the waiters in thread mode.  A task
 * that checks the flag and then blocks cannot miss a set from an interrupt
 * between the two: the work item runs only after the task has gone to
 * sleep on the waiter list.
 */
#include "kernel.h"

static void event_fire(void *arg)
{
	struct kt_event *e = arg;

	kt_wake_all(&e->waiters);
}

void kt_event_init(struct kt_event *e)
{
	kt_work_init(&e->work, event_fire, e);
	e->set = 0;
	kt_list_init(&e->waiters);
}

void kt_event_set(struct kt_event *e)
{
	e->set = 1;
	kt_wake_all(&e->waiters);
}

void kt_event_set_isr(struct kt_event *e)
{
	e->set = 1;
	kt_call_soon(&e->work);
}

void kt_event_clear(struct kt_event *e)
{
	e->set = 0;
}

bool kt_event_is_set(const struct kt_event *e)
{
	return e->set != 0;
}

int kt_event_wait(struct kt_event *e, kt_tick_t timeout)
{
	if (e == NULL)
		return -EINVAL;
	if (e->set)
		return 0;
	return kt_block(&e->waiters, timeout, KT_WAIT_EVENT, e);
}
