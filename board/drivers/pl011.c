/*
 * PL011 UART, the register half (uart.c has the rings and the tasks).
 *
 * One interrupt line carries everything; the handler reads the masked
 * status (MIS) and serves receive, overrun and transmit in turn.
 *
 * RX: with the FIFO on, real hardware interrupts when the FIFO reaches
 * its trigger level or, for fewer bytes, after a receive timeout, so both
 * interrupts are enabled; QEMU raises RX on the first byte.  The handler
 * clears the status first and then empties the FIFO: a byte that lands
 * after the last read raises it again, where clearing after the reads
 * could erase that byte's interrupt and strand it.  For the same reason
 * init empties the FIFO before it enables interrupts: a byte already
 * there when the status was cleared would never interrupt.
 *
 * TX: writers and the TX interrupt feed the FIFO while it has room (FR's
 * TXFF says when not).  Real hardware interrupts when the FIFO drains
 * through its trigger level, so whoever finds room fills it: a writer
 * after queueing (tx_start), or the interrupt; QEMU sets the TX status on
 * every byte written (and models no FIFO: TXFF is never set), so init
 * clears it before enabling the interrupt.  QEMU also writes each byte to
 * its host side synchronously: when that backs up, QEMU stalls rather
 * than the UART, so under QEMU this transmitter never fills.
 */
#include "pl011.h"

#include "common/cortex_m.h"

struct regs {
	volatile uint32_t dr;  /* 0x00 */
	volatile uint32_t rsr; /* 0x04: receive status / error clear */
	uint32_t reserved0[4];
	volatile uint32_t fr; /* 0x18 */
	uint32_t reserved1;
	volatile uint32_t ilpr; /* 0x20 */
	volatile uint32_t ibrd; /* 0x24 */
	volatile uint32_t fbrd; /* 0x28 */
	volatile uint32_t lcrh; /* 0x2c */
	volatile uint32_t cr;   /* 0x30 */
	volatile uint32_t ifls; /* 0x34 */
	volatile uint32_t imsc; /* 0x38 */
	volatile uint32_t ris;  /* 0x3c */
	volatile uint32_t mis;  /* 0x40 */
	volatile uint32_t icr;  /* 0x44 */
};

#define FR_BUSY (1u << 3)
#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)

#define LCRH_FEN (1u << 4)
#define LCRH_WLEN8 (3u << 5)

#define CR_UARTEN (1u << 0)
#define CR_TXE (1u << 8)
#define CR_RXE (1u << 9)

#define INT_RX (1u << 4)
#define INT_TX (1u << 5)
#define INT_RT (1u << 6)
#define INT_OE (1u << 10)
#define INT_ALL 0x7ffu

static inline struct regs *regs_of(struct uart *u)
{
	return (struct regs *)u->base;
}

/* Fill the FIFO while it has room; ring consumer side. */
static void tx_feed(struct uart *u)
{
	struct regs *r = regs_of(u);
	uint8_t b;

	while (!(r->fr & FR_TXFF) && uart_tx_next(u, &b))
		r->dr = b;
}

static void put_polled(struct uart *u, uint8_t b)
{
	struct regs *r = regs_of(u);

	while (r->fr & FR_TXFF)
		;
	r->dr = b;
}

static void drain(struct uart *u)
{
	while (regs_of(u)->fr & FR_BUSY)
		;
}

static const struct uart_ops pl011_ops = {
	.tx_start = tx_feed,
	.put_polled = put_polled,
	.drain = drain,
};

int pl011_init(struct uart *u, const struct pl011_config *c)
{
	struct regs *r;
	uint32_t div;

	if (c == NULL || c->baud == 0)
		return -EINVAL;
	if (uart_init(u, &pl011_ops, c->base, c->rx_buf, c->rx_size, c->tx_buf,
		      c->tx_size) != 0)
		return -EINVAL;
	r = regs_of(u);
	r->cr = 0;
	/* The divisor in 64ths: uartclk / (16 x baud), rounded. */
	div = (c->uartclk_hz * 4u + c->baud / 2u) / c->baud;
	r->ibrd = div >> 6;
	r->fbrd = div & 63u;
	r->lcrh = LCRH_WLEN8 | LCRH_FEN; /* after the divisor: latches it */
	r->icr = INT_ALL;
	while (!(r->fr & FR_RXFE))
		(void)r->dr;
	r->rsr = 0;
	r->imsc = INT_RX | INT_RT | INT_TX | INT_OE;
	r->cr = CR_UARTEN | CR_TXE | CR_RXE;
	nvic_unpend(c->irq);
	nvic_enable(c->irq);
	return 0;
}

void pl011_isr(struct uart *u)
{
	struct regs *r = regs_of(u);
	uint32_t mis = r->mis;

	if (mis & (INT_RX | INT_RT)) {
		r->icr = INT_RX | INT_RT; /* before reading: see the top */
		while (!(r->fr & FR_RXFE))
			uart_rx_byte_isr(u, (uint8_t)r->dr);
		uart_rx_done_isr(u);
	}
	if (mis & INT_OE) {
		r->icr = INT_OE;
		r->rsr = 0;
		u->stats.rx_overrun++;
	}
	if (mis & INT_TX) {
		r->icr = INT_TX;
		tx_feed(u);
		uart_tx_done_isr(u);
	}
}
