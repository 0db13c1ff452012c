/*
 * The Cortex-M port's inline part (see kernel/port.h): IPSR holds the
 * active exception number, 0 in thread mode.
 */
#ifndef KT_PORT_ARCH_H
#define KT_PORT_ARCH_H

#include <stdbool.h>
#include <stdint.h>

static inline bool port_in_isr(void)
{
	uint32_t ipsr;

	__asm volatile("mrs %0, ipsr" : "=r"(ipsr));
	return ipsr != 0;
}

#endif
