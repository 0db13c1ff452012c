/*
 * A store into the code memory (issue 15, item 3), checked by the runner
 * (tests/qemu/run.py): a task writes over a constant, which the linker
 * put with the code.
 *
 * ARMv7-M: board/common/mpu.c makes the whole code memory read-only after
 * start-up (the vector table too; on the mps2 boards it is RAM, which a
 * store used to change), so the store is a MemManage fault, DACCVIOL
 * with MMFAR at the constant; exit 104, and the report names the task.
 *
 * ARMv6-M (micro:bit, no MPU): the code is flash, which ignores a plain
 * store; the constant keeps its value, as the scenario checks.
 */
#include "scenario.h"

#define KEPT 0x600dc0deu

static const uint32_t kept = KEPT; /* .rodata: in the code memory */
static struct kt_task faulter;
static uint8_t stack[1024];

static int faulting(void *arg)
{
	(void)arg;
	*(volatile uint32_t *)(uintptr_t)&kept = ~KEPT;
	/* Only without an MPU does the task get here: the store was lost. */
	SC_CHECK_EQ(*(const volatile uint32_t *)&kept, KEPT);
	sc_finish();
}

int main(void)
{
	kt_init(0);
	sc_begin("fault_code_write");
#if __ARM_ARCH >= 7
	sc_expect_exit(104);
	sc_expect("FAULT: MemManage (exception 4) in task faulter");
	sc_expect("[DACCVIOL MMARVALID]");
	sc_expect("mmfar=0x%08lx", (unsigned long)(uintptr_t)&kept);
#else
	sc_expect_exit(0);
#endif
	SC_CHECK_EQ(kt_task_spawn(&faulter, "faulter", faulting, NULL, stack,
				  sizeof(stack), 5),
		    0);
	kt_run();
}
