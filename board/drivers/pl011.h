/*
 * ARM PrimeCell PL011 UART, as on the Stellaris LM3S parts (lm3s6965evb's
 * UART0): the register half of an interrupt-driven UART; uart.c is the
 * task half.  A board calls pl011_init() from board_init() and sends the
 * UART's one interrupt line to pl011_isr().  See pl011.c for the design.
 */
#ifndef PL011_H
#define PL011_H

#include <stddef.h>
#include <stdint.h>

#include "uart.h"

struct pl011_config {
	uintptr_t base;
	uint32_t uartclk_hz; /* the UART's reference clock */
	uint32_t baud;
	unsigned irq;          /* NVIC line */
	void *rx_buf, *tx_buf; /* ring storage: power-of-two sizes */
	size_t rx_size, tx_size;
};

/*
 * Reset the UART to 8N1 at baud with its FIFOs on, enable it and its
 * receive, receive-timeout, transmit and overrun interrupts, and its NVIC
 * line.  Thread mode, once.  -EINVAL for a NULL argument, baud 0 or a
 * ring size that is not a power of two.
 */
int pl011_init(struct uart *u, const struct pl011_config *c);

/* The UART's interrupt handler: the board's vector calls it.  ISR. */
void pl011_isr(struct uart *u);

#endif
