/*
 * Kernel internals shared by the kernel's own files.  Not for applications.
 *
 * All of this is touched in thread mode only, except ticks, pending,
 * work_head and done_head, which interrupts write (plain stores from the
 * one tick interrupt and kicks, and lock-free pushes).
 */
#ifndef KT_KERNEL_H
#define KT_KERNEL_H

#include "kettle.h"
#include "port.h"
#include "wheel.h"

/*
 * For code that reads or writes a task's whole stack on purpose (painting,
 * the high-water mark): on the host, AddressSanitizer keeps the redzones of
 * a suspended or abandoned task's frames poisoned.
 */
#if defined(__SANITIZE_ADDRESS__) /* gcc */
#define KT_ASAN 1
#elif defined(__has_feature) /* clang */
#if __has_feature(address_sanitizer)
#define KT_ASAN 1
#endif
#endif
#if defined(KT_ASAN)
#define KT_NO_ASAN __attribute__((no_sanitize_address))
#else
#define KT_ASAN 0
#define KT_NO_ASAN
#endif

/* What kt_task_spawn fills a stack with, for the high-water mark. */
#define KT_STACK_PAINT 0xa5a5a5a5u

/* task flags */
#define KT_F_CANCEL 0x02u    /* a cancel waits to be delivered */
#define KT_F_CANCELLED 0x04u /* a cancel was requested */
#define KT_F_INFLIGHT 0x08u  /* woken by a cancel, not yet back from the call */

struct kt_kernel {
	/* First: the hot paths reach a ring with one indexed load. */
	struct kt_task *ready[KT_PRIO_COUNT]; /* each ring's last (sched.c) */
	struct kt_task *cur; /* running context: a task or &sched */
	uint32_t ready_bits; /* bit p: ready[p] is not empty */
	/*
	 * Completions marked by interrupts (an event set, a semaphore unit,
	 * a queue item), newest first; atomic.  Whoever reaches the next
	 * scheduling point - the task giving up the CPU or the scheduler -
	 * takes the whole list and readies the waiters, in thread mode.
	 */
	struct kt_work *done_head;
	struct kt_work *work_head; /* posted work (callbacks), newest first; atomic */
	volatile kt_tick_t ticks;   /* written by the tick interrupt only */
	volatile uint32_t ticks_hi; /* and its wraps */
	/*
	 * The first tick at which the wheel may have work: no later than its
	 * first expiry, and at most KT_DUE_MAX ahead of the wheel.  The tick
	 * kicks the scheduler only on reaching it, so a tick with nothing due
	 * costs its interrupt alone; meanwhile the wheel's now lags the tick
	 * count, which is harmless: no timer fires or cascades in between.
	 * Written in thread mode only.
	 */
	volatile kt_tick_t next_due;
	kt_tick_t start; /* ticks at kt_init, for the uptime */
	/*
	 * Non-zero when the scheduler itself has work: a callback was posted,
	 * the tick reached next_due, a timer is due.  Set by whoever causes
	 * it, cleared by the scheduler before it looks: one load decides
	 * whether a task can switch straight to the next one.
	 */
	volatile uint32_t pending;
	uint16_t waker; /* for traces: who the kernel acts for; 0: the running task */
	/*
	 * Set by the mutex module when a mutex is first taken, so that the
	 * core calls into it only when mutexes are in use and an image
	 * without mutexes does not link them.
	 */
	void (*mutex_waiter_left)(struct kt_mutex *m);
	void (*mutex_release_all)(struct kt_task *t);
	uint8_t last_id; /* the last task id given out */
	/* The hog detector: the tick counts the running task's slice. */
	uint32_t slice;      /* ticks since the last switch */
	kt_tick_t hog_limit; /* KT_FOREVER: off */
	struct kt_task *hog; /* the task past the limit */
	kt_tick_t hog_ticks; /* how long it has run */
	void (*hog_report)(struct kt_task *t, kt_tick_t ran);
	struct kt_work hog_work;
	struct kt_task sched; /* the context kt_run was called from */
	struct kt_task *all_first, *all_last;
	struct kt_wheel wheel;
};

extern struct kt_kernel kt_k;

/*
 * A wait list that was never initialised: its object is all zero, like a
 * static object before its _init.  Such objects are refused (-EINVAL)
 * instead of followed through a NULL pointer.
 */
static inline bool kt_list_uninit(const struct kt_list *l)
{
	return l->next == NULL;
}

static inline struct kt_task *kt_task_of(struct kt_list *n)
{
	return kt_container_of(n, struct kt_task, w.link);
}

static inline struct kt_waiter *kt_waiter_of(struct kt_list *n)
{
	return kt_container_of(n, struct kt_waiter, link);
}

/* kt_self() for the kernel's own files, inline. */
static inline struct kt_task *kt_running(void)
{
	return kt_k.cur == &kt_k.sched ? NULL : kt_k.cur;
}

/* Queue t last in line at its priority (the ready rings: sched.c). */
KT_INLINE void kt_ready(struct kt_task *t)
{
	unsigned p = t->prio;
	struct kt_task *last = kt_k.ready[p];

	if (last == NULL) {
		t->w.link.next = &t->w.link;
		kt_k.ready_bits |= 1u << p;
	} else {
		t->w.link.next = last->w.link.next;
		last->w.link.next = &t->w.link;
	}
	kt_k.ready[p] = t;
}
/*
 * Block the running task on q (may be NULL, FIFO order) until kt_wake() or
 * the timeout; returns the wake result.  In two steps for primitives that
 * link their own waiters: kt_block_check() fails, without blocking, with
 * -EPERM in a task that is ending (a done callback), -ECANCELED when a
 * cancel is due (and consumes it), -ETIMEDOUT for KT_NOWAIT; then
 * kt_block_now() blocks.  Both expect the caller to have checked its
 * arguments first (kt_wait_args() or the same checks): a timeout other
 * than KT_NOWAIT is in range and comes from a task.
 */
int kt_block(struct kt_list *q, kt_tick_t timeout, enum kt_wait why, const void *obj);
/*
 * What every call with a timeout checks first, whatever the state of its
 * object, so that a misuse fails the first time and not only under load:
 * -EINVAL for a timeout over KT_DELAY_MAX other than KT_FOREVER; -EPERM
 * for a timeout other than KT_NOWAIT outside a task (on the scheduler, in
 * an interrupt handler).  0 otherwise.  Inline: it is on every such
 * call's fast path.
 */
KT_INLINE int kt_wait_args(kt_tick_t timeout)
{
	/* timeout + 1 wraps KT_FOREVER to 0; the rest over it are bad */
	if (timeout + 1u > KT_DELAY_MAX + 1u)
		return -EINVAL;
	if (timeout != KT_NOWAIT && (kt_k.cur == &kt_k.sched || port_in_isr()))
		return -EPERM;
	return 0;
}
/*
 * kt_wait_args() for a call an interrupt handler may not make at all
 * (it has an _isr twin): -EPERM there whatever the timeout, in one look.
 */
KT_INLINE int kt_wait_args_thread(kt_tick_t timeout)
{
	if (timeout + 1u > KT_DELAY_MAX + 1u)
		return -EINVAL;
	if (port_in_isr() || (timeout != KT_NOWAIT && kt_k.cur == &kt_k.sched))
		return -EPERM;
	return 0;
}
int kt_block_check(kt_tick_t timeout);
int kt_block_now(kt_tick_t timeout, enum kt_wait why, const void *obj);
/*
 * kt_block_now() until the absolute tick expires, for a deadline: a tick
 * that comes after the caller read the clock cannot move it.
 */
int kt_block_until(kt_tick_t expires, enum kt_wait why, const void *obj);
/* Wake a blocked task early (timeout, cancel), undoing what it waited on. */
void kt_abort(struct kt_task *t, int result);
/* Change t's effective priority, requeueing it if it is ready. */
void kt_set_prio(struct kt_task *t, unsigned prio);

/*
 * Make a blocked task ready: it leaves every wait list and its timer, and
 * its kt_block returns result.  No-op for a task that is not blocked.
 */
void kt_wake(struct kt_task *t, int result);
/*
 * Wake the task of waiter w because w's primitive fired: kt_block returns
 * 0, or in kt_wait_any the index of w.
 */
void kt_waiter_fire(struct kt_waiter *w);
/* Fire every waiter on q, in order. */
void kt_wake_all(struct kt_list *q);
/* First waiter of q or NULL. */
static inline struct kt_waiter *kt_waiter_first(struct kt_list *q)
{
	return kt_list_empty(q) ? NULL : kt_waiter_of(q->next);
}
/* Give the CPU away: the caller has already queued or blocked itself. */
void kt_reschedule(void);
/* Called when a task's function returns.  Never returns. */
void kt_task_exit(struct kt_task *t, int result) __attribute__((noreturn));

/* Tell the scheduler it has work: any context. */
static inline void kt_kick(void)
{
	kt_k.pending = 1;
}

/*
 * Mark a kernel completion: w's function (which only readies tasks, and
 * never calls the application) runs at the next scheduling point, on the
 * stack of whoever reaches it.  Lock-free and idempotent, as
 * kt_call_soon.  any.
 */
void kt_complete(struct kt_work *w);
/* Ready the waiters of every completion marked so far.  thread. */
void kt_drain(void);
static inline __attribute__((always_inline)) void kt_drain_pending(void)
{
	if (*(struct kt_work *volatile *)&kt_k.done_head != NULL)
		kt_drain();
}

/* kt_k.waker when the running task wakes others itself (traces). */
#define KT_WAKER_SELF 0xffffu

/* The longest the wheel lags the tick count: a kick at least this often. */
#define KT_DUE_MAX ((kt_tick_t)1 << 30)

/* The event's set count, which a waiter notes in its waiter's data. */
uintptr_t kt_event_seq(const struct kt_event *e);

/* Time: the wheel follows the tick counter on the scheduler. */
void kt_timer_service(void);
/* The wheel has work delta ticks after its now: the tick kicks then. */
void kt_timer_due(kt_tick_t delta);
/* Start t at an absolute tick (no argument checks).  Thread mode. */
void kt_timer_start_at(struct kt_timer *t, kt_tick_t expires, kt_tick_t period);

#endif
