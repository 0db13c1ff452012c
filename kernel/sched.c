/*
 * The scheduler: ready queues, blocking and waking, posted work, the loop.
 *
 * Ready tasks sit in one FIFO list per priority and a bitmap says which
 * lists are non-empty, so picking the next task is a count-leading-zeros
 * and a list pop: O(1).  A task that yields or wakes goes to the tail of
 * its list, so a task that keeps re-readying itself takes turns with the
 * other tasks of its priority and cannot starve them.
 *
 * There are two kinds of context.  Tasks run on their own stacks.  The
 * scheduler runs on the stack of whoever called kt_run() (main): it drains
 * posted work, advances the timer wheel (running soft-timer callbacks),
 * and sleeps when nothing is ready.  A task that gives up the CPU switches
 * directly to the next ready task when there is no such bookkeeping to do
 * (the common case, and the one kt_yield is tuned for), and to the
 * scheduler otherwise.  So callbacks never run on a task's stack, and the
 * stack a task needs is its own calls plus one interrupt frame.
 *
 * Interrupts reach the scheduler only through kt_call_soon(): a lock-free
 * push of a work item onto a list that the scheduler takes whole.  An item
 * carries a "pending" flag set by atomic exchange, so posting is idempotent.
 * Kernel lists are only ever touched in thread mode: no interrupt masking.
 */
#include <string.h>

#include "kernel.h"
#include "port.h"

struct kt_kernel kt_k;

/* ---- ready queues ------------------------------------------------------ */

void kt_ready(struct kt_task *t)
{
	kt_list_push_back(&kt_k.ready[t->prio], &t->w.link);
	kt_k.ready_bits |= 1u << t->prio;
}

static void ready_remove(struct kt_task *t)
{
	kt_list_remove(&t->w.link);
	if (kt_list_empty(&kt_k.ready[t->prio]))
		kt_k.ready_bits &= ~(1u << t->prio);
}

void kt_set_prio(struct kt_task *t, unsigned prio)
{
	bool queued = (t->state == KT_READY || t->state == KT_NEW);

	if (t->prio == prio)
		return;
	if (queued)
		ready_remove(t);
	if (KT_TRACE)
		kt_trace_rec(KT_TR_PRIO, t->id, (uint16_t)prio);
	t->prio = (uint8_t)prio;
	if (queued)
		kt_ready(t);
}

static struct kt_task *ready_pop(void)
{
	uint32_t bits = kt_k.ready_bits;
	unsigned p;
	struct kt_list *n;

	if (bits == 0)
		return NULL;
	p = 31u - (unsigned)__builtin_clz(bits);
	n = kt_k.ready[p].next;
	kt_list_remove(n);
	if (kt_list_empty(&kt_k.ready[p]))
		kt_k.ready_bits = bits & ~(1u << p);
	return kt_task_of(n);
}

/* Anything for the scheduler itself: posted work, ticks, due timers. */
static inline bool work_pending(void)
{
	return kt_k.pending != 0;
}

/* Why from gives up the CPU, for the trace. */
static uint16_t switch_arg(const struct kt_task *from)
{
	unsigned why = from->state == KT_READY ? KT_TR_WHY_YIELD :
		       from->state == KT_DONE  ? KT_TR_WHY_DONE :
						 from->wait;

	return (uint16_t)(from->id | why << 8);
}

static void switch_to(struct kt_task *from, struct kt_task *to)
{
	if (to == from) {
		from->state = KT_RUNNING;
		return;
	}
	if (to != &kt_k.sched) {
		to->state = KT_RUNNING;
		if (KT_STATS)
			to->runs++;
	}
	if (KT_TRACE)
		kt_trace_rec(KT_TR_SWITCH, to->id, switch_arg(from));
	if (KT_STATS)
		kt_k.slice = 0;
	kt_k.cur = to;
	port_switch(from, to);
}

void kt_reschedule(void)
{
	struct kt_task *next = NULL;

	if (!work_pending())
		next = ready_pop();
	switch_to(kt_k.cur, next != NULL ? next : &kt_k.sched);
}

/* ---- blocking and waking ----------------------------------------------- */

static void block_timeout(void *arg)
{
	kt_abort(arg, -ETIMEDOUT);
}

int kt_block_check(kt_tick_t timeout)
{
	struct kt_task *cur = kt_k.cur;

	if (cur == &kt_k.sched || port_in_isr() || cur->state != KT_RUNNING)
		return -EPERM;
	if ((cur->flags & KT_F_CANCEL) && cur->shield == 0) {
		cur->flags &= (uint8_t)~KT_F_CANCEL;
		return -ECANCELED;
	}
	if (timeout == KT_NOWAIT)
		return -ETIMEDOUT;
	if (timeout > KT_DELAY_MAX && timeout != KT_FOREVER)
		return -EINVAL;
	return 0;
}

int kt_block_now(kt_tick_t timeout, enum kt_wait why, const void *obj)
{
	struct kt_task *cur = kt_k.cur;

	if (timeout != KT_FOREVER) {
		cur->timer.fn = block_timeout;
		cur->timer.arg = cur;
		kt_timer_start_at(&cur->timer, kt_now() + timeout, 0);
	}
	cur->state = KT_BLOCKED;
	cur->wait = (uint8_t)why;
	cur->wait_obj = obj;
	kt_reschedule();
	return cur->result;
}

int kt_block_until(kt_tick_t expires, enum kt_wait why, const void *obj)
{
	struct kt_task *cur = kt_k.cur;

	cur->timer.fn = block_timeout;
	cur->timer.arg = cur;
	kt_timer_start_at(&cur->timer, expires, 0);
	return kt_block_now(KT_FOREVER, why, obj);
}

int kt_block(struct kt_list *q, kt_tick_t timeout, enum kt_wait why,
	     const void *obj)
{
	int err = kt_block_check(timeout);

	if (err != 0)
		return err;
	if (q != NULL)
		kt_list_push_back(q, &kt_k.cur->w.link);
	return kt_block_now(timeout, why, obj);
}

void kt_abort(struct kt_task *t, int result)
{
	const void *obj = t->wait_obj;
	bool mutex = t->wait == KT_WAIT_MUTEX;

	kt_wake(t, result);
	if (mutex)
		kt_k.mutex_waiter_left((struct kt_mutex *)obj);
}

void kt_wake(struct kt_task *t, int result)
{
	if (t->state != KT_BLOCKED)
		return;
	if (kt_list_linked(&t->w.link))
		kt_list_remove(&t->w.link);
	for (unsigned i = 0; i < t->nmany; i++)
		if (kt_list_linked(&t->many[i].link))
			kt_list_remove(&t->many[i].link);
	if (kt_hnode_linked(&t->timer.node))
		kt_wheel_del(&kt_k.wheel, &t->timer);
	if (KT_TRACE)
		kt_trace_rec(KT_TR_WAKE, t->id,
			     result == -ECANCELED ? KT_TR_BY_CANCEL :
			     kt_k.cur != &kt_k.sched ? KT_TR_BY_TASK | kt_k.cur->id :
						       kt_k.waker);
	t->result = result;
	t->state = KT_READY;
	t->wait = KT_WAIT_NONE;
	t->wait_obj = NULL;
	kt_ready(t);
}

void kt_waiter_fire(struct kt_waiter *w)
{
	struct kt_task *t = w->task;

	kt_wake(t, w == &t->w ? 0 : (int)(w - t->many));
}

void kt_wake_all(struct kt_list *q)
{
	while (!kt_list_empty(q))
		kt_waiter_fire(kt_waiter_of(q->next));
}

void kt_yield(void)
{
	struct kt_task *cur = kt_k.cur, *next;
	struct kt_list *q, *n;
	uint32_t above;

	if (cur == &kt_k.sched || port_in_isr())
		return; /* not a task: nothing to give up */
	above = kt_k.ready_bits >> cur->prio;
	if (kt_k.pending == 0 && above <= 1u) {
		if (above == 0)
			return; /* nobody of this priority or higher is ready */
		/*
		 * The common case, on the fast path: only tasks of the caller's
		 * own priority are ready and the scheduler has nothing to do.
		 * Take the first of them and queue the caller behind the rest;
		 * the list stays non-empty, so the bitmap stays as it is.
		 */
		q = &kt_k.ready[cur->prio];
		n = q->next;
		kt_list_remove(n);
		kt_list_push_back(q, &cur->w.link);
		cur->state = KT_READY;
		next = kt_task_of(n);
		next->state = KT_RUNNING;
		if (KT_STATS)
			next->runs++;
		if (KT_TRACE)
			kt_trace_rec(KT_TR_SWITCH, next->id, switch_arg(cur));
		if (KT_STATS)
			kt_k.slice = 0;
		kt_k.cur = next;
		port_switch(cur, next);
		return;
	}
	cur->state = KT_READY;
	kt_ready(cur);
	kt_reschedule();
}

struct kt_task *kt_self(void)
{
	return kt_k.cur == &kt_k.sched ? NULL : kt_k.cur;
}

/* A task whose stack overflowed (port.h): called by the port only. */
void kt_task_fail(struct kt_task *t, int result)
{
	struct kt_task *next = kt_k.cur;

	if (next != t && next != &kt_k.sched) {
		/* t overflowed switching to next: next goes back, first in line */
		next->state = KT_READY;
		kt_list_insert_before(kt_k.ready[next->prio].next, &next->w.link);
		kt_k.ready_bits |= 1u << next->prio;
	}
	kt_k.cur = t;
	if (t->state == KT_DONE) {
		/* On its way out: end again, its result kept, no second callback */
		t->on_done = NULL;
		result = t->result;
	}
	if (t->state == KT_BLOCKED)
		kt_abort(t, result); /* off its wait lists and timer, ready */
	if (t->state == KT_READY)
		ready_remove(t);
	t->state = KT_RUNNING;
	kt_task_exit(t, result);
}

/* ---- posted work -------------------------------------------------------- */

void kt_work_init(struct kt_work *w, void (*fn)(void *), void *arg)
{
	w->next = NULL;
	w->pending = 0;
	w->fn = fn;
	w->arg = arg;
}

bool kt_call_soon(struct kt_work *w)
{
	struct kt_work *head;

	/* Bits 8 up carry the interrupt that posted it, for traces. */
	if (__atomic_exchange_n(&w->pending, KT_TRACE ? 1u | kt_trace_irq << 8 : 1u,
				__ATOMIC_ACQ_REL) != 0)
		return false;
	head = __atomic_load_n(&kt_k.work_head, __ATOMIC_RELAXED);
	do
		w->next = head;
	while (!__atomic_compare_exchange_n(&kt_k.work_head, &head, w, true,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED));
	kt_kick();
	return true;
}

/* Run the work posted so far, oldest first; later posts wait a round. */
static void run_work(void)
{
	struct kt_work *w = __atomic_exchange_n(&kt_k.work_head, NULL,
						__ATOMIC_ACQUIRE);
	struct kt_work *fifo = NULL;

	while (w != NULL) {
		struct kt_work *next = w->next;

		w->next = fifo;
		fifo = w;
		w = next;
	}
	while (fifo != NULL) {
		struct kt_work *next = fifo->next;

		/* Read next first: once pending is clear an ISR may re-post. */
		if (KT_TRACE) {
			uint32_t src = __atomic_load_n(&fifo->pending,
						       __ATOMIC_RELAXED) >> 8;

			kt_k.waker = src != 0 ? (uint16_t)(KT_TR_BY_IRQ | (src - 1)) :
						KT_TR_BY_TASK;
		}
		__atomic_store_n(&fifo->pending, 0u, __ATOMIC_RELEASE);
		fifo->fn(fifo->arg);
		fifo = next;
	}
}

/* ---- time ------------------------------------------------------------- */

kt_tick_t kt_now(void)
{
	return kt_k.ticks;
}

#if KT_STATS
/* The running task is past the hog limit: note it, report it later. */
static void hogging(struct kt_task *cur)
{
	if (cur == &kt_k.sched)
		return;
	kt_k.hog = cur;
	kt_k.hog_ticks = kt_k.slice;
	kt_call_soon(&kt_k.hog_work); /* reported once it yields */
}

/*
 * The tick's bookkeeping for CPU shares and the hog detector: the running
 * context's tick count, and its slice against the limit (KT_FOREVER when
 * the detector is off, so one compare decides).
 */
static inline __attribute__((always_inline)) void account(kt_tick_t n)
{
	struct kt_task *cur = kt_k.cur;

	cur->ticks += n;
	kt_k.slice += n;
	if (kt_k.slice >= kt_k.hog_limit)
		hogging(cur);
}
#else
static inline void account(kt_tick_t n)
{
	(void)n;
}
#endif

void kt_tick_isr(void)
{
	/* The only writer of both words: plain stores are enough. */
	kt_tick_t t = kt_k.ticks + 1;

	kt_k.ticks = t;
	if (t == 0)
		kt_k.ticks_hi = kt_k.ticks_hi + 1;
	account(1);
	kt_kick();
}

void kt_tick_announce(kt_tick_t n)
{
	/* The only writer of both words: plain stores are enough. */
	kt_tick_t old = kt_k.ticks, t = old + n;

	if (t < old)
		kt_k.ticks_hi = kt_k.ticks_hi + 1; /* wrapped */
	kt_k.ticks = t;
	account(n);
	kt_kick();
}

uint64_t kt_uptime64(void)
{
	uint32_t hi, lo;

	/* A wrap between the two reads shows as a changed high word. */
	do {
		hi = kt_k.ticks_hi;
		lo = kt_k.ticks;
	} while (hi != kt_k.ticks_hi);
	return ((uint64_t)hi << 32 | lo) - kt_k.start;
}

#if KT_STATS
static void hog_found(void *arg)
{
	struct kt_task *t = kt_k.hog;

	(void)arg;
	if (t == NULL)
		return;
	t->hogs++;
	kt_k.hog = NULL;
	if (kt_k.hog_report != NULL)
		kt_k.hog_report(t, kt_k.hog_ticks);
}

void kt_hog_watch(kt_tick_t limit, void (*report)(struct kt_task *t, kt_tick_t ran))
{
	kt_k.hog_report = report;
	kt_k.hog_limit = limit != 0 ? limit : KT_FOREVER;
}
#endif

kt_tick_t kt_idle_budget(void)
{
	return work_pending() ? 0 : kt_wheel_next_expiry(&kt_k.wheel);
}

/* ---- the loop --------------------------------------------------------- */

void kt_init(kt_tick_t start)
{
	/* Forget the tasks of a previous run (tests re-initialise often). */
	for (struct kt_task *t = kt_k.all_first, *n; t != NULL; t = n) {
		n = t->next_all;
		t->state = KT_UNUSED;
		t->id = 0;
		t->next_all = NULL;
	}
	/* Posted work is dropped, but can be posted again. */
	for (struct kt_work *w = kt_k.work_head, *n; w != NULL; w = n) {
		n = w->next;
		__atomic_store_n(&w->pending, 0u, __ATOMIC_RELAXED);
	}
	memset(&kt_k, 0, sizeof(kt_k));
	kt_k.cur = &kt_k.sched;
	for (unsigned p = 0; p < KT_PRIO_COUNT; p++)
		kt_list_init(&kt_k.ready[p]);
	kt_k.ticks = start;
	kt_k.start = start;
#if KT_STATS
	kt_k.hog_limit = KT_FOREVER;
	kt_k.hog_work.fn = hog_found;
#endif
	kt_k.sched.name = "scheduler";
	kt_k.sched.state = KT_RUNNING;
	kt_list_init(&kt_k.sched.w.link);
	kt_list_init(&kt_k.sched.joiners);
	kt_k.wheel.now = start; /* and every slot empty: zeroed above */
}

void kt_run_until_idle(void)
{
	for (;;) {
		struct kt_task *next;

		kt_k.pending = 0; /* before looking: a later kick is seen */
		run_work();
		/* The wheel only when the tick moved or a timer is due. */
		if (kt_k.ticks != kt_k.wheel.now || kt_wheel_has_due(&kt_k.wheel))
			kt_timer_service();
		next = ready_pop();
		if (next != NULL)
			switch_to(&kt_k.sched, next);
		else if (!work_pending())
			return;
	}
}

void kt_run(void)
{
	for (;;) {
		uint32_t s;
		kt_tick_t budget;

		kt_run_until_idle();
		/*
		 * The budget with interrupts on: it walks timers, and only the
		 * scheduler changes the wheel.  A tick or a post after this
		 * look sets pending, which is looked at again below.
		 */
		budget = KT_TICKLESS ? kt_idle_budget() : 0;
		s = port_irq_save();
		/* Masked from the check to the sleep: a kick in between wakes it. */
		if (!work_pending()) {
			if (KT_TICKLESS)
				port_idle_ticks(budget);
			else
				port_idle();
		}
		port_irq_restore(s);
	}
}
