/*
 * STM32F2/F4 USART, the register half (uart.c has the rings and the
 * tasks).
 *
 * One interrupt line; the status register says why.  RX: RXNE means a
 * byte waits in DR, and reading DR clears it (and an overrun, ORE, which
 * the read after the status read clears too).  One byte per interrupt:
 * the USART holds only one.
 *
 * TX: TXE means DR can take a byte, and it stays set while the
 * transmitter is idle, so its interrupt (TXEIE) is enabled only while the
 * ring has something to send.  A writer, after queueing (tx_start), feeds
 * DR itself while TXE holds and enables TXEIE only for what is left; the
 * handler goes on feeding while TXE holds and disables TXEIE once the
 * ring is empty.  TXEIE is changed in the handler and, masked, by
 * tx_start only.  QEMU 7.2's model raises no TX interrupt at all, but
 * writes each byte to its host side synchronously and keeps TXE set, so
 * there tx_start sends everything and never needs one; when the host
 * side backs up, QEMU stalls rather than the USART, so under QEMU this
 * transmitter never fills.
 */
#include "stm32_usart.h"

#include "common/cortex_m.h"

struct regs {
	volatile uint32_t sr;  /* 0x00 */
	volatile uint32_t dr;  /* 0x04 */
	volatile uint32_t brr; /* 0x08 */
	volatile uint32_t cr1; /* 0x0c */
	volatile uint32_t cr2; /* 0x10 */
	volatile uint32_t cr3; /* 0x14 */
};

#define SR_ORE (1u << 3)
#define SR_RXNE (1u << 5)
#define SR_TC (1u << 6)
#define SR_TXE (1u << 7)

#define CR1_RE (1u << 2)
#define CR1_TE (1u << 3)
#define CR1_RXNEIE (1u << 5)
#define CR1_TXEIE (1u << 7)
#define CR1_UE (1u << 13)

static inline struct regs *regs_of(struct uart *u)
{
	return (struct regs *)u->base;
}

/* Feed DR while it has room: false once the ring is empty. */
static bool tx_feed(struct uart *u)
{
	struct regs *r = regs_of(u);
	uint8_t b;

	while (r->sr & SR_TXE) {
		if (!uart_tx_next(u, &b))
			return false;
		r->dr = b;
	}
	return true;
}

static void tx_start(struct uart *u)
{
	if (tx_feed(u))
		regs_of(u)->cr1 |= CR1_TXEIE; /* the handler sends the rest */
}

static void put_polled(struct uart *u, uint8_t b)
{
	struct regs *r = regs_of(u);

	while (!(r->sr & SR_TXE))
		;
	r->dr = b;
}

static void drain(struct uart *u)
{
	while (!(regs_of(u)->sr & SR_TC))
		;
}

static const struct uart_ops stm32_ops = {
	.tx_start = tx_start,
	.put_polled = put_polled,
	.drain = drain,
};

int stm32_usart_init(struct uart *u, const struct stm32_usart_config *c)
{
	struct regs *r;

	if (c == NULL || c->baud == 0)
		return -EINVAL;
	if (uart_init(u, &stm32_ops, c->base, c->rx_buf, c->rx_size, c->tx_buf,
		      c->tx_size) != 0)
		return -EINVAL;
	r = regs_of(u);
	r->cr1 = 0;
	r->cr2 = 0; /* 1 stop bit */
	r->cr3 = 0; /* no flow control, no DMA */
	/* 16x oversampling: BRR is pclk / baud in 16ths of a bit, rounded. */
	r->brr = (c->pclk_hz + c->baud / 2u) / c->baud;
	r->cr1 = CR1_UE | CR1_TE | CR1_RE;
	while (r->sr & (SR_RXNE | SR_ORE))
		(void)r->dr; /* a stale byte, and a stale overrun */
	r->cr1 = CR1_UE | CR1_TE | CR1_RE | CR1_RXNEIE;
	nvic_unpend(c->irq);
	nvic_enable(c->irq);
	return 0;
}

void stm32_usart_isr(struct uart *u)
{
	struct regs *r = regs_of(u);
	uint32_t sr = r->sr;

	if (sr & (SR_RXNE | SR_ORE)) {
		uint8_t b = (uint8_t)r->dr; /* clears RXNE, and ORE after the SR read */
		if (sr & SR_ORE)
			u->stats.rx_overrun++;
		if (sr & SR_RXNE) {
			uart_rx_byte_isr(u, b);
			uart_rx_done_isr(u);
		}
	}
	if ((r->cr1 & CR1_TXEIE) && (r->sr & SR_TXE)) {
		if (!tx_feed(u))
			r->cr1 &= ~CR1_TXEIE;
		uart_tx_done_isr(u);
	}
}
