/*
 * Schedule tracing: a ring of compact records of every switch, wake,
 * interrupt, mutex hand-off, priority change and cancel, with a timestamp
 * from a free-running clock, for a timeline of what ran when and why.
 *
 * Compiled in with -DKT_TRACE=1; with KT_TRACE 0 (the default) every hook
 * is an `if` on a constant zero and the compiler drops it: no cost at all.
 * Recording is lock-free: a record's slot is claimed with one atomic add
 * (LDREX/STREX on ARMv7-M; no interrupt masking), so interrupt handlers
 * record too.  The ring keeps the newest records; older ones are
 * overwritten and counted as lost, never silently.
 */
#ifndef KT_TRACE_H
#define KT_TRACE_H

#include <stdint.h>

#ifndef KT_TRACE
#define KT_TRACE 0
#endif

/* One record, 8 bytes.  Task ids are struct kt_task.id, 0 the scheduler. */
struct kt_trace_rec {
	uint32_t time; /* the trace clock (board cycles), wrapping */
	uint8_t type;  /* enum kt_trace_type */
	uint8_t task;  /* the task concerned */
	uint16_t arg;  /* by type, below */
};

enum kt_trace_type {
	KT_TR_SWITCH = 1, /* task runs; arg: previous task | why << 8 */
	KT_TR_WAKE,       /* task readied; arg: KT_TR_BY_* | id or irq */
	KT_TR_IRQ_ENTER,  /* arg: interrupt number */
	KT_TR_IRQ_EXIT,   /* arg: interrupt number */
	KT_TR_HANDOFF,    /* mutex handed to task; arg: previous owner */
	KT_TR_PRIO,       /* task's effective priority is now arg */
	KT_TR_CANCEL,     /* task was asked to cancel */
	KT_TR_SPAWN,      /* task spawned; arg: priority */
	KT_TR_MARK,       /* user mark from task; arg: the value */
	KT_TR_TICK,       /* the scheduler processed ticks; arg: how many */
};

/* KT_TR_SWITCH: why the previous task gave up the CPU (arg >> 8). */
#define KT_TR_WHY_YIELD 0x80u /* still ready */
#define KT_TR_WHY_DONE 0x81u  /* it returned */
/* below 0x80: blocked, enum kt_wait */

/* KT_TR_WAKE: who woke it (arg & 0xff00) and which (arg & 0xff). */
#define KT_TR_BY_TIMER 0x0000u /* its timeout or sleep expired */
#define KT_TR_BY_TASK 0x0100u  /* task id in the low byte (0: scheduler) */
#define KT_TR_BY_IRQ 0x0200u   /* interrupt number in the low byte */
#define KT_TR_BY_CANCEL 0x0300u

/*
 * Start recording into buf (n records, a power of two) with clock as the
 * time source (e.g. board_cycles).  -EINVAL for bad arguments.  thread.
 */
int kt_trace_start(struct kt_trace_rec *buf, uint32_t n, uint32_t (*clock)(void));
/* Stop recording (a dump stops it first).  any. */
void kt_trace_stop(void);
/* A user mark on the running task's lane.  any. */
void kt_trace_mark(uint16_t value);
/*
 * Interrupt handlers call these first and last (the board's handler
 * wrappers do): enter returns the interrupt that was active before, for
 * exit to restore, so work posted in between is attributed to irq.  any.
 */
uint32_t kt_trace_irq_enter(uint32_t irq);
void kt_trace_irq_exit(uint32_t irq, uint32_t prev);
/*
 * Copy the newest records, up to n, oldest first, into out; recording
 * pauses meanwhile (it would trace the copy).  Returns how many.  thread.
 */
uint32_t kt_trace_copy(struct kt_trace_rec *out, uint32_t n);
/*
 * Write the trace as text through put (one line per call, '\n' ended):
 *   KTRACE begin <records> <lost> <clock_hz> <tick_hz>
 *   KTRACE task <id> <base prio> <name>         (every task)
 *   KTRACE rec <16 hex digits per record>       (oldest first, up to 8 a line)
 *   KTRACE end <records>
 * Recording stops while it writes and restarts after.  thread.
 */
void kt_trace_dump(void (*put)(const char *line), uint32_t clock_hz, uint32_t tick_hz);

/* Kernel hooks (kernel/trace.c); each is `if (KT_TRACE)` at the call. */
void kt_trace_rec(uint8_t type, uint8_t task, uint16_t arg);
extern volatile uint32_t kt_trace_irq; /* active irq + 1, 0: none */

#endif
