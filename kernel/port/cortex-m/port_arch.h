/*
 * The Cortex-M port's inline part (see kernel/port.h): IPSR holds the
 * active exception number, 0 in thread mode; PRIMASK masks every
 * configurable interrupt.
 */
#ifndef KT_PORT_ARCH_H
#define KT_PORT_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "guard.h"

/* The guard's reserve, alignment included (guard.h), off a task's stack. */
#define PORT_STACK_RESERVE (PORT_STACK_GUARD ? PORT_GUARD_RESERVE_MAX : 0)

static inline bool port_in_isr(void)
{
	uint32_t ipsr;

	/* Not volatile: IPSR is the same all through a function's body, so
	 * the compiler may read it once for several checks. */
	__asm("mrs %0, ipsr" : "=r"(ipsr));
	return ipsr != 0;
}

static inline uint32_t port_irq_save(void)
{
	uint32_t primask;

	__asm volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
	return primask;
}

static inline void port_irq_restore(uint32_t state)
{
	__asm volatile("msr primask, %0" ::"r"(state) : "memory");
}

#endif
