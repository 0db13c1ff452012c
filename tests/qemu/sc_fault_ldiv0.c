/*
 * The fault report for a 64-bit division by zero, checked by the runner
 * (tests/qemu/run.py).  No core here divides 64-bit numbers in hardware:
 * the C library's divide calls __aeabi_ldiv0, which the board makes
 * fault (board/common/fault.c) instead of returning 0.  ARMv7-M reports
 * a UsageFault (UNDEFINSTR) and exits 106, ARMv6-M a HardFault and exits
 * 103; either way with PC in __aeabi_ldiv0 and the report saying what it
 * was.
 */
#include "scenario.h"

void __aeabi_ldiv0(void);

static struct kt_task faulter;
static uint8_t stack[1024];
static volatile long long dividend = 7, divisor;

static int divide(void *arg)
{
	(void)arg;
	dividend = dividend / divisor;
	sc_check(false, __FILE__, __LINE__, "the division by zero went on");
	sc_finish();
}

int main(void)
{
	kt_init(0);
	sc_begin("fault_ldiv0");
#if __ARM_ARCH >= 7
	sc_expect_exit(106);
	sc_expect("FAULT: UsageFault (exception 6) in task faulter");
	sc_expect("[UNDEFINSTR]");
#else
	sc_expect_exit(103);
	sc_expect("FAULT: HardFault (exception 3) in task faulter");
#endif
	sc_expect("pc=0x%08lx", (unsigned long)(uintptr_t)__aeabi_ldiv0 & ~1ul);
	sc_expect("integer division by zero (the library's divide)");
	SC_CHECK_EQ(kt_task_spawn(&faulter, "faulter", divide, NULL, stack,
				  sizeof(stack), 5),
		    0);
	kt_run();
}
