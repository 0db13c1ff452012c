/*
 * The fault report for a jump to a bad address, checked by the runner
 * (tests/qemu/run.py): a task branches into the system region at
 * 0xe0100000, where nothing may execute.  ARMv7-M takes a MemManage
 * fault (IACCVIOL) and exits 104, ARMv6-M a HardFault and exits 103; the
 * report names the exception and the task and shows PC (the bad
 * address), LR, xPSR and r0 as the task set them.
 */
#include "fault_regs.h"
#include "scenario.h"

#define BAD_PC 0xe0100000u

static struct kt_task faulter;
static uint8_t stack[1024];

__attribute__((naked)) static int jump(void *arg)
{
	(void)arg;
	__asm volatile("ldr	r1, =0xe0100001\n\t" /* BAD_PC, Thumb */
		       SC_FAULT_SETUP "bx	r1\n\t"
		       ".ltorg");
}

int main(void)
{
	kt_init(0);
	sc_begin("fault_bad_fetch");
#if __ARM_ARCH >= 7
	sc_expect_exit(104);
	sc_expect("FAULT: MemManage (exception 4) in task faulter");
	sc_expect("[IACCVIOL]");
#else
	sc_expect_exit(103);
	sc_expect("FAULT: HardFault (exception 3) in task faulter");
#endif
	sc_expect(SC_FAULT_REGS, (unsigned long)BAD_PC);
	SC_CHECK_EQ(kt_task_spawn(&faulter, "faulter", jump, NULL, stack,
				  sizeof(stack), 5),
		    0);
	kt_run();
}
