/*
 * CMSDK APB UART (ARM's Cortex-M System Design Kit, on the MPS2 boards):
 * the register half of an interrupt-driven UART; board/drivers/uart.c is
 * the task half.  A board calls cmsdk_uart_init() from board_init(), wires
 * the UART's interrupt vectors to the _isr functions and picks which
 * instance is its console.  See cmsdk_uart.c for the design.
 */
#ifndef CMSDK_UART_H
#define CMSDK_UART_H

#include <stddef.h>
#include <stdint.h>

#include "uart.h"

struct cmsdk_uart_config {
	uintptr_t base;
	uint32_t pclk_hz;
	uint32_t baud;
	unsigned rx_irq, tx_irq; /* NVIC lines; the overflow line is the board's */
	void *rx_buf, *tx_buf; /* ring storage: power-of-two sizes */
	size_t rx_size, tx_size;
};

/*
 * Reset the UART, enable it and its RX, TX and RX-overrun interrupts, and
 * enable its RX and TX lines in the NVIC.  Thread mode, once, before any
 * other call.  -EINVAL for a NULL argument, baud 0 or a ring size that is
 * not a power of two.
 */
int cmsdk_uart_init(struct uart *u, const struct cmsdk_uart_config *c);

/* The UART's interrupt handlers: the board's vectors call them.  ISR. */
void cmsdk_uart_rx_isr(struct uart *u);
void cmsdk_uart_tx_isr(struct uart *u);
/* The overflow (overrun) interrupt; may share a line with other UARTs. */
void cmsdk_uart_overflow_isr(struct uart *u);

#endif
