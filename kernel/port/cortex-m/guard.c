/*
 * Stack guards on Cortex-M: an overflow of any stack is caught and
 * reported, and a task that overflows is stopped while the others go on.
 *
 * Every stack keeps a reserve at its bottom (guard.h): PORT_GUARD_RESERVE
 * bytes, rounded up so that its top is aligned to PORT_GUARD_SIZE, whose
 * top PORT_GUARD_SIZE bytes are the guard (32; with PORT_FRAME_GUARD on
 * ARMv7-M 256, the frame limit).  ARMv7-M (M3, M4F, M7) guards with the MPU: region
 * 0 covers the interrupt stack's guard and region 1 the main stack's, for
 * good, and region 2 the running task's, moved by every switch (switch.S:
 * one store, since only the running task's stack can grow).  The regions
 * allow no access at all and the default memory map stays on under them
 * (PRIVDEFENA), so everything else is as without the MPU; HardFault runs
 * with the MPU off (HFNMIENA clear) so a report can always be printed.
 * The push that would cross a guard faults before it writes there, so
 * the neighbour below keeps every byte.  Why a reserve larger than its
 * guard: a push or an exception frame writes its lowest word first, and
 * only the words that land in the guard fault, so whatever a single push
 * or frame puts below the guard must still land in the task's own
 * memory: 36 bytes for a push of r4-r11 and lr, 108 for an exception
 * frame with room for the FP registers (lazy stacking reserves them
 * without writing, so the frame's written part sits 72 bytes down).
 * ARMv6-M (M0) has no MPU: the guard's top word holds a canary and every
 * switch checks the outgoing context's and the interrupt stack's.  That
 * finds an overflow after the fact, at the next switch, so the reserve
 * only bounds what the switch's own pushes and an interrupt frame write;
 * an overflow deeper than the reserve between two switches reaches the
 * neighbour before it is found (it is still reported).  A failed check
 * traps into the fault handler with SVC, on a stack of its own.
 *
 * Recovery: the fault handler reports, then leaves the exception into
 * thread mode at the top of the offender's own stack (its frames are
 * dead) and calls the kernel's kt_task_fail there.  Only a task can be
 * stopped so: an overflow of the interrupt stack or of the main stack
 * (main, the scheduler and its callbacks) ends the run.
 *
 * A frame larger than the guard could move SP past it before writing
 * anything (a local array written at its far end first).  The build's
 * frame limit (guard.h: PORT_FRAME_LIMIT) bounds every frame, and with
 * PORT_FRAME_GUARD the ARMv7-M guard is as large, so one frame that
 * starts above the guard lands in it.  Without that option, and on
 * ARMv6-M, a frame under the limit may still write below the reserve
 * before the guard or the canary sees the rest of it.  Nothing catches
 * two nested frames that both move SP without writing (one left
 * untouched, then a leaf's large one), nor alloca or a variable-length
 * array beyond the limit.  Keep big buffers static.
 */
#include <stddef.h>

#include "guard.h"
#include "port.h"

struct port_guards port_guards;

_Static_assert(offsetof(struct kt_task, stack) == PORT_TASK_STACK,
	       "switch.S reads t->stack at PORT_TASK_STACK");

#define REG(a) (*(volatile uint32_t *)(uintptr_t)(a))
#define MPU_TYPE REG(0xe000ed90u)
#define MPU_CTRL REG(0xe000ed94u)
#define MPU_RNR REG(0xe000ed98u)
#define MPU_RBAR REG(PORT_MPU_RBAR)
#define MPU_RASR REG(0xe000eda0u)
#define MPU_CTRL_ON 5u /* ENABLE, PRIVDEFENA; HFNMIENA clear */
/*
 * PORT_GUARD_SIZE bytes (SIZE is log2 of it, less 1), no access (AP 0),
 * execute never, normal memory.
 */
#define MPU_RASR_SIZE ((uint32_t)(__builtin_ctz(PORT_GUARD_SIZE) - 1) << 1)
#define MPU_RASR_GUARD \
	((1u << 28) | (1u << 17) | (1u << 16) | MPU_RASR_SIZE | 1u)
_Static_assert((PORT_GUARD_SIZE & (PORT_GUARD_SIZE - 1)) == 0 && PORT_GUARD_SIZE >= 32,
	       "an MPU region: a power of two, 32 bytes at least");
#define FPU_FPCCR REG(0xe000ef34u)
#define FPU_FPCCR_LSPACT 1u

#define ARMV6M (__ARM_ARCH_ISA_THUMB == 1)
#define EXC_RETURN_THREAD_PSP 0xfffffffdu

/* The frame a failed canary check traps with (switch.S), 8-aligned. */
uint32_t port_guard_trap_stack[16] __attribute__((aligned(8)));

static bool mpu_on;

static void barrier(void)
{
	__asm volatile("dsb\n\tisb" ::: "memory");
}

/* The top of the reserve of a stack that starts at lo. */
static uintptr_t reserve_top(uintptr_t lo)
{
	return (lo + PORT_GUARD_RESERVE + PORT_GUARD_SIZE - 1) &
	       ~(uintptr_t)(PORT_GUARD_SIZE - 1);
}

void port_guard_task(struct kt_task *t)
{
	uintptr_t lo = (uintptr_t)t->stack, top = reserve_top(lo);

	if (!PORT_STACK_GUARD)
		return;
	t->stack = (void *)top;
	t->stack_size -= (uint32_t)(top - lo);
	if (ARMV6M)
		((uint32_t *)top)[-1] = PORT_GUARD_CANARY;
}

static void region(unsigned n, uintptr_t lo)
{
	MPU_RBAR = (uint32_t)lo | PORT_MPU_RBAR_VALID | n;
	MPU_RASR = MPU_RASR_GUARD;
}

void port_guard_init(void *isr_lo, void *isr_hi, void *main_lo)
{
	port_guards.isr_lo = reserve_top((uintptr_t)isr_lo) - PORT_GUARD_SIZE;
	port_guards.main_lo = reserve_top((uintptr_t)main_lo) - PORT_GUARD_SIZE;
	port_guards.isr_top = (uintptr_t)isr_hi;
	if (!PORT_STACK_GUARD)
		return;
	if (ARMV6M) {
		port_guards.isr_canary = (uint32_t *)(port_guards.isr_lo +
						      PORT_GUARD_SIZE) -
					 1;
		port_guards.main_canary = (uint32_t *)(port_guards.main_lo +
						       PORT_GUARD_SIZE) -
					  1;
		*port_guards.isr_canary = PORT_GUARD_CANARY;
		*port_guards.main_canary = PORT_GUARD_CANARY;
		return;
	}
	/* Every ARMv7-M board here has 8 regions; without an MPU, no guards. */
	if (((MPU_TYPE >> 8) & 0xffu) <= PORT_GUARD_REGION_TASK)
		return;
	region(PORT_GUARD_REGION_ISR, port_guards.isr_lo);
	region(PORT_GUARD_REGION_MAIN, port_guards.main_lo);
	/* The scheduler's: none yet (switch.S parks it at the top, 0 - size). */
	region(PORT_GUARD_REGION_TASK, (uintptr_t)0 - PORT_GUARD_SIZE);
	MPU_CTRL = MPU_CTRL_ON;
	barrier();
	mpu_on = true;
}

struct kt_task *port_guard_armed(void)
{
	uintptr_t lo;

	if (!mpu_on)
		return NULL;
	MPU_RNR = PORT_GUARD_REGION_TASK;
	lo = MPU_RBAR & ~(uint32_t)(PORT_GUARD_SIZE - 1);
	for (struct kt_task *t = kt_task_next(NULL); t != NULL; t = kt_task_next(t))
		if (t->stack != NULL && port_guard_lo(t) == lo)
			return t;
	return NULL;
}

void port_guard_pause(void)
{
	if (!mpu_on)
		return;
	MPU_CTRL = 0;
	barrier();
}

#if PORT_STACK_GUARD
/*
 * Thread mode, at the top of t's stack.  Interrupts on: a mask the task
 * held when it overflowed dies with it.  On ARMv6-M the canary is made
 * whole again, or t's last switch away would trap once more.
 */
__attribute__((noreturn, used)) static void stack_failed(struct kt_task *t)
{
	__asm volatile("cpsie i" ::: "memory");
	if (ARMV6M)
		((uint32_t *)t->stack)[-1] = PORT_GUARD_CANARY;
	kt_task_fail(t, -EFAULT);
}

void port_guard_recover(struct kt_task *t)
{
	uintptr_t top = ((uintptr_t)t->stack + t->stack_size) & ~(uintptr_t)7;
	uint32_t *frame = (uint32_t *)top - 8;

	frame[0] = (uint32_t)(uintptr_t)t; /* r0 */
	for (int r = 1; r <= 5; r++)
		frame[r] = 0;                               /* r1-r3, r12, lr */
	frame[6] = (uint32_t)(uintptr_t)stack_failed & ~1u; /* pc */
	frame[7] = 1u << 24;                                /* xPSR: Thumb */
#if defined(__ARM_FP) && !ARMV6M
	/* A lazy save of the FP registers would go into t's dead frame. */
	FPU_FPCCR &= ~FPU_FPCCR_LSPACT;
#endif
	if (mpu_on) {
		MPU_CTRL = MPU_CTRL_ON;
		barrier();
	}
	__asm volatile("msr	psp, %0\n\t"
		       "msr	msp, %1\n\t"
		       "bx	%2" ::"r"(frame),
		       "r"(port_guards.isr_top), "r"(EXC_RETURN_THREAD_PSP)
		       : "memory");
	__builtin_unreachable();
}
#endif /* PORT_STACK_GUARD: without guards no task is ended here */
