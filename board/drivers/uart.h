/*
 * The half of an interrupt-driven UART driver that is the same for every
 * UART: a lock-free ring each way, the blocking reads and writes of
 * board.h, polled output outside tasks, the counters.  A register-level
 * driver (cmsdk_uart.c, pl011.c, nrf51_uart.c, stm32_usart.c) supplies
 * the other half: its init, its interrupt handler and three operations
 * in struct uart_ops.  See uart.c for how the two sides share the rings.
 *
 * One struct uart per UART.  Thread mode, unless a function says
 * otherwise; the _isr functions are for the driver's interrupt handler.
 */
#ifndef UART_H
#define UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "kettle.h"
#include "ring.h"

struct uart;

struct uart_ops {
	/*
	 * Start or continue sending: move bytes from the transmit ring
	 * (uart_tx_next) into the hardware while it has room, and see to it
	 * that an interrupt follows when it has room again.  Called with
	 * interrupts masked, in thread mode, after a task queued bytes.
	 */
	void (*tx_start)(struct uart *u);
	/* Send b, polled: wait for room, then write it.  Interrupts masked. */
	void (*put_polled)(struct uart *u, uint8_t b);
	/* Wait until the hardware has sent everything it was given.  Masked. */
	void (*drain)(struct uart *u);
};

struct uart {
	uintptr_t base;                      /* the registers */
	const struct uart_ops *ops;          /* NULL until the driver's init */
	struct kt_ring rx;                   /* produced by the RX interrupt */
	struct kt_ring tx;                   /* consumed by the TX interrupt */
	struct kt_event rx_ready;            /* set by the RX interrupt */
	struct kt_event tx_room;             /* set by the TX interrupt */
	volatile uint32_t rx_waiters;        /* tasks blocked in read */
	volatile uint32_t tx_waiters;        /* tasks blocked in write */
	void (*volatile rx_hook)(uint8_t b); /* takes bytes instead of rx */
	volatile uint32_t tx_busy; /* for drivers whose UART cannot say */
	struct board_uart_stats stats;
};

/*
 * Set up the software side: rings on rx_buf and tx_buf (power-of-two
 * sizes), events, counters.  The driver's init calls it before it touches
 * the hardware.  -EINVAL for NULL arguments or a size that is not a power
 * of two.
 */
int uart_init(struct uart *u, const struct uart_ops *ops, uintptr_t base,
	      void *rx_buf, size_t rx_size, void *tx_buf, size_t tx_size);

/* ---- for the driver's interrupt handler (and its tx_start) ---------------- */

/* One received byte: to the hook, or to the ring (counted when dropped). */
static inline void uart_rx_byte_isr(struct uart *u, uint8_t b)
{
	void (*hook)(uint8_t) = u->rx_hook;

	u->stats.rx_bytes++;
	if (hook != NULL)
		hook(b);
	else if (!kt_ring_put(&u->rx, b))
		u->stats.rx_dropped++;
}

/* After the received bytes: wake a waiting reader. */
void uart_rx_done_isr(struct uart *u);

/* The next byte to send, counted: false when the ring is empty.  TX side. */
static inline bool uart_tx_next(struct uart *u, uint8_t *b)
{
	if (!kt_ring_get(&u->tx, b))
		return false;
	u->stats.tx_bytes++;
	return true;
}

/* After feeding the hardware: wake a blocked writer once there is room. */
void uart_tx_done_isr(struct uart *u);

/* ---- board.h's console calls, for any UART ---------------------------------- */

/* board_uart_read/board_uart_write, same contracts; -ENODEV before init. */
int uart_read(struct uart *u, void *buf, size_t len, kt_tick_t timeout);
int uart_write(struct uart *u, const void *buf, size_t len, kt_tick_t timeout);
void uart_set_rx_hook(struct uart *u, void (*hook)(uint8_t b));  /* any */
void uart_get_stats(struct uart *u, struct board_uart_stats *s); /* any */

/*
 * Send everything queued and wait until the UART has sent the last byte,
 * polling.  any (board_exit and fault reports use it).
 */
void uart_flush(struct uart *u);

#endif
