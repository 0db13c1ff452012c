/*
 * Host port extras for tests: a virtual clock the test advances and
 * simulated interrupts.  The kernel itself never includes this.
 */
#ifndef KT_PORT_HOST_H
#define KT_PORT_HOST_H

#include "kettle.h"

/* Run fn(arg) as an interrupt handler: port_in_isr() is true inside. */
void kt_host_isr(void (*fn)(void *), void *arg);
/* n ticks: each runs the tick interrupt, then the scheduler until idle. */
void kt_host_tick(kt_tick_t n);
/*
 * Call hook(arg) as an interrupt (through kt_host_isr) at every task
 * switch: tests use it to fire interrupts at arbitrary points.  NULL stops.
 */
void kt_host_set_switch_hook(void (*hook)(void *), void *arg);
/* Task switches so far (port_switch calls). */
unsigned long kt_host_switches(void);

#endif
