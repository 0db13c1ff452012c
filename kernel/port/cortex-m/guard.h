/*
 * Stack guards on Cortex-M: the geometry the port's switch (switch.S)
 * and port_task_init keep, and what the board's start-up and fault
 * handler need from it (guard.c has the why).  Included by C and by
 * assembly.
 *
 * Every stack - each task's, the interrupt stack (MSP) and the main stack
 * the scheduler runs on - keeps a reserve at its bottom that nothing may
 * use.  A task's reserve is carved out of the stack its creator gave:
 * port_task_init raises t->stack past it, so the kernel's high-water mark
 * never looks there.  The top PORT_GUARD_SIZE bytes of each reserve are
 * its guard: on ARMv7-M an MPU region no access may touch, on ARMv6-M a
 * canary in the guard's top word that every switch checks.
 *
 * PORT_STACK_GUARD 0 (make STACK_GUARD=0) builds the port without any of
 * it, for measuring what it costs.
 */
#ifndef KT_PORT_GUARD_H
#define KT_PORT_GUARD_H

#ifndef PORT_STACK_GUARD
#define PORT_STACK_GUARD 1
#endif

/*
 * The frame limit: no function's frame (its locals and spills: what
 * moves SP without writing; pushed registers are written) may be larger.
 * The one place it is stated: mk/fault.mk reads it from this line and
 * builds every kernel, board and application object for Cortex-M with
 * -Wframe-larger-than=PORT_FRAME_LIMIT -Werror, so a larger frame is a
 * build error naming the function (issue 15, item 4).
 *
 * PORT_FRAME_GUARD 1 (make FRAME_GUARD=1; ARMv7-M) makes the guard as
 * large as the limit: a frame that starts above the guard and writes its
 * far end first lands in the guard, and the MPU faults before anything
 * below is written.  The switch still moves the guard with one store (no
 * instruction more), but the region is a power of two aligned to its
 * size, so each task's reserve costs the guard, the part under it and up
 * to PORT_GUARD_SIZE - 1 bytes of alignment: 288 to 607 bytes instead of
 * 64 to 159, half of a 1 KiB stack - an option, not the default.  By
 * default, and always on ARMv6-M, the guard is the MPU's smallest region
 * (or the canary's word): such a frame writes below the reserve before
 * the guard sees the rest of it.
 */
#define PORT_FRAME_LIMIT 256
#ifndef PORT_FRAME_GUARD
#define PORT_FRAME_GUARD 0
#endif
#if __ARM_ARCH_ISA_THUMB == 2 && PORT_FRAME_GUARD
#define PORT_GUARD_SIZE PORT_FRAME_LIMIT
#else
#define PORT_GUARD_SIZE 32 /* the MPU's smallest region, 32-byte aligned */
#endif

/*
 * The reserve, guard included.  An exception frame or a push below the
 * guard's top writes its lowest word first, up to 36 bytes down for a
 * push of r4-r11 and lr and 108 for an exception frame with room for the
 * FP registers: the part under the guard must still be the task's own.
 */
#if defined(__ARM_FP) && __ARM_ARCH_ISA_THUMB == 2
#define PORT_GUARD_RESERVE (PORT_GUARD_SIZE + 96)
#else
#define PORT_GUARD_RESERVE (PORT_GUARD_SIZE + 32)
#endif

/* The most a reserve takes from a stack, alignment included. */
#define PORT_GUARD_RESERVE_MAX (PORT_GUARD_RESERVE + PORT_GUARD_SIZE - 1)

/* struct kt_task's stack field, for switch.S (guard.c checks it). */
#define PORT_TASK_STACK 60

/* ARMv7-M MPU regions: two fixed guards and the running task's. */
#define PORT_GUARD_REGION_ISR 0
#define PORT_GUARD_REGION_MAIN 1
#define PORT_GUARD_REGION_TASK 2
#define PORT_MPU_RBAR 0xe000ed9c
#define PORT_MPU_RBAR_VALID 0x10

/* ARMv6-M: the canary, and the SVC a failed check traps with. */
#define PORT_GUARD_CANARY 0x6b657474 /* "kett" */
#define PORT_SVC_OVERFLOW 0x5b

#ifndef __ASSEMBLER__
#include <stdint.h>

#include "kettle.h"

/*
 * Where the guards are, for the fault handler: each [lo, lo + PORT_GUARD_SIZE).  isr_top
 * is the interrupt stack's top, where MSP starts over after a recovery.
 * On ARMv6-M the switch reads the two canary addresses (offsets 0 and 4).
 */
struct port_guards {
	uint32_t *isr_canary, *main_canary;
	uintptr_t isr_lo, main_lo, isr_top;
};

extern struct port_guards port_guards;

/*
 * Set up the guards of the interrupt stack [isr_lo, isr_hi) and of the
 * main stack, which starts at main_lo, and on ARMv7-M turn the MPU on.  Once, by
 * the start-up code, before main() (the interrupt stack is in use: its
 * reserve must not be).
 */
void port_guard_init(void *isr_lo, void *isr_hi, void *main_lo);

/* Carve t's reserve out of its stack (port_task_init, before the frame). */
void port_guard_task(struct kt_task *t);

/* t's guard's lowest address (t->stack as port_task_init left it). */
static inline uintptr_t port_guard_lo(const struct kt_task *t)
{
	return (uintptr_t)t->stack - PORT_GUARD_SIZE;
}

/*
 * The task whose guard the MPU holds now, that is the last one switched
 * to, or NULL (the scheduler, no MPU, ARMv6-M).  For a fault handler.
 */
struct kt_task *port_guard_armed(void);

/* Turn the MPU off, so a fault handler may read any stack.  Handler mode. */
void port_guard_pause(void);

/*
 * From a fault handler: t's stack overflowed, it must never run again.
 * Leave the handler (MPU back on) into thread mode at the top of t's
 * stack, where the kernel ends t (kt_task_fail, result -EFAULT) and the
 * other tasks go on.  Only for a fault taken from thread mode: nothing
 * else may be active, since the interrupt stack starts over.  Defined only
 * with PORT_STACK_GUARD 1: callers test it (if (PORT_STACK_GUARD && ...)).
 */
void port_guard_recover(struct kt_task *t) __attribute__((noreturn));

#endif
#endif
