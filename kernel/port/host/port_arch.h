/*
 * The host port's inline part (see kernel/port.h): an "interrupt" is
 * whatever runs inside kt_host_isr(), which sets this flag.
 */
#ifndef KT_PORT_ARCH_H
#define KT_PORT_ARCH_H

#include <stdbool.h>

extern bool kt_host_in_isr;

static inline bool port_in_isr(void)
{
	return kt_host_in_isr;
}

#endif
