/*
 * The fault report for an undefined instruction, checked by the runner
 * (tests/qemu/run.py, the sc_fault_ verdict): a task executes UDF.
 * ARMv7-M takes a UsageFault (UNDEFINSTR) and exits 106, ARMv6-M a
 * HardFault and exits 103; the report names the exception and the task
 * and shows PC (the UDF itself), LR, xPSR and r0 as the task set them.
 */
#include "fault_regs.h"
#include "scenario.h"

extern const char sc_fault_pc[];

static struct kt_task faulter;
static uint8_t stack[1024];

__attribute__((naked)) static int undefined(void *arg)
{
	(void)arg;
	__asm volatile(SC_FAULT_SETUP ".global sc_fault_pc\n"
				      "sc_fault_pc:\n\t"
				      "udf	#0x42\n\t"
				      ".ltorg");
}

int main(void)
{
	kt_init(0);
	sc_begin("fault_undef");
#if __ARM_ARCH >= 7
	sc_expect_exit(106);
	sc_expect("FAULT: UsageFault (exception 6) in task faulter");
	sc_expect("[UNDEFINSTR]");
#else
	sc_expect_exit(103);
	sc_expect("FAULT: HardFault (exception 3) in task faulter");
#endif
	sc_expect(SC_FAULT_REGS, (unsigned long)(uintptr_t)sc_fault_pc);
	SC_CHECK_EQ(kt_task_spawn(&faulter, "faulter", undefined, NULL, stack,
				  sizeof(stack), 5),
		    0);
	kt_run();
}
