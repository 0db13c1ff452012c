/*
 * Interrupt-driven driver for the ARM CMSDK APB UART (mps2-an385, an386,
 * an500 under QEMU).  One struct cmsdk_uart per UART; the board provides
 * the buffers, wires the UART's interrupt vectors to the _isr functions and
 * picks which instance is its console.  See cmsdk_uart.c for the design.
 */
#ifndef CMSDK_UART_H
#define CMSDK_UART_H

#include <stddef.h>
#include <stdint.h>

#include "kettle.h"
#include "ring.h"

struct cmsdk_uart_regs {
	volatile uint32_t data;      /* 0x00 */
	volatile uint32_t state;     /* 0x04 */
	volatile uint32_t ctrl;      /* 0x08 */
	volatile uint32_t intstatus; /* 0x0c: read status, write 1 to clear */
	volatile uint32_t bauddiv;   /* 0x10 */
};

struct cmsdk_uart_stats {
	uint32_t rx_bytes;   /* taken from the UART, dropped ones included */
	uint32_t tx_bytes;   /* handed to the UART */
	uint32_t rx_dropped; /* the receive ring was full */
	uint32_t rx_overrun; /* hardware overrun interrupts */
};

struct cmsdk_uart {
	struct cmsdk_uart_regs *regs;
	struct kt_ring rx;          /* produced by the RX interrupt */
	struct kt_ring tx;          /* consumed by the TX interrupt */
	struct kt_event rx_ready;   /* set by the RX interrupt */
	struct kt_event tx_room;    /* set by the TX interrupt */
	volatile uint32_t rx_waiters; /* tasks blocked in read */
	volatile uint32_t tx_waiters; /* tasks blocked in write */
	void (*volatile rx_hook)(uint8_t b); /* takes bytes instead of rx */
	struct cmsdk_uart_stats stats;
};

/*
 * Hand every received byte to hook, called in the RX interrupt, instead of
 * the RX ring (NULL: back to the ring).  any.
 */
void cmsdk_uart_set_rx_hook(struct cmsdk_uart *u, void (*hook)(uint8_t b));

struct cmsdk_uart_config {
	uintptr_t base;
	uint32_t pclk_hz;
	uint32_t baud;
	unsigned rx_irq, tx_irq; /* NVIC lines; the overflow line is the board's */
	void *rx_buf, *tx_buf;   /* ring storage: power-of-two sizes */
	size_t rx_size, tx_size;
};

/*
 * Reset the UART, enable it and its RX, TX and RX-overrun interrupts, and
 * enable its RX and TX lines in the NVIC.  Thread mode, once, before any
 * other call.  -EINVAL for a NULL argument or a ring size that is not a
 * power of two.
 */
int cmsdk_uart_init(struct cmsdk_uart *u, const struct cmsdk_uart_config *c);

/* The UART's interrupt handlers: the board's vectors call them.  ISR. */
void cmsdk_uart_rx_isr(struct cmsdk_uart *u);
void cmsdk_uart_tx_isr(struct cmsdk_uart *u);
/* The overflow (overrun) interrupt; may share a line with other UARTs. */
void cmsdk_uart_overflow_isr(struct cmsdk_uart *u);

/* board_uart_read/board_uart_write for this UART: same contracts. */
int cmsdk_uart_read(struct cmsdk_uart *u, void *buf, size_t len,
		    kt_tick_t timeout);
int cmsdk_uart_write(struct cmsdk_uart *u, const void *buf, size_t len,
		     kt_tick_t timeout);

/*
 * Send everything queued and wait until the UART has taken the last byte,
 * polling.  any (board_exit and fault reports use it).
 */
void cmsdk_uart_flush(struct cmsdk_uart *u);

/* A snapshot of the counters.  any. */
void cmsdk_uart_get_stats(const struct cmsdk_uart *u,
			  struct cmsdk_uart_stats *s);

#endif
