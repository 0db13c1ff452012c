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
 */
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
	ldr	r2, [r1]
	mov	sp, r2
	pop	{r4-r7}
	mov	r8, r4
	mov	r9, r5
	mov	r10, r6
	mov	r11, r7
	pop	{r4-r7, pc}
#elif defined(__ARM_FP)
	mrs	r2, control
	tst	r2, #4			/* FPCA: from has used the FPU */
	itt	ne
	vmrsne	r3, fpscr
	vpushne	{s16-s31}
	push	{r2-r11, lr}		/* r2: CONTROL; r3: FPSCR if FPCA */
	str	sp, [r0]
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
	ldr	sp, [r1]
	pop	{r4-r11, pc}
#endif
	.size port_switch, . - port_switch
