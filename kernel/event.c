/*
 * Events (asyncio.Event): a flag that tasks wait for.
 *
 * kt_event_set() wakes every waiter at once.  kt_event_set_isr() only sets
 * the flag and posts the event's work item, which is lock-free and
 * idempotent; the scheduler then wakes the waiters in thread mode.  A task
 * that checks the flag and then blocks cannot miss a set from an interrupt
 * between the two: the work item runs only after the task has gone to
 * sleep on the waiter list.
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
	return __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE);
}

/* Wake the waiters that blocked before the latest set. */
static void wake_earlier(struct kt_event *e)
{
	uintptr_t seq = seq_of(e);
	struct kt_list batch;

	kt_list_init(&batch);
	if (!kt_list_empty(&e->waiters)) {
		/* Splice the waiters into batch; those who stay go back. */
		batch.next = e->waiters.next;
		batch.prev = e->waiters.prev;
		batch.next->prev = &batch;
		batch.prev->next = &batch;
		kt_list_init(&e->waiters);
	}
	while (!kt_list_empty(&batch)) {
		struct kt_waiter *w = kt_waiter_of(batch.next);

		if ((uintptr_t)w->data != seq) {
			kt_waiter_fire(w); /* unlinks it */
		} else {
			kt_list_remove(&w->link);
			kt_list_push_back(&e->waiters, &w->link);
		}
	}
}

static void event_fire(void *arg)
{
	wake_earlier(arg);
}

void kt_event_init(struct kt_event *e)
{
	kt_work_init(&e->work, event_fire, e);
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
	e->set = 1;
	__atomic_fetch_add(&e->seq, 1u, __ATOMIC_RELEASE);
	wake_earlier(e);
	return 0;
}

int kt_event_set_isr(struct kt_event *e)
{
	if (e == NULL || e->work.fn == NULL)
		return -EINVAL;
	e->set = 1;
	__atomic_fetch_add(&e->seq, 1u, __ATOMIC_RELEASE);
	kt_call_soon(&e->work);
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

	if (e == NULL || kt_list_uninit(&e->waiters))
		return -EINVAL;
	seq = seq_of(e); /* before the flag: a set in between shows in it */
	if (e->set)
		return 0;
	if (kt_running() != NULL)
		kt_running()->w.data = (void *)seq;
	return kt_block(&e->waiters, timeout, KT_WAIT_EVENT, e);
}
