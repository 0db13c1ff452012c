/*
 * The fault report for a load from a bad address, checked by the runner
 * (tests/qemu/run.py): a task reads 0x30000000, where no board has
 * memory.  ARMv7-M takes a precise BusFault with the address in BFAR and
 * exits 105, ARMv6-M a HardFault and exits 103; the report names the
 * exception and the task and shows PC (the load), LR, xPSR and r0 as the
 * task set them.  QEMU's lm3s6965evb answers every unmapped address with
 * 0 instead of a bus error (SC_BUS_ERRORS 0, mk/fault.mk): there the
 * load must return 0 and the scenario passes as any other.
 */
#include "fault_regs.h"
#include "scenario.h"

#define BAD_ADDR 0x30000000u

extern const char sc_fault_pc[];

static struct kt_task faulter;
static uint8_t stack[1024];

__attribute__((naked)) static uint32_t load(void)
{
	__asm volatile("ldr	r1, =0x30000000\n\t" /* BAD_ADDR */
		       "push	{r4, lr}\n\t" SC_FAULT_SETUP ".global sc_fault_pc\n"
		       "sc_fault_pc:\n\t"
		       "ldr	r0, [r1]\n\t"
		       "pop	{r4, pc}\n\t"
		       ".ltorg");
}

static int faulting(void *arg)
{
	(void)arg;
	SC_CHECK_EQ(load(), 0);
	sc_finish();
}

int main(void)
{
	kt_init(0);
	sc_begin("fault_bad_load");
#if !SC_BUS_ERRORS
	sc_expect_exit(0);
#elif __ARM_ARCH >= 7
	sc_expect_exit(105);
	sc_expect("FAULT: BusFault (exception 5) in task faulter");
	sc_expect("[PRECISERR BFARVALID]");
	sc_expect("bfar=0x%08lx", (unsigned long)BAD_ADDR);
#else
	sc_expect_exit(103);
	sc_expect("FAULT: HardFault (exception 3) in task faulter");
#endif
#if SC_BUS_ERRORS
	sc_expect(SC_FAULT_REGS, (unsigned long)(uintptr_t)sc_fault_pc);
#endif
	SC_CHECK_EQ(kt_task_spawn(&faulter, "faulter", faulting, NULL, stack,
				  sizeof(stack), 5),
		    0);
	kt_run();
}
