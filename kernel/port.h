/*
 * Everything a CPU port must provide, and nothing else.  The kernel
 * includes this header and never a board or CPU header.
 *
 * Ports: kernel/port/cortex-m (ARMv7-M) and kernel/port/host (x86-64
 * Linux, for unit tests).
 */
#ifndef KT_PORT_H
#define KT_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include "kettle.h"

struct kt_task;

/*
 * Sleep until an interrupt is pending.  Must be called with interrupts
 * masked by port_irq_save() and must return with them still masked, so an
 * interrupt that arrives between the caller's last check and the sleep
 * still wakes it (WFI wakes on a pending interrupt even when masked).
 */
void port_idle(void);

/*
 * Tickless idle, the switch: 1 (the default) lets the scheduler sleep
 * through ticks with nothing due (port_idle_ticks), 0 keeps the periodic
 * tick and port_idle().  Build with -DKT_TICKLESS=0 for the periodic tick;
 * the kernel, the board and the application must agree.
 */
#ifndef KT_TICKLESS
#define KT_TICKLESS 1
#endif

/*
 * Sleep for up to max ticks (KT_FOREVER: as long as the hardware can),
 * for tickless idle.  Called by the scheduler with interrupts masked by
 * port_irq_save(), when it has nothing to do until max ticks from now,
 * and must return with them still masked.  It must program the tick's
 * timer to interrupt after min(max, what the timer can carry) ticks, or
 * sooner on any other interrupt, sleep (WFI), and before returning report
 * the whole ticks that passed with kt_tick_announce(): never a tick that
 * did not pass, and the part of a tick that passed stays counted towards
 * the next one, so the tick keeps its phase and the clock does not drift.
 * It returns with the periodic tick running again: the kernel counts on a
 * tick while it is busy.  The tick is the board's: boards provide it.
 */
void port_idle_ticks(kt_tick_t max);

/*
 * Every port's port_arch.h (kernel/port/<port>/, on the include path)
 * must provide these three, as static inline functions or declarations:
 * the kernel calls them on its hot paths, so on a CPU they should cost a
 * couple of instructions, not a call.
 *
 *   bool port_in_isr(void);  true while an interrupt handler runs.
 *   uint32_t port_irq_save(void);  mask interrupts, return the previous
 *       mask state (opaque);
 *   void port_irq_restore(uint32_t state);  put it back.
 *
 * All three must be callable from any context.  The pair nests without a
 * counter: uint32_t s = port_irq_save(); ... port_irq_restore(s);
 */
#include "port_arch.h"

/*
 * The most a port's stack guard takes from the bottom of a task's stack
 * (port_task_init below): kt_task_spawn wants KT_STACK_MIN above it.  A
 * port_arch.h that guards stacks defines it; 0 otherwise.
 */
#ifndef PORT_STACK_RESERVE
#define PORT_STACK_RESERVE 0
#endif

/*
 * Prepare t (t->stack, t->stack_size) so that the first port_switch() to it
 * calls kt_task_entry() on its own stack.  The port must not touch the
 * stack below its initial frame: the kernel painted it.  A port that
 * guards stacks may keep a reserve at the bottom: it then raises t->stack
 * and lowers t->stack_size past it, and the kernel (the high-water mark)
 * only ever looks above.
 */
void port_task_init(struct kt_task *t);

/*
 * Save the callee-saved registers of the running context on its stack and
 * its stack pointer in from->sp, then resume to (from to->sp).  Returns
 * when something switches back to from.  from may be a finished task that
 * will never be resumed.  Thread mode only.
 */
void port_switch(struct kt_task *from, struct kt_task *to);

/* Provided by the kernel: the first code a new task runs.  Never returns. */
void kt_task_entry(void) __attribute__((noreturn));

/*
 * Provided by the kernel, for a port that guards stacks: t overflowed its
 * stack and must never run again.  End it as if its function had returned
 * result (joiners wake, its mutexes pass on with -EOWNERDEAD), from
 * wherever it stopped: running, already queued or blocked by the call it
 * overflowed in, or halfway through port_switch() to another context,
 * which then goes back to the head of its ready queue.  Must be called in
 * thread mode, on a stack none of t's frames are needed on (the top of
 * t's own will do).  Never returns.
 */
void kt_task_fail(struct kt_task *t, int result) __attribute__((noreturn));

#endif
