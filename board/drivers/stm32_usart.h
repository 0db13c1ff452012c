/*
 * The STM32F2/F4 USART (netduinoplus2's USART1): the register half of an
 * interrupt-driven UART; uart.c is the task half.  A board calls
 * stm32_usart_init() from board_init() and sends the USART's interrupt
 * line to stm32_usart_isr().  See stm32_usart.c for the design.
 */
#ifndef STM32_USART_H
#define STM32_USART_H

#include <stddef.h>
#include <stdint.h>

#include "uart.h"

struct stm32_usart_config {
	uintptr_t base;
	uint32_t pclk_hz; /* the bus clock of this USART */
	uint32_t baud;
	unsigned irq;          /* NVIC line */
	void *rx_buf, *tx_buf; /* ring storage: power-of-two sizes */
	size_t rx_size, tx_size;
};

/*
 * Set 8N1 at baud (16x oversampling), enable the USART, its receiver and
 * transmitter, the receive interrupt and the NVIC line; the transmit
 * interrupt is enabled while there is something to send.  Thread mode,
 * once.  -EINVAL for a NULL argument, baud 0 or a ring size that is not
 * a power of two.
 */
int stm32_usart_init(struct uart *u, const struct stm32_usart_config *c);

/* The USART's interrupt handler: the board's vector calls it.  ISR. */
void stm32_usart_isr(struct uart *u);

#endif
