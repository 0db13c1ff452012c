/*
 * The nRF51's UART (micro:bit): the register half of an interrupt-driven
 * UART; uart.c is the task half.  A board calls nrf51_uart_init() from
 * board_init() and sends the UART's interrupt line to nrf51_uart_isr().
 * See nrf51_uart.c for the design.
 */
#ifndef NRF51_UART_H
#define NRF51_UART_H

#include <stddef.h>
#include <stdint.h>

#include "uart.h"

struct nrf51_uart_config {
	uintptr_t base;
	uint32_t baudrate;       /* the BAUDRATE register's code, not bit/s */
	unsigned tx_pin, rx_pin; /* GPIO pins */
	unsigned irq;            /* NVIC line */
	void *rx_buf, *tx_buf;   /* ring storage: power-of-two sizes */
	size_t rx_size, tx_size;
};

/* BAUDRATE codes (nRF51 reference manual). */
#define NRF51_UART_BAUD_115200 0x01d7e000u

/*
 * Route the pins, set 8N1 at the given rate, start the receiver and the
 * transmitter, enable the RXDRDY, TXDRDY and ERROR interrupts and the
 * NVIC line.  Thread mode, once.  -EINVAL for a NULL argument or a ring
 * size that is not a power of two.
 */
int nrf51_uart_init(struct uart *u, const struct nrf51_uart_config *c);

/* The UART's interrupt handler: the board's vector calls it.  ISR. */
void nrf51_uart_isr(struct uart *u);

/*
 * For a periodic interrupt (the board's tick) to call: finish a byte
 * whose TXDRDY came without its interrupt.  QEMU 7.2's model does that
 * when a byte that waited for its host side finally goes out: without
 * this, output would stop for good after the first stall.  On hardware
 * it finds nothing to do.  ISR, at the UART's priority.
 */
void nrf51_uart_poll_isr(struct uart *u);

#endif
