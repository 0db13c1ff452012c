/*
 * For the sc_fault_* scenarios: the registers the faulting code sets
 * before it faults, so that the runner can check that the fault report
 * shows them as the task left them.  SC_FAULT_SETUP (Thumb-1, so ARMv6-M
 * runs it too) loads r0 and LR and sets Z and C with a compare of equals;
 * it uses r2.  The stacked xPSR is then SC_FAULT_PSR: the flags and the
 * Thumb bit, nothing else, in thread mode.
 */
#ifndef FAULT_REGS_H
#define FAULT_REGS_H

#define SC_FAULT_R0 0xc0ffee00u
#define SC_FAULT_LR 0x0badf00du
#define SC_FAULT_PSR 0x61000000u

#define SC_FAULT_SETUP \
	"ldr	r0, =0xc0ffee00\n\t" \
	"ldr	r2, =0x0badf00d\n\t" \
	"mov	lr, r2\n\t" \
	"cmp	r0, r0\n\t"

/* The report's register line for a fault at pc, as sc_expect() text. */
#define SC_FAULT_REGS "pc=0x%08lx lr=0x0badf00d psr=0x61000000 r0=0xc0ffee00"

#endif
