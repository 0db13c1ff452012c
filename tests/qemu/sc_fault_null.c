/*
 * A store through a NULL pointer (issue 15, item 3), checked by the
 * runner (tests/qemu/run.py): a task writes a word to address 0.
 *
 * ARMv7-M (mps2, lm3s6965evb, netduinoplus2): the MPU's NULL guard
 * (board/common/mpu.c) makes it a MemManage fault, DACCVIOL with MMFAR
 * 0, before anything is written; the report names the task, shows PC at
 * the store and says it was a NULL pointer; exit 104.  Before the guard,
 * on mps2-an385 the store replaced the vector table's first word, the
 * initial SP, and the task went on.
 *
 * ARMv6-M (micro:bit, no MPU): nothing can catch it.  Address 0 is flash,
 * which ignores a plain store (only the NVMC writes it), so the store is
 * lost and the word still reads as the initial SP; the scenario checks
 * exactly that and ends normally.
 */
#include "fault_regs.h"
#include "scenario.h"

#define NULL_VALUE 0x5eedc0deu

extern const char sc_fault_pc[];
extern uint32_t __isr_stack_top[];

static struct kt_task faulter;
static uint8_t stack[1024];

/* *(uint32_t *)0 = NULL_VALUE, at sc_fault_pc, with the registers known. */
__attribute__((naked)) static void store(void)
{
	__asm volatile("push	{r4, lr}\n\t"
		       "ldr	r1, =0x5eedc0de\n\t" /* NULL_VALUE */
		       "movs	r3, #0\n\t" SC_FAULT_SETUP ".global sc_fault_pc\n"
		       "sc_fault_pc:\n\t"
		       "str	r1, [r3]\n\t"
		       "pop	{r4, pc}\n\t"
		       ".ltorg");
}

/* 0, where the compiler cannot see it (it may trap a NULL it sees). */
static uintptr_t null_address(void)
{
	uintptr_t a;

	__asm volatile("movs	%0, #0" : "=l"(a));
	return a;
}

static int faulting(void *arg)
{
	(void)arg;
	store();
	/* Only without an MPU does the task get here: the store was lost. */
	SC_CHECK_EQ(*(volatile uint32_t *)(uintptr_t)null_address(),
		    (uintptr_t)__isr_stack_top);
	sc_finish();
}

int main(void)
{
	kt_init(0);
	sc_begin("fault_null");
#if __ARM_ARCH >= 7
	sc_expect_exit(104);
	sc_expect("FAULT: MemManage (exception 4) in task faulter");
	sc_expect("NULL pointer: an access to 0x00000000 (the NULL guard");
	sc_expect("[DACCVIOL MMARVALID]");
	sc_expect("mmfar=0x00000000");
	sc_expect(SC_FAULT_REGS, (unsigned long)(uintptr_t)sc_fault_pc);
#else
	sc_expect_exit(0);
#endif
	SC_CHECK_EQ(kt_task_spawn(&faulter, "faulter", faulting, NULL, stack,
				  sizeof(stack), 5),
		    0);
	kt_run();
}
