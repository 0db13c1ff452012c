/*
 * A load through a NULL pointer to a structure (issue 15, item 3): a task
 * reads the field at offset NULL_FIELD of a NULL pointer.  Checked by
 * the runner (tests/qemu/run.py).
 *
 * ARMv7-M: the MPU's NULL guard (board/common/mpu.c) covers the first
 * 256 bytes, so the load is a MemManage fault with MMFAR at the field;
 * the report names the task, shows PC at the load and says it was a NULL
 * pointer; exit 104.  Before the guard the load returned a word of the
 * vector table.
 *
 * ARMv6-M (micro:bit, no MPU): nothing can catch it; the load returns the
 * vector table's word there (the MemManage vector, which is the fault
 * handler's address), as the scenario checks, and it ends normally.
 */
#include "fault_regs.h"
#include "scenario.h"

#define NULL_FIELD 0x10 /* vector 4 */

extern const char sc_fault_pc[];
void board_fault_handler(void);

static struct kt_task faulter;
static uint8_t stack[1024];

/* ((struct { ...; uint32_t at_0x10; } *)NULL)->at_0x10, at sc_fault_pc. */
__attribute__((naked)) static uint32_t load(void)
{
	__asm volatile("push	{r4, lr}\n\t"
		       "movs	r3, #0\n\t" SC_FAULT_SETUP ".global sc_fault_pc\n"
		       "sc_fault_pc:\n\t"
		       "ldr	r0, [r3, #0x10]\n\t" /* NULL_FIELD */
		       "pop	{r4, pc}\n\t"
		       ".ltorg");
}

static int faulting(void *arg)
{
	(void)arg;
	/* Only without an MPU does the task get here. */
	SC_CHECK_EQ(load(), (uintptr_t)board_fault_handler);
	sc_finish();
}

int main(void)
{
	kt_init(0);
	sc_begin("fault_null_read");
#if __ARM_ARCH >= 7
	sc_expect_exit(104);
	sc_expect("FAULT: MemManage (exception 4) in task faulter");
	sc_expect("NULL pointer: an access to 0x%08x (the NULL guard", NULL_FIELD);
	sc_expect("[DACCVIOL MMARVALID]");
	sc_expect(SC_FAULT_REGS, (unsigned long)(uintptr_t)sc_fault_pc);
#else
	sc_expect_exit(0);
#endif
	SC_CHECK_EQ(kt_task_spawn(&faulter, "faulter", faulting, NULL, stack,
				  sizeof(stack), 5),
		    0);
	kt_run();
}
