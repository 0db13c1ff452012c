/*
 * port_switch(from, to): save the callee-saved registers on the running
 * stack, store SP in from->sp (offset 0 of struct kt_task), load to->sp,
 * restore and return into the other context.  Caller-saved registers are
 * already saved by the C caller (AAPCS).  One of three bodies is built,
 * chosen by what the compiler targets; port.c's port_task_init() lays out
 * the first frame of each (keep the two in step):
 *
 * - ARMv7-M without an FPU (Cortex-M3): 4 instructions carry the switch.
 * - ARMv7-M with an FPU (Cortex-M4F, M7): lazily, as the hardware does
 *   for exceptions.  CONTROL.FPCA is set by the first FP instruction a
 *   context runs, so at a switch it says whether the outgoing context
 *   has used the FPU since it was switched in.  Only then are s16-s31
 *   and FPSCR pushed (FPSCR too, so a task's rounding mode and exception
 *   flags are its own).  CONTROL is saved with r4-r11 and written back
 *   for the incoming context: it sets FPCA again for a context whose FP
 *   registers follow (which vpop would do anyway) and clears it for one
 *   that never used the FPU, so that context's interrupts keep the short
 *   exception frame and its next switch saves nothing.  A task that
 *   never touches the FPU thus costs a few integer instructions, never
 *   an FP load or store.  And a task's first FP instruction, finding FPCA
 *   clear, makes the hardware load FPSCR from FPDSCR (FPCCR.ASPEN), so
 *   every task starts with the default rounding mode whatever ran before.
 *   Every context runs in thread mode on PSP with the same privilege, so
 *   CONTROL differs between contexts in FPCA only.  No ISB after the
 *   MSR: SPSEL and nPRIV do not change, and until the vpop s0-s15 and
 *   FPSCR hold nothing an interrupt could lose, whichever frame it
 *   stacks.
 * - ARMv6-M (Cortex-M0; Thumb-1): push and pop reach only r0-r7 and lr,
 *   so r8-r11 travel through r4-r7 after those are saved.
 *
 * The stack guards (guard.c; PORT_STACK_GUARD) add to each body:
 * - ARMv7-M: between the save and the restore, one store moves the MPU's
 *   task guard under to's stack: RBAR with VALID and the region number
 *   in its low bits selects the region and moves it at once.  to->stack
 *   is aligned to PORT_GUARD_SIZE with the guard the PORT_GUARD_SIZE
 *   bytes under it, so the value is to->stack - PORT_GUARD_SIZE + VALID
 *   + region; the scheduler's NULL stack parks the guard at the top of
 *   the address space, 0 - PORT_GUARD_SIZE, where nothing is (the main
 *   stack has a region of its own).  from's saves are checked against from's
 *   guard, which is still in place.  No barrier: until the store takes
 *   effect the old guard stays a few instructions longer, and those
 *   instructions touch only the top of to's stack.
 * - ARMv6-M: after the save, the canary of from's guard (the word under
 *   from->stack; for the scheduler, the main stack's) and the interrupt
 *   stack's.  A canary that changed traps to the fault handler (svc)
 *   with r0 the context and r1 which stack (0: r0's, 1: the interrupt
 *   stack), on a stack of its own: r0's own may be the broken one.
 */
#include "guard.h"

	.syntax unified
	.thumb
	.text
	.global port_switch
	.type port_switch, %function
	.thumb_func
port_switch:
#if __ARM_ARCH_ISA_THUMB == 1
	push	{r4-r7, lr}
	mov	r4, r8
	mov	r5, r9
	mov	r6, r10
	mov	r7, r11
	push	{r4-r7}
	mov	r2, sp
	str	r2, [r0]
#if PORT_STACK_GUARD
	ldr	r3, =PORT_GUARD_CANARY
	ldr	r2, [r0, #PORT_TASK_STACK]
	subs	r2, #4			/* the canary is the word under it */
	bcc	3f			/* NULL: the scheduler, on the main stack */
1:	ldr	r2, [r2]
	cmp	r2, r3
	bne	4f
	ldr	r2, =port_guards	/* .isr_canary */
	ldr	r2, [r2]
	ldr	r2, [r2]
	cmp	r2, r3
	bne	5f
#endif
	ldr	r2, [r1]
	mov	sp, r2
	pop	{r4-r7}
	mov	r8, r4
	mov	r9, r5
	mov	r10, r6
	mov	r11, r7
	pop	{r4-r7, pc}
#if PORT_STACK_GUARD
3:	ldr	r2, =port_guards
	ldr	r2, [r2, #4]		/* .main_canary */
	b	1b
4:	movs	r1, #0			/* r0's own stack */
	b	6f
5:	movs	r1, #1			/* the interrupt stack */
6:	ldr	r2, =port_guard_trap_stack + 64
	mov	sp, r2
	svc	#PORT_SVC_OVERFLOW	/* reports; never comes back */
	b	6b
#endif
#elif defined(__ARM_FP)
	mrs	r2, control
	tst	r2, #4			/* FPCA: from has used the FPU */
	itt	ne
	vmrsne	r3, fpscr
	vpushne	{s16-s31}
	push	{r2-r11, lr}		/* r2: CONTROL; r3: FPSCR if FPCA */
	str	sp, [r0]
#if PORT_STACK_GUARD
	ldr	r2, [r1, #PORT_TASK_STACK]
	ldr	r3, =PORT_MPU_RBAR
	subs	r2, #(PORT_GUARD_SIZE - PORT_MPU_RBAR_VALID - PORT_GUARD_REGION_TASK)
	str	r2, [r3]
#endif
	ldr	sp, [r1]
	pop	{r2-r11, lr}
	msr	control, r2
	tst	r2, #4
	itt	ne
	vmsrne	fpscr, r3
	vpopne	{s16-s31}
	bx	lr
#else
	push	{r4-r11, lr}
	str	sp, [r0]
#if PORT_STACK_GUARD
	ldr	r2, [r1, #PORT_TASK_STACK]
	ldr	r3, =PORT_MPU_RBAR
	subs	r2, #(PORT_GUARD_SIZE - PORT_MPU_RBAR_VALID - PORT_GUARD_REGION_TASK)
	str	r2, [r3]
#endif
	ldr	sp, [r1]
	pop	{r4-r11, pc}
#endif
	.ltorg
	.size port_switch, . - port_switch
