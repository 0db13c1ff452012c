/*
 * The host port's inline part (see kernel/port.h): an "interrupt" is
 * whatever runs inside kt_host_isr(), which sets this flag.
 */
#ifndef KT_PORT_ARCH_H
#define KT_PORT_ARCH_H

#include <stdbool.h>
#include <stdint.h>

extern bool kt_host_in_isr;

static inline bool port_in_isr(void)
{
	return kt_host_in_isr;
}

/* No interrupts to mask: port_host.c's pair does nothing. */
uint32_t port_irq_save(void);
void port_irq_restore(uint32_t state);

#endif
