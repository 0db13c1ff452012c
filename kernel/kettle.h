/*
 * kettle: a tiny cooperative kernel for Cortex-M.  The public API.
 *
 * Tasks are stackful coroutines that give the CPU away only in a blocking
 * call or kt_yield().  Interrupts never switch tasks: they post work
 * (kt_work_post_isr, kt_event_set_isr) that the scheduler turns into ready
 * tasks at its next scheduling point.  Every object is provided by the
 * caller; the kernel has no heap.
 *
 * Calling contexts, stated on every function:
 *   task   - from a task only (it may block and switch tasks)
 *   thread - from a task or from a callback on the scheduler (never blocks)
 *   any    - also from an interrupt handler (the _isr suffix)
 *
 * Errors are negative errno values: 0 is success.  A timeout is a number of
 * ticks; KT_NOWAIT (0) polls and KT_FOREVER waits without a timer.
 */
#ifndef KETTLE_H
#define KETTLE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "list.h"
#include "trace.h"

/*
 * kettle's version, the one place it is written: make version prints it,
 * the API reference (make docs) and README.md state it, and CHANGELOG.md
 * has its entry (make version-test checks that they agree).
 */
#define KT_VERSION_MAJOR 0
#define KT_VERSION_MINOR 9
#define KT_VERSION_PATCH 0
#define KT_VERSION_STRING "0.9.0"

/*
 * KT_STATS 1 (the default) counts, per task, the switches into it and the
 * ticks that found it running (its CPU share), and keeps the hog detector
 * (kt_hog_watch).  Build everything with -DKT_STATS=0 to leave them out:
 * kt_task_info's runs, ticks and hogs then stay 0, and kt_hog_watch and
 * kt_idle_ticks do not exist.
 */
#ifndef KT_STATS
#define KT_STATS 1
#endif

/* ---- time ------------------------------------------------------------ */

typedef uint32_t kt_tick_t;

#define KT_NOWAIT ((kt_tick_t)0)
#define KT_FOREVER ((kt_tick_t)0xffffffffu)
/* The longest delay or timeout: wrap-safe comparison needs half the range. */
#define KT_DELAY_MAX ((kt_tick_t)0x7fffffffu)

/* a is before b, correct across the 2^32 wrap for distances < 2^31. */
static inline bool kt_tick_before(kt_tick_t a, kt_tick_t b)
{
	return (int32_t)(a - b) < 0;
}

/* Monotonic ticks since kt_init().  any. */
kt_tick_t kt_now(void);

/* The tick interrupt: the board's SysTick handler calls it.  any (ISR). */
void kt_tick_isr(void);

/*
 * n ticks passed at once: a tickless idle's wake-up announces the whole
 * sleep in one call, and the scheduler advances the timer wheel over it in
 * one step.  Only the tick's own interrupt may call it (one writer).  ISR.
 */
void kt_tick_announce(kt_tick_t n);

/*
 * Ticks since kt_init as 64 bits: no wrap for 584 million years at 1 kHz,
 * read without tearing (the 32-bit kt_now() wraps after 49.7 days).  any.
 */
uint64_t kt_uptime64(void);

/*
 * For tickless idle: how many ticks may pass before the scheduler has
 * work (the next timer expiry; the wheel's cascades on the way are done
 * when the ticks are announced); 0 when it has work now, KT_FOREVER when
 * no timer runs.  Sleeping that long never makes a timer late, as long as
 * nothing was posted and no tick came since the call: the idle path calls
 * it with interrupts on (it walks the timers of up to one slot per wheel
 * level) and checks for work again, masked, before it sleeps.  thread.
 */
kt_tick_t kt_idle_budget(void);

/* ---- deferred work: how interrupts reach the scheduler ---------------- */

/*
 * A work item is posted from any context and its function runs later on
 * the scheduler, in thread mode, with no stack of its own (asyncio's
 * call_soon).  Posting is O(1), lock-free and idempotent: posting an item
 * that is already pending does nothing.
 */
struct kt_work {
	struct kt_work *next;
	uint32_t pending; /* atomic */
	void (*fn)(void *arg);
	void *arg;
};

/* clang-format off */
#define KT_WORK_INIT(f, a) { NULL, 0, (f), (a) }
/* clang-format on */

void kt_work_init(struct kt_work *w, void (*fn)(void *), void *arg);
/* Post w.  any.  Returns true when it was not already pending. */
bool kt_call_soon(struct kt_work *w);

/* ---- soft timers ------------------------------------------------------- */

/*
 * A timer runs fn(arg) on the scheduler when it expires; a periodic timer
 * is re-armed drift-free from its previous expiry, not from when its
 * callback ran.  Timers live in a hierarchical wheel: start and stop are
 * O(1).  A timer never fires early.
 */
struct kt_timer {
	struct kt_hnode node;
	kt_tick_t expires;
	kt_tick_t period; /* 0: one-shot */
	void (*fn)(void *arg);
	void *arg;
};

/* thread. */
void kt_timer_init(struct kt_timer *t, void (*fn)(void *), void *arg);
/*
 * Fire after delay ticks, then every period ticks (0: once).  thread.
 * -EINVAL for a NULL timer or callback, or a delay or period over
 * KT_DELAY_MAX; -EBUSY when it is already running (stop it first); -EPERM
 * in an interrupt handler (post a kt_call_soon that starts it).
 */
int kt_timer_start(struct kt_timer *t, kt_tick_t delay, kt_tick_t period);
/* Stop t.  thread.  0; -EALREADY when it was not running; -EINVAL; -EPERM
 * in an interrupt handler. */
int kt_timer_stop(struct kt_timer *t);
bool kt_timer_active(const struct kt_timer *t);
/*
 * Call fn for every running timer - soft timers and the timeouts of
 * blocked tasks - with nothing changed meanwhile.  thread.  O(slots+timers).
 */
void kt_timer_foreach(void (*fn)(const struct kt_timer *t, void *arg), void *arg);
/* The task whose timeout t is, or NULL for a soft timer. */
struct kt_task *kt_timer_task(const struct kt_timer *t);

/* ---- tasks ------------------------------------------------------------- */

enum kt_state {
	KT_UNUSED, /* never spawned */
	KT_NEW,    /* spawned, has not run yet */
	KT_READY,
	KT_RUNNING,
	KT_BLOCKED, /* see enum kt_wait for what on */
	KT_DONE,
};

enum kt_wait {
	KT_WAIT_NONE,
	KT_WAIT_SLEEP,
	KT_WAIT_JOIN,
	KT_WAIT_EVENT,
	KT_WAIT_MUTEX,
	KT_WAIT_SEM,
	KT_WAIT_QUEUE,
	KT_WAIT_ANY,
};

typedef int (*kt_entry_fn)(void *arg);

struct kt_task;

/*
 * A task's place in one wait list.  A task waiting on one thing uses the
 * waiter inside it; kt_wait_any() puts one on its stack per waitable.
 */
struct kt_waiter {
	struct kt_list link;
	struct kt_task *task;
	void *data; /* for the primitive: where a queue item goes, ... */
};

struct kt_task {
	void *sp; /* first: the port's switch saves the stack pointer here */
	struct kt_waiter w;    /* link: in a ready queue or a wait list */
	struct kt_timer timer; /* timeout of the current blocking call */
	int result;            /* why it woke; its return value once DONE */
	const void *wait_obj;
	struct kt_waiter *many;
	const char *name;
	void *stack;
	uint32_t stack_size;
	kt_entry_fn fn;
	void *arg;
	struct kt_list joiners;
	struct kt_list held; /* mutexes it owns */
	void (*on_done)(struct kt_task *t);
	void *local; /* task-local pointer */
	uint32_t runs;
	uint32_t ticks; /* ticks that found it running: its CPU share */
	uint32_t hogs;  /* times it kept the CPU past the hog limit */
	uint8_t prio;   /* effective: base_prio or an inherited one */
	uint8_t base_prio;
	uint8_t state; /* enum kt_state */
	uint8_t wait;  /* enum kt_wait */
	uint8_t flags;
	uint8_t shield; /* cancellation deferred while non-zero */
	uint8_t nmany;  /* waiters in many[] during kt_wait_any */
	/* Last, kept when a task is spawned again: its place in the list. */
	uint8_t id; /* 1..255, for traces (255: and beyond); 0: unlisted */
	struct kt_task *next_all;
};

#define KT_PRIO_COUNT 32 /* priorities 0 (lowest) .. 31 (highest) */
#define KT_STACK_MIN 256 /* bytes; the port's frame plus a little work */

/*
 * Start fn(arg) as a task on the caller's stack (stack_size bytes, any
 * alignment: the kernel aligns it down) at priority prio.  The task runs
 * at the next scheduling point; its return value is its result.  thread.
 * -EINVAL for NULL arguments, a stack under KT_STACK_MIN plus what the
 * port's stack guard keeps at its bottom (PORT_STACK_RESERVE: on Cortex-M
 * up to 95 bytes, 159 with an FPU, 607 with FRAME_GUARD=1) or a priority out
 * of range; -EBUSY when t is a task that has not finished; -EPERM in an
 * interrupt handler.
 */
int kt_task_spawn(struct kt_task *t, const char *name, kt_entry_fn fn,
		  void *arg, void *stack, size_t stack_size, unsigned prio);

/*
 * Wait until t returns and store its result in *result (may be NULL).
 * task.  0; -ETIMEDOUT; -EINVAL for a NULL or never spawned task;
 * -EDEADLK when t is the caller; -EPERM outside a task.
 */
int kt_task_join(struct kt_task *t, int *result, kt_tick_t timeout);

/* The running task, NULL on the scheduler (in callbacks).  thread. */
struct kt_task *kt_self(void);

/* Let the other ready tasks of the same or higher priority run.  task. */
void kt_yield(void);

/* Block for ticks ticks (0 yields).  task.  0, or -EPERM outside a task. */
int kt_sleep(kt_tick_t ticks);

/*
 * Drift-free periodic sleep: advance *deadline by period and sleep until
 * it.  task.  0 when it slept; 1 when the new deadline had already passed
 * (an overrun: it returns at once, and the schedule keeps its phase);
 * -EINVAL for a NULL deadline or a period over KT_DELAY_MAX; -EPERM.
 */
int kt_sleep_until(kt_tick_t *deadline, kt_tick_t period);

/* Everything a task list shows. */
struct kt_task_info {
	const char *name;
	enum kt_state state;
	enum kt_wait wait;
	unsigned prio;
	size_t stack_size;
	size_t stack_used; /* high-water mark, from the painted stack */
	uint32_t runs;     /* times it was switched in */
	uint32_t ticks;    /* ticks that found it running (CPU share) */
	uint32_t hogs;     /* times it ran past the hog limit */
};

/*
 * Ticks that found no task running: the scheduler idle or at work.  With
 * the tasks' ticks it gives each one's share of CPU time.  any.
 */
#if KT_STATS
uint32_t kt_idle_ticks(void);

/*
 * The hog detector (asyncio debug mode's slow-callback warning): a task
 * that runs limit ticks or more without reaching a scheduling point is
 * counted in its hogs and, once it gives up the CPU, reported through
 * report(t, ticks it ran), on the scheduler.  limit 0 turns it off (the
 * default).  thread.
 */
void kt_hog_watch(kt_tick_t limit, void (*report)(struct kt_task *t, kt_tick_t ran));
#endif

/* All spawned tasks, in spawn order: first with NULL.  thread. */
struct kt_task *kt_task_next(const struct kt_task *prev);
/* thread.  -EINVAL for NULL. */
int kt_task_info(const struct kt_task *t, struct kt_task_info *info);
const char *kt_state_name(enum kt_state s);
const char *kt_wait_name(enum kt_wait w);

/* ---- cancellation (asyncio Task.cancel) --------------------------------- */

/*
 * Ask t to stop.  A cancel is delivered once: t's current blocking call
 * (or, if t is running or ready, its next one) returns -ECANCELED, so it
 * can release what it holds - blocking again if it must - and return.
 * While t defers cancellation the cancel waits.  Cancels that come before
 * t has seen one are that one (asyncio delivers one CancelledError): the
 * second returns 1 and changes nothing.  Once t's call has returned
 * -ECANCELED, a new cancel is delivered anew.  A task conventionally
 * returns -ECANCELED when cancelled, which is what its joiners see.
 * thread.  0; 1 when a cancel t has not seen yet was already on its way;
 * -EINVAL for NULL or a task never spawned; -EALREADY when t has
 * finished; -EPERM in an interrupt handler.
 */
int kt_task_cancel(struct kt_task *t);
/* Defer cancellation of the running task over a stretch (asyncio's shield);
 * nests.  task. */
void kt_cancel_defer(void);
/* End a deferred stretch: a cancel that came meanwhile is delivered at the
 * next blocking call.  task. */
void kt_cancel_allow(void);
/* Whether a cancel was ever requested for t. */
bool kt_task_cancelled(const struct kt_task *t);

/* ---- task conveniences ------------------------------------------------- */

/*
 * Call fn(t) when t finishes (asyncio add_done_callback), on t's own stack
 * after its joiners are woken.  fn must not block.  One per task; NULL
 * removes it.  thread.  -EINVAL for NULL t; -EALREADY when t has finished.
 */
int kt_task_on_done(struct kt_task *t, void (*fn)(struct kt_task *t));
/* The running task's local pointer (threading.local); NULL outside a task. */
void *kt_task_local(void);
/* task.  -EPERM outside a task. */
int kt_task_set_local(void *p);

/* ---- mutexes (asyncio.Lock) --------------------------------------------- */

/*
 * A mutex for a shared peripheral.  Rules:
 *  - only the owner unlocks (-EPERM otherwise); no recursion: locking a
 *    mutex you hold is -EDEADLK;
 *  - waiters queue by priority, FIFO within a priority, and unlock hands
 *    the mutex straight to the first (no barging);
 *  - a waiter lifts the owner to its priority, transitively along a chain
 *    of owners blocked on other mutexes; the lift ends on unlock, and when
 *    a waiter times out or is cancelled;
 *  - before blocking, the chain owner -> mutex it waits on -> owner ... is
 *    followed: if it leads back to the caller, lock fails with -EDEADLK at
 *    once instead of hanging;
 *  - a task that finishes while holding a mutex passes it to the next
 *    waiter, whose lock returns -EOWNERDEAD (it owns the mutex and must
 *    repair what it guards); with no waiter, the next lock does.
 */
struct kt_mutex {
	struct kt_task *owner;
	struct kt_list waiters;
	struct kt_list held; /* in the owner's list of held mutexes */
	uint8_t owner_died;
};

/* A static initialiser: struct kt_mutex m = KT_MUTEX_INIT(m); */
/* clang-format off */
#define KT_MUTEX_INIT(m) \
	{ NULL, { &(m).waiters, &(m).waiters }, { &(m).held, &(m).held }, 0 }
/* clang-format on */

void kt_mutex_init(struct kt_mutex *m); /* thread */
/* task.  0; -EOWNERDEAD (and owned); -ETIMEDOUT; -EDEADLK; -ECANCELED;
 * -EINVAL for NULL or never initialised; -EPERM outside a task. */
int kt_mutex_lock(struct kt_mutex *m, kt_tick_t timeout);
/* Lock only if free.  task.  0, -EOWNERDEAD (and owned), -EBUSY, -EDEADLK,
 * -EINVAL, -EPERM. */
int kt_mutex_trylock(struct kt_mutex *m);
/* task.  0; -EPERM when the caller is not the owner; -EINVAL for NULL. */
int kt_mutex_unlock(struct kt_mutex *m);
struct kt_task *kt_mutex_owner(const struct kt_mutex *m);

/* ---- events (asyncio.Event) -------------------------------------------- */

/*
 * A flag tasks wait for.  Setting it wakes every waiter; it stays set until
 * cleared.  kt_event_set_isr marks it from an interrupt in O(1) with no
 * interrupt masking (atomics); the waiters wake at the next scheduling
 * point.  A waiter that blocked before a set is woken by that set even if
 * the flag is cleared again before it runs; a waiter that blocked after
 * it is not (each set is numbered, each waiter notes the number it saw).
 */
struct kt_event {
	struct kt_work work;
	volatile uint8_t set;
	uint32_t seq; /* sets so far; atomic */
	struct kt_list waiters;
};

void kt_event_init(struct kt_event *e); /* thread */
/* thread: waiters are readied now.  0; -EINVAL for NULL or never
 * initialised; -EPERM in an interrupt handler. */
int kt_event_set(struct kt_event *e);
/* any.  0; -EINVAL for NULL or never initialised. */
int kt_event_set_isr(struct kt_event *e);
void kt_event_clear(struct kt_event *e);        /* any; NULL is ignored */
bool kt_event_is_set(const struct kt_event *e); /* any; false for NULL */
/* task.  0 once set; -ETIMEDOUT; -ECANCELED; -EINVAL for NULL or never
 * initialised; -EPERM outside a task. */
int kt_event_wait(struct kt_event *e, kt_tick_t timeout);

/* ---- semaphores (asyncio.Semaphore) ------------------------------------ */

/*
 * A counting semaphore.  A give with waiters hands the unit to the first
 * waiter (FIFO); kt_sem_give_isr counts atomically and lets the scheduler
 * hand units to waiters.
 */
struct kt_sem {
	struct kt_work work;
	uint32_t given; /* units given by interrupts; only they write it */
	uint32_t taken; /* units taken by tasks, net of their gives; thread only */
	uint32_t max;
	struct kt_list waiters;
};

/* thread.  -EINVAL for NULL, max 0 or over INT32_MAX, or initial > max. */
int kt_sem_init(struct kt_sem *s, uint32_t initial, uint32_t max);
/* thread.  0; -EOVERFLOW at max (nothing changes); -EINVAL; -EPERM in an
 * interrupt handler. */
int kt_sem_give(struct kt_sem *s);
/* any.  0; -EOVERFLOW at max; -EINVAL. */
int kt_sem_give_isr(struct kt_sem *s);
/* task.  0; -ETIMEDOUT; -ECANCELED; -EINVAL; -EPERM outside a task.
 * With KT_NOWAIT it also works outside a task and in an ISR. */
int kt_sem_take(struct kt_sem *s, kt_tick_t timeout);
uint32_t kt_sem_count(const struct kt_sem *s);
/*
 * Wake every task blocked on s with err (a negative errno, e.g. -EPIPE
 * when whatever the units stood for was closed); the count is unchanged.
 * thread.  The number woken; -EINVAL for NULL, never initialised or err
 * >= 0; -EPERM in an interrupt handler.
 */
int kt_sem_abort(struct kt_sem *s, int err);

/* ---- message queues (asyncio.Queue) -------------------------------------- */

/*
 * A bounded FIFO of fixed-size items in caller storage (capacity x size
 * bytes).  Blocked getters and putters queue FIFO and are served directly:
 * an item put while a getter waits goes straight into its buffer.  The
 * _isr calls never block; they share the ring with tasks under a short
 * interrupt mask around the copy of one item.
 */
struct kt_queue {
	struct kt_work work;
	unsigned char *buf;
	uint16_t item_size, capacity;
	uint16_t head, count;
	struct kt_list getters, putters;
	uint32_t dropped; /* _isr puts refused because the queue was full */
};

/* thread.  -EINVAL for NULL, a zero size or capacity, or over 65535. */
int kt_queue_init(struct kt_queue *q, void *storage, size_t item_size,
		  size_t capacity);
/* task.  0; -ETIMEDOUT (full); -ECANCELED; -EINVAL; -EPERM in an interrupt
 * handler (use the _isr calls), or outside a task unless KT_NOWAIT. */
int kt_queue_put(struct kt_queue *q, const void *item, kt_tick_t timeout);
int kt_queue_get(struct kt_queue *q, void *item, kt_tick_t timeout);
/* any, never blocks.  0; -EAGAIN when full (counted in dropped) or empty. */
int kt_queue_put_isr(struct kt_queue *q, const void *item);
int kt_queue_get_isr(struct kt_queue *q, void *item);
size_t kt_queue_count(const struct kt_queue *q);

/* ---- waiting on many things (gather, wait FIRST_COMPLETED) ---------------- */

enum kt_wait_kind {
	KT_ON_EVENT, /* fires when set */
	KT_ON_SEM,   /* fires with a unit taken */
	KT_ON_QUEUE, /* fires with an item received into buf */
	KT_ON_TASK,  /* fires when the task is done */
};

struct kt_wait_item {
	enum kt_wait_kind kind;
	void *obj;
	void *buf; /* KT_ON_QUEUE: where the item goes */
};

#define KT_WAIT_ANY_MAX 8

/*
 * Wait for the first of n (1..KT_WAIT_ANY_MAX) things; returns its index.
 * Exactly one thing is consumed (a unit, an item); the others are left for
 * other waiters, also when the wait races a timeout or a cancel.  task.
 * Index >= 0; -ETIMEDOUT; -ECANCELED; -EINVAL; -EPERM outside a task.
 */
int kt_wait_any(const struct kt_wait_item *items, size_t n, kt_tick_t timeout);
/*
 * Join n tasks (gather), all within one timeout.  task.  0 and every
 * result in results[] (may be NULL); or the first error of a join.
 */
int kt_task_join_all(struct kt_task *const *tasks, size_t n, int *results,
		     kt_tick_t timeout);

/* ---- the scheduler ------------------------------------------------------ */

/* Reset the kernel; the clock starts at start (tests start near the wrap). */
void kt_init(kt_tick_t start);
/* Run tasks; when nothing is ready, sleep until an interrupt.  Never returns. */
void kt_run(void) __attribute__((noreturn));
/*
 * Run tasks, callbacks and due timers until nothing is ready, then return
 * (the host port's event loop step).  Must be called from the context that
 * called kt_init, never from a task.
 */
void kt_run_until_idle(void);

#endif
