/*
 * An overflow of the main stack - main(), the scheduler and the callbacks
 * it runs - ends the run (exit 98) with a report that says so
 * (kernel/port/cortex-m/guard.c, board/common/fault.c).  A task posts a
 * callback that uses the main stack down into its guard.  On ARMv7-M the
 * MPU faults at the first push there; on ARMv6-M the callback returns
 * with the canary overwritten, and the scheduler's next switch to a task
 * finds it.
 */
#include "guard.h"
#include "scenario.h"

#define STACK 1024

static struct kt_task task;
static uint8_t stack[STACK];
static struct kt_work work;

static void dig(void *arg)
{
	(void)arg;
	sc_dig(port_guards.main_lo + PORT_GUARD_SIZE - 8);
}

static int poster(void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < 100; i++) {
		if (i == 10)
			kt_call_soon(&work);
		kt_yield();
	}
	sc_check(false, __FILE__, __LINE__, "the overflow went unnoticed");
	sc_finish();
}

int main(void)
{
	kt_init(0);
	sc_begin("fault_main_stack");
	sc_expect_exit(98);
	sc_expect("FAULT: stack overflow of the main stack (main, the scheduler)");
	sc_expect(__ARM_ARCH >= 7 ? "caught by the MPU, MemManage" :
				    "caught by its canary, at a task switch");
	kt_work_init(&work, dig, NULL);
	SC_CHECK_EQ(kt_task_spawn(&task, "poster", poster, NULL, stack, STACK, 5), 0);
	kt_run();
}
