/*
 * The fault report for an integer division by zero, checked by the runner
 * (tests/qemu/run.py).  ARMv7-M divides in hardware and traps it
 * (CCR.DIV_0_TRP): a UsageFault (DIVBYZERO), exit 106, with PC at the
 * SDIV and LR, xPSR and r0 as the task set them.  ARMv6-M has no divide
 * instruction: the C library's divide calls __aeabi_idiv0, which the
 * board makes fault (board/common/fault.c) instead of returning 0: a
 * HardFault, exit 103, with PC in __aeabi_idiv0 and the report saying
 * what it was.
 */
#include "fault_regs.h"
#include "scenario.h"

extern const char sc_fault_pc[];
void __aeabi_idiv0(void);

static struct kt_task faulter;
static uint8_t stack[1024];
static volatile int dividend = 7, divisor;

#if __ARM_ARCH >= 7
__attribute__((naked)) static int divide(void *arg)
{
	(void)arg;
	__asm volatile("movs	r1, #0\n\t" SC_FAULT_SETUP ".global sc_fault_pc\n"
		       "sc_fault_pc:\n\t"
		       "sdiv	r2, r0, r1\n\t"
		       ".ltorg");
}
#else
static int divide(void *arg)
{
	(void)arg;
	dividend = dividend / divisor;
	sc_check(false, __FILE__, __LINE__, "the division by zero went on");
	sc_finish();
}
#endif

int main(void)
{
	kt_init(0);
	sc_begin("fault_div0");
#if __ARM_ARCH >= 7
	sc_expect_exit(106);
	sc_expect("FAULT: UsageFault (exception 6) in task faulter");
	sc_expect("[DIVBYZERO]");
	sc_expect(SC_FAULT_REGS, (unsigned long)(uintptr_t)sc_fault_pc);
#else
	sc_expect_exit(103);
	sc_expect("FAULT: HardFault (exception 3) in task faulter");
	sc_expect("pc=0x%08lx", (unsigned long)(uintptr_t)__aeabi_idiv0 & ~1ul);
	sc_expect("integer division by zero (the library's divide)");
#endif
	SC_CHECK_EQ(kt_task_spawn(&faulter, "faulter", divide, NULL, stack,
				  sizeof(stack), 5),
		    0);
	kt_run();
}
