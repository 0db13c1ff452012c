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
 * scheduler runs on the stack of whoever called kt_run() (main): it runs
 * posted callbacks, advances the timer wheel (running soft-timer
 * callbacks), and sleeps when nothing is ready.  A task that gives up the
 * CPU switches directly to the next ready task unless the scheduler has
 * such work (the common case, and the one kt_yield is tuned for).  So
 * callbacks never run on a task's stack, and the stack a task needs is
 * its own calls plus one interrupt frame and the kernel's own calls.
 *
 * Interrupts reach tasks through completions: an interrupt handler marks
 * a kernel object (an event set, a semaphore unit, a queue item) with a
 * lock-free push of the object's work item onto one list, idempotent
 * through the item's "pending" flag set by atomic exchange.  Whoever
 * reaches the next scheduling point - most often the interrupted task
 * itself, giving up the CPU - takes the list whole and readies the
 * waiters, then switches once, straight to the task that should run.
 * Callbacks (kt_call_soon) go on a second list that only the scheduler
 * runs.  A tick only counts, unless the wheel has work at it (next_due).
 * Kernel lists are only ever touched in thread mode: no interrupt masking.
 */
#include <string.h>

#include "kernel.h"
#include "port.h"

struct kt_kernel kt_k;

/* ---- ready queues ------------------------------------------------------ */

/*
 * Each priority's ready tasks form a ring through their w.link.next, and
 * kt_k.ready[p] points at the last: the first is the one after it.  So
 * queueing at either end and taking the first are a few stores, and a
 * yield that rotates the ring by one is too.  Taking a task out of the
 * middle (a ready task's priority changes, a task fails) walks the ring:
 * O(ready tasks of that priority).  A task out of the rings has its link
 * to itself, as a removed list node does.
 */
static inline struct kt_task *ring_next(const struct kt_task *t)
{
	return kt_task_of(t->w.link.next);
}

/* Queue t first in line at its priority. */
static void ready_front(struct kt_task *t)
{
	unsigned p = t->prio;
	struct kt_task *last = kt_k.ready[p];

	if (last == NULL) {
		kt_ready(t);
		return;
	}
	t->w.link.next = last->w.link.next;
	last->w.link.next = &t->w.link;
}

static void ready_remove(struct kt_task *t)
{
	unsigned p = t->prio;
	struct kt_task *last = kt_k.ready[p], *prev = last;

	while (ring_next(prev) != t)
		prev = ring_next(prev);
	prev->w.link.next = t->w.link.next;
	if (t == last)
		kt_k.ready[p] = prev != t ? prev : NULL;
	if (kt_k.ready[p] == NULL)
		kt_k.ready_bits &= ~(1u << p);
	kt_list_init(&t->w.link);
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

/* Take the first ready task of the highest priority, NULL when none. */
static struct kt_task *ready_pop(void)
{
	uint32_t bits = kt_k.ready_bits;
	unsigned p;
	struct kt_task *last, *first;

	if (bits == 0)
		return NULL;
	p = 31u - (unsigned)__builtin_clz(bits);
	last = kt_k.ready[p];
	first = ring_next(last);
	if (first == last) {
		kt_k.ready[p] = NULL;
		kt_k.ready_bits = bits & ~(1u << p);
	} else {
		last->w.link.next = first->w.link.next;
	}
	kt_list_init(&first->w.link);
	return first;
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

	kt_drain_pending();
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

	/* The caller's kt_wait_args(): blocking ones are tasks, in range. */
	if (port_in_isr())
		return -ETIMEDOUT; /* KT_NOWAIT, then */
	if (cur->state != KT_RUNNING)
		return -EPERM; /* ending: a done callback */
	if ((cur->flags & KT_F_CANCEL) && cur->shield == 0) {
		/* never on the scheduler: its flags stay 0 */
		cur->flags &= (uint8_t)~KT_F_CANCEL;
		return -ECANCELED;
	}
	return timeout == KT_NOWAIT ? -ETIMEDOUT : 0;
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
	/* A cancel that woke it is seen now: the next one is a new one. */
	if (cur->flags & KT_F_INFLIGHT)
		cur->flags &= (uint8_t)~KT_F_INFLIGHT;
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

int kt_block(struct kt_list *q, kt_tick_t timeout, enum kt_wait why, const void *obj)
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

/* Who a wake is for, in the trace: a cancel, an interrupt, a task. */
static uint16_t woken_by(int result)
{
	if (result == -ECANCELED)
		return KT_TR_BY_CANCEL;
	if (kt_k.waker != KT_WAKER_SELF)
		return kt_k.waker;
	return KT_TR_BY_TASK | (kt_k.cur != &kt_k.sched ? kt_k.cur->id : 0);
}

void kt_wake(struct kt_task *t, int result)
{
	if (t->state != KT_BLOCKED)
		return;
	/* Unlinked nodes link to themselves: removing one changes nothing. */
	kt_list_remove(&t->w.link);
	for (unsigned i = 0; i < t->nmany; i++)
		kt_list_remove(&t->many[i].link);
	if (kt_hnode_linked(&t->timer.node))
		kt_wheel_del(&kt_k.wheel, &t->timer);
	if (KT_TRACE)
		kt_trace_rec(KT_TR_WAKE, t->id, woken_by(result));
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

/* kt_yield when a completion, the scheduler or a higher priority waits. */
static __attribute__((noinline)) void yield_slow(struct kt_task *cur)
{
	kt_drain_pending();
	cur->state = KT_READY;
	kt_ready(cur);
	switch_to(cur, kt_k.pending == 0 ? ready_pop() : &kt_k.sched);
}

void kt_yield(void)
{
	struct kt_task *cur = kt_k.cur, *next, *last;
	uint32_t above;

	if (cur == &kt_k.sched || port_in_isr())
		return; /* not a task: nothing to give up */
	above = kt_k.ready_bits >> cur->prio;
	if ((kt_k.pending | (uintptr_t)kt_k.done_head) != 0 || above > 1u) {
		yield_slow(cur);
		return;
	}
	if (above == 0)
		return; /* nobody of this priority or higher is ready */
	/*
	 * The common case, on the fast path: only tasks of the caller's own
	 * priority are ready and the scheduler has nothing to do.  Rotate
	 * the ring: the first of them runs and the caller is queued last.
	 */
	last = kt_k.ready[cur->prio];
	next = ring_next(last);
	cur->w.link.next = next == last ? &cur->w.link : next->w.link.next;
	last->w.link.next = &cur->w.link;
	kt_k.ready[cur->prio] = cur;
	kt_list_init(&next->w.link);
	cur->state = KT_READY;
	next->state = KT_RUNNING;
	if (KT_STATS)
		next->runs++;
	if (KT_TRACE)
		kt_trace_rec(KT_TR_SWITCH, next->id, switch_arg(cur));
	if (KT_STATS)
		kt_k.slice = 0;
	kt_k.cur = next;
	port_switch(cur, next);
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
		ready_front(next);
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

/*
 * Push w onto *head unless it is pending already: lock-free, any context.
 * kettle runs on one core, which sees its own loads and stores in program
 * order, interrupts included: the atomics need no barrier instructions,
 * only the compiler's (relaxed order and signal fences).
 */
static bool post(struct kt_work **head, struct kt_work *w)
{
	struct kt_work *old;

	/* Bits 8 up carry the interrupt that posted it, for traces. */
	if (__atomic_exchange_n(&w->pending, KT_TRACE ? 1u | kt_trace_irq << 8 : 1u,
				__ATOMIC_RELAXED) != 0)
		return false;
	old = *head;
	do {
		w->next = old;
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	} while (!__atomic_compare_exchange_n(head, &old, w, true,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return true;
}

bool kt_call_soon(struct kt_work *w)
{
	if (!post(&kt_k.work_head, w))
		return false;
	kt_kick();
	return true;
}

void kt_complete(struct kt_work *w)
{
	post(&kt_k.done_head, w);
}

/*
 * Take everything posted on *head so far and run it, oldest first; later
 * posts wait for the next round, so a function that re-posts its item
 * cannot keep the caller here.
 */
static void run_posted(struct kt_work **head)
{
	struct kt_work *w = __atomic_exchange_n(head, NULL, __ATOMIC_RELAXED);
	struct kt_work *fifo = NULL;

	__atomic_signal_fence(__ATOMIC_SEQ_CST);

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
			uint32_t pending = __atomic_load_n(&fifo->pending,
							   __ATOMIC_RELAXED);
			uint32_t src = pending >> 8;

			if (src != 0)
				kt_k.waker = (uint16_t)(KT_TR_BY_IRQ | (src - 1));
			else
				kt_k.waker = KT_TR_BY_TASK;
		}
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		fifo->pending = 0;
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		fifo->fn(fifo->arg);
		fifo = next;
	}
	if (KT_TRACE)
		kt_k.waker = KT_WAKER_SELF;
}

void kt_drain(void)
{
	run_posted(&kt_k.done_head);
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

/*
 * The tick kicks the scheduler only when the wheel has work at it:
 * next_due is written in thread mode, which looks at the tick count again
 * after each write (kt_timer_due), so one side or the other always sees
 * that a tick reached it.
 */
void kt_tick_isr(void)
{
	kt_tick_announce(1);
}

void kt_tick_announce(kt_tick_t n)
{
	/* The only writer of both words: plain stores are enough. */
	kt_tick_t old = kt_k.ticks, t = old + n;

	if (t < old)
		kt_k.ticks_hi = kt_k.ticks_hi + 1; /* wrapped */
	kt_k.ticks = t;
	account(n);
	if (!kt_tick_before(t, kt_k.next_due))
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

/*
 * Ticks from *base to the first expiry (KT_FOREVER with no timer), for
 * the idle path, with *base the wheel's now.  The wheel catches up with
 * the tick count first, when it may: with the tick short of next_due
 * nothing fires or cascades on the way.  Interrupts on: a tick that comes
 * meanwhile is taken off by until(), from the tick count read masked.
 */
static kt_tick_t idle_budget_from(kt_tick_t *base)
{
	kt_tick_t now = kt_k.ticks;

	if (kt_tick_before(now, kt_k.next_due))
		kt_k.wheel.now = now;
	*base = kt_k.wheel.now;
	return kt_wheel_next_expiry(&kt_k.wheel);
}

/* What is left now of a budget counted from base. */
static kt_tick_t until(kt_tick_t budget, kt_tick_t base)
{
	kt_tick_t gone = kt_k.ticks - base;

	if (budget == KT_FOREVER)
		return KT_FOREVER;
	return budget > gone ? budget - gone : 0;
}

kt_tick_t kt_idle_budget(void)
{
	kt_tick_t base, budget;

	if (work_pending() || kt_k.done_head != NULL)
		return 0;
	budget = idle_budget_from(&base);
	return until(budget, base);
}

/* ---- the loop --------------------------------------------------------- */

static void forget(struct kt_work *w)
{
	for (struct kt_work *n; w != NULL; w = n) {
		n = w->next;
		__atomic_store_n(&w->pending, 0u, __ATOMIC_RELAXED);
	}
}

/*
 * With interrupts masked: the tick may already run (board_init starts it,
 * and the reset handler has called this once before), and it must never
 * see the kernel half reset - kt_k.cur NULL, say.
 */
void kt_init(kt_tick_t start)
{
	uint32_t s = port_irq_save();

	/* Forget the tasks of a previous run (tests re-initialise often). */
	for (struct kt_task *t = kt_k.all_first, *n; t != NULL; t = n) {
		n = t->next_all;
		t->state = KT_UNUSED;
		t->id = 0;
		t->next_all = NULL;
	}
	/* Posted work is dropped, but can be posted again. */
	forget(kt_k.done_head);
	forget(kt_k.work_head);
	memset(&kt_k, 0, sizeof(kt_k));
	kt_k.cur = &kt_k.sched;
	kt_k.ticks = start;
	kt_k.start = start;
	kt_k.next_due = start + KT_DUE_MAX;
	kt_k.waker = KT_WAKER_SELF;
#if KT_STATS
	kt_k.hog_limit = KT_FOREVER;
	kt_k.hog_work.fn = hog_found;
#endif
	kt_k.sched.name = "scheduler";
	kt_k.sched.state = KT_RUNNING;
	kt_list_init(&kt_k.sched.w.link);
	kt_list_init(&kt_k.sched.joiners);
	kt_k.wheel.now = start; /* and every slot empty: zeroed above */
	port_irq_restore(s);
}

/* Nothing for the scheduler or a task to do. */
static bool idle(void)
{
	return !work_pending() && kt_k.done_head == NULL && kt_k.ready_bits == 0;
}

void kt_run_until_idle(void)
{
	for (;;) {
		struct kt_task *next;

		kt_k.pending = 0; /* before looking: a later kick is seen */
		kt_drain_pending();
		run_posted(&kt_k.work_head);
		/* The wheel only when the tick reached next_due or a timer is due. */
		if (!kt_tick_before(kt_k.ticks, kt_k.next_due) ||
		    kt_wheel_has_due(&kt_k.wheel))
			kt_timer_service();
		next = ready_pop();
		if (next != NULL)
			switch_to(&kt_k.sched, next);
		else if (idle())
			return;
	}
}

void kt_run(void)
{
	for (;;) {
		uint32_t s;
		kt_tick_t budget = 0, base = 0;

		kt_run_until_idle();
		/*
		 * The budget with interrupts on: it walks timers, and only the
		 * scheduler changes the wheel.  A post after this look shows in
		 * pending or done_head, looked at again below; a tick, in the
		 * tick count until() reads.
		 */
		if (KT_TICKLESS)
			budget = idle_budget_from(&base);
		s = port_irq_save();
		/* Masked from the check to the sleep: a kick in between wakes it. */
		if (idle()) {
			if (KT_TICKLESS)
				port_idle_ticks(until(budget, base));
			else
				port_idle();
		}
		port_irq_restore(s);
	}
}
