/*
 * The ARMv7-M port (Cortex-M3/M4/M7).
 *
 * Thread mode runs on PSP and handlers on MSP (the board's startup selects
 * PSP before main), so a task switch is a plain change of SP in thread
 * mode - see switch.S - and an interrupt leaves only its 8-word frame on a
 * task's stack.  The kernel needs no interrupt masking of its own on this
 * core: port_irq_save() exists for drivers and for the idle check.
 */
#include "kettle.h"
#include "port.h"

uint32_t port_irq_save(void)
{
	uint32_t primask;

	__asm volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
	return primask;
}

void port_irq_restore(uint32_t state)
{
	__asm volatile("msr primask, %0" ::"r"(state) : "memory");
}

void port_idle(void)
{
	/* With PRIMASK set, WFI still wakes on a pending interrupt. */
	__asm volatile("dsb\n\twfi" ::: "memory");
}

bool port_in_isr(void)
{
	uint32_t ipsr;

	__asm volatile("mrs %0, ipsr" : "=r"(ipsr));
	return ipsr != 0;
}

/*
 * The first frame: r4-r11 and the return address that switch.S pops, with
 * SP 8-byte aligned once they are gone (AAPCS).
 */
void port_task_init(struct kt_task *t)
{
	uint32_t *sp = (uint32_t *)((char *)t->stack + t->stack_size);

	*--sp = 0;                              /* pad: keeps SP 8-aligned */
	*--sp = (uint32_t)(uintptr_t)kt_task_entry; /* pc, Thumb bit set */
	for (int r = 11; r >= 4; r--)
		*--sp = 0;                      /* r11 .. r4 */
	t->sp = sp;
}
