/*
 * An overflow of the interrupt stack ends the run (exit 98) with a report
 * that says so (kernel/port/cortex-m/guard.c, board/common/fault.c).  The
 * soft interrupt's handler uses the interrupt stack down into its guard.
 * On ARMv7-M the MPU faults at the first push there: a MemManage fault,
 * taken at once because interrupts run below the faults' priority
 * (board/common/startup.c).  On ARMv6-M the handler returns with the
 * canary overwritten, and the next task switch finds it.
 */
#include "guard.h"
#include "scenario.h"

#define STACK 1024

static struct kt_task tasks[2];
static uint8_t stacks[2][STACK];

static void handler(void)
{
	sc_dig(port_guards.isr_lo + PORT_GUARD_SIZE - 8);
}

static int worker(void *arg)
{
	for (unsigned i = 0; i < 100; i++) {
		if (arg != NULL && i == 10)
			board_soft_irq_pend();
		kt_yield();
	}
	sc_check(false, __FILE__, __LINE__, "the overflow went unnoticed");
	sc_finish();
}

int main(void)
{
	kt_init(0);
	sc_begin("fault_isr_stack");
	sc_expect_exit(98);
	sc_expect("FAULT: stack overflow of the interrupt stack");
	sc_expect(__ARM_ARCH >= 7 ? "caught by the MPU, MemManage" :
				    "caught by its canary, at a task switch");
	board_soft_irq_set(handler);
	SC_CHECK_EQ(kt_task_spawn(&tasks[0], "kicker", worker, &tasks[0],
				  stacks[0], STACK, 5),
		    0);
	SC_CHECK_EQ(kt_task_spawn(&tasks[1], "other", worker, NULL, stacks[1],
				  STACK, 5),
		    0);
	kt_run();
}
