/*
 * Tasks: spawning, ending, joining, sleeping, and looking at them.
 *
 * A task is a stackful coroutine on a stack its creator provides.  Spawning
 * paints the stack with a known pattern (for the high-water mark), lets the
 * port build the first frame at the top, and queues the task; it first runs
 * at the next scheduling point, in kt_task_entry().  When its function
 * returns, the return value is kept as its result, joiners wake, and the
 * task is DONE: its stack and control block belong to the caller again and
 * it may be spawned anew.  Looking at tasks is in info.c.
 */
#include <string.h>

#include "kernel.h"
#include "port.h"

KT_NO_ASAN static void paint(uint32_t *p, uintptr_t end)
{
	while ((uintptr_t)p < end)
		*p++ = KT_STACK_PAINT;
}

int kt_task_spawn(struct kt_task *t, const char *name, kt_entry_fn fn,
		  void *arg, void *stack, size_t stack_size, unsigned prio)
{
	uintptr_t lo, hi;

	if (t == NULL || fn == NULL || stack == NULL || prio >= KT_PRIO_COUNT)
		return -EINVAL;
	if (port_in_isr())
		return -EPERM;
	lo = ((uintptr_t)stack + 7u) & ~(uintptr_t)7u;
	hi = ((uintptr_t)stack + stack_size) & ~(uintptr_t)7u;
	if (hi < lo || hi - lo < KT_STACK_MIN + PORT_STACK_RESERVE)
		return -EINVAL;
	if (t->state != KT_UNUSED && t->state != KT_DONE)
		return -EBUSY;
	if (t == &kt_k.sched)
		return -EINVAL;

	/* All but its place in the task list (id and next_all, last). */
	memset(t, 0, offsetof(struct kt_task, id));
	t->name = name != NULL ? name : "?";
	t->fn = fn;
	t->arg = arg;
	t->prio = (uint8_t)prio;
	t->base_prio = (uint8_t)prio;
	t->stack = (void *)lo;
	t->stack_size = (uint32_t)(hi - lo);
	kt_list_init(&t->w.link);
	t->w.task = t;
	kt_list_init(&t->joiners);
	kt_list_init(&t->held);
	t->timer.arg = t; /* the timeout's; zeroed above, so not running */
	paint(t->stack, hi);
	port_task_init(t);

	if (t->id == 0) { /* never listed */
		t->id = kt_k.last_id < 255 ? ++kt_k.last_id : 255;
		t->next_all = NULL;
		if (kt_k.all_last != NULL)
			kt_k.all_last->next_all = t;
		else
			kt_k.all_first = t;
		kt_k.all_last = t;
	}
	t->state = KT_NEW;
	if (KT_TRACE)
		kt_trace_rec(KT_TR_SPAWN, t->id, (uint16_t)prio);
	kt_ready(t);
	return 0;
}

void kt_task_entry(void)
{
	struct kt_task *t = kt_k.cur;

	kt_task_exit(t, t->fn(t->arg));
}

void kt_task_exit(struct kt_task *t, int result)
{
	t->result = result;
	t->state = KT_DONE;
	t->flags &= (uint8_t) ~(KT_F_CANCEL | KT_F_INFLIGHT);
	if (!kt_list_empty(&t->held)) /* so mutexes were taken: the hook is set */
		kt_k.mutex_release_all(t);
	kt_wake_all(&t->joiners);
	if (t->on_done != NULL)
		t->on_done(t);
	kt_reschedule();
	__builtin_unreachable(); /* nothing switches back to a DONE task */
}

int kt_task_join(struct kt_task *t, int *result, kt_tick_t timeout)
{
	int err;

	if (t == NULL || t->state == KT_UNUSED || t == &kt_k.sched)
		return -EINVAL;
	err = kt_wait_args(timeout);
	if (err != 0)
		return err;
	if (t == kt_k.cur)
		return -EDEADLK;
	if (t->state != KT_DONE) {
		err = kt_block(&t->joiners, timeout, KT_WAIT_JOIN, t);
		if (err != 0)
			return err;
	}
	if (result != NULL)
		*result = t->result;
	return 0;
}

/* ---- cancellation and conveniences ----------------------------------- */

static bool is_task(const struct kt_task *t)
{
	return t != NULL && t != &kt_k.sched && t->state != KT_UNUSED;
}

int kt_task_cancel(struct kt_task *t)
{
	if (!is_task(t))
		return -EINVAL;
	if (t->state == KT_DONE)
		return -EALREADY;
	if (port_in_isr())
		return -EPERM;
	/* One the task has not seen yet: this one is the same (asyncio's). */
	if (t->flags & (KT_F_CANCEL | KT_F_INFLIGHT))
		return 1;
	t->flags |= KT_F_CANCEL | KT_F_CANCELLED;
	if (KT_TRACE)
		kt_trace_rec(KT_TR_CANCEL, t->id,
			     kt_self() != NULL ? kt_self()->id : 0);
	if (t->state == KT_BLOCKED && t->shield == 0) {
		t->flags = (uint8_t)((t->flags & ~KT_F_CANCEL) | KT_F_INFLIGHT);
		kt_abort(t, -ECANCELED);
	}
	return 0;
}

void kt_cancel_defer(void)
{
	struct kt_task *t = kt_self();

	if (t != NULL && t->shield < UINT8_MAX)
		t->shield++;
}

void kt_cancel_allow(void)
{
	struct kt_task *t = kt_self();

	if (t != NULL && t->shield > 0)
		t->shield--;
}

bool kt_task_cancelled(const struct kt_task *t)
{
	return is_task(t) && (t->flags & KT_F_CANCELLED) != 0;
}

int kt_task_on_done(struct kt_task *t, void (*fn)(struct kt_task *t))
{
	if (!is_task(t))
		return -EINVAL;
	if (t->state == KT_DONE)
		return -EALREADY;
	t->on_done = fn;
	return 0;
}

void *kt_task_local(void)
{
	struct kt_task *t = kt_self();

	return t != NULL ? t->local : NULL;
}

int kt_task_set_local(void *p)
{
	struct kt_task *t = kt_self();

	if (t == NULL)
		return -EPERM;
	t->local = p;
	return 0;
}

int kt_sleep(kt_tick_t ticks)
{
	int err;

	if (ticks > KT_DELAY_MAX)
		return -EINVAL;
	if (kt_running() == NULL || port_in_isr())
		return -EPERM;
	if (ticks == 0) {
		kt_yield();
		return 0;
	}
	err = kt_block(NULL, ticks, KT_WAIT_SLEEP, NULL);
	return err == -ETIMEDOUT ? 0 : err;
}

int kt_sleep_until(kt_tick_t *deadline, kt_tick_t period)
{
	kt_tick_t now = kt_now();
	int err;

	if (deadline == NULL || period > KT_DELAY_MAX)
		return -EINVAL;
	if (kt_running() == NULL || port_in_isr())
		return -EPERM;
	*deadline += period;
	if (!kt_tick_before(now, *deadline))
		return 1;
	if (*deadline - now > KT_DELAY_MAX)
		return -EINVAL; /* a deadline too far ahead of now */
	/* On the wheel at the deadline itself: a tick may have come since now. */
	err = kt_block_check(*deadline - now);
	if (err == 0)
		err = kt_block_until(*deadline, KT_WAIT_SLEEP, NULL);
	return err == -ETIMEDOUT ? 0 : err;
}

struct kt_task *kt_task_next(const struct kt_task *prev)
{
	return prev == NULL ? kt_k.all_first : prev->next_all;
}
