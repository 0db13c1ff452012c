/*
 * The Cortex-M port: ARMv7-M (Cortex-M3, and the M4F and M7 with their
 * FPU) and ARMv6-M (Cortex-M0).
 *
 * Thread mode runs on PSP and handlers on MSP (the board's startup selects
 * PSP before main), so a task switch is a plain change of SP in thread
 * mode - see switch.S - and an interrupt leaves only its exception frame
 * on a task's stack.  The kernel needs no interrupt masking of its own on
 * ARMv7-M: port_irq_save() exists for drivers and for the idle check.  On
 * ARMv6-M, which has no exclusive loads and stores, the atomics the
 * kernel uses mask interrupts for a few instructions (armv6m.c).
 *
 * On a core with an FPU the hardware's lazy stacking stays on (FPCCR.ASPEN
 * and LSPEN, as at reset): an interrupt reserves room for the FP registers
 * only when the interrupted context has used the FPU, and fills it only if
 * the handler uses the FPU too.  switch.S does the same for task switches.
 */
#include "guard.h"
#include "kettle.h"
#include "port.h"

void port_idle(void)
{
	/* With PRIMASK set, WFI still wakes on a pending interrupt. */
	__asm volatile("dsb\n\twfi" ::: "memory");
}

/*
 * The first frame, what switch.S pops on the first switch to t: the
 * callee-saved registers (zero), and kt_task_entry where the return
 * address goes.  With an FPU the frame also holds CONTROL, with FPCA
 * clear (a new task has no FP state yet), and an unused FPSCR slot.  The
 * frame sits at the very top of the stack, which task.c aligns to 8
 * bytes, and every variant pops a whole frame, so kt_task_entry starts
 * with SP 8-byte aligned as AAPCS requires.  The stack's guard comes off
 * its bottom first (guard.c).
 */
void port_task_init(struct kt_task *t)
{
	uint32_t *sp;

	port_guard_task(t);
	sp = (uint32_t *)((char *)t->stack + t->stack_size);
	*--sp = (uint32_t)(uintptr_t)kt_task_entry; /* Thumb bit set */
	for (int r = 11; r >= 4; r--)
		*--sp = 0; /* r11..r4 (on ARMv6-M: r7..r4, then r11..r8) */
#if defined(__ARM_FP) && __ARM_ARCH_ISA_THUMB == 2
	{
		uint32_t control;

		__asm volatile("mrs %0, control" : "=r"(control));
		*--sp = 0;             /* FPSCR: unused while FPCA is clear */
		*--sp = control & ~4u; /* CONTROL with FPCA clear */
	}
#endif
	t->sp = sp;
}
