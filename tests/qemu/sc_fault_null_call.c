/*
 * A call through a NULL function pointer (issue 15, item 3), checked by
 * the runner (tests/qemu/run.py): a task branches with blx to 0, as C
 * does for a NULL function pointer.  On ARMv7-M QEMU checks the MPU
 * before the Thumb bit: the fetch from 0 is a MemManage fault (IACCVIOL)
 * on the NULL guard (board/common/mpu.c), exit 104 (a real core takes a
 * UsageFault, INVSTATE, for the clear Thumb bit first; the report's NULL
 * line comes from PC either way).  ARMv6-M takes a HardFault (103); the
 * micro:bit has no MPU and the report says only where PC was.  The PC
 * and LR shown are 0 and the return address after the blx.
 */
#include "scenario.h"

extern const char sc_fault_ret[];

static struct kt_task faulter;
static uint8_t stack[1024];

__attribute__((naked)) static int call_null(void *arg)
{
	(void)arg;
	__asm volatile("movs	r3, #0\n\t"
		       "blx	r3\n\t"
		       ".global sc_fault_ret\n"
		       "sc_fault_ret:\n\t"
		       "b	sc_fault_ret\n\t");
}

int main(void)
{
	kt_init(0);
	sc_begin("fault_null_call");
#if __ARM_ARCH >= 7
	sc_expect_exit(104);
	sc_expect("FAULT: MemManage (exception 4) in task faulter");
	sc_expect("NULL pointer: code run at 0x00000000 (the NULL guard");
	sc_expect("[IACCVIOL]");
#else
	sc_expect_exit(103);
	sc_expect("FAULT: HardFault (exception 3) in task faulter");
#endif
	sc_expect("pc=0x00000000 lr=0x%08lx",
		  (unsigned long)(uintptr_t)sc_fault_ret | 1u);
	SC_CHECK_EQ(kt_task_spawn(&faulter, "faulter", call_null, NULL, stack,
				  sizeof(stack), 5),
		    0);
	kt_run();
}
