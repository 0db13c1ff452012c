/*
 * CMSDK APB UART, the register half (uart.c has the rings and the tasks).
 *
 * The UART holds one byte each way.  RX: the RX interrupt clears its
 * interrupt status before it reads DATA: a byte that lands after the read
 * raises the status again, where clearing after the read could erase that
 * byte's interrupt and strand it.
 *
 * TX: the TX interrupt fires only when the holding register goes from
 * full to empty, so a writer hands the first byte to an idle transmitter
 * itself (tx_start, from uart.c); every byte the hardware takes then ends
 * in an interrupt that feeds the next.  STATE.TXFULL alone says whether a
 * byte is in flight, so no software "busy" flag can disagree with the
 * hardware: whoever finds the holding register empty and the ring not
 * empty sends.  Under QEMU the UART backs up when its host side does (a
 * full pipe or socket): TXFULL then stays set and writers block.
 */
#include "cmsdk_uart.h"

#include "common/cortex_m.h"

struct regs {
	volatile uint32_t data;      /* 0x00 */
	volatile uint32_t state;     /* 0x04 */
	volatile uint32_t ctrl;      /* 0x08 */
	volatile uint32_t intstatus; /* 0x0c: read status, write 1 to clear */
	volatile uint32_t bauddiv;   /* 0x10 */
};

#define STATE_TXFULL (1u << 0)
#define STATE_RXFULL (1u << 1)

#define CTRL_TX_EN (1u << 0)
#define CTRL_RX_EN (1u << 1)
#define CTRL_TX_IRQ (1u << 2)
#define CTRL_RX_IRQ (1u << 3)
#define CTRL_RX_OVR_IRQ (1u << 5)

#define INT_TX (1u << 0)
#define INT_RX (1u << 1)
#define INT_TX_OVR (1u << 2)
#define INT_RX_OVR (1u << 3)

static inline struct regs *regs_of(struct uart *u)
{
	return (struct regs *)u->base;
}

/* Feed the holding register while it is empty; ring consumer side. */
static void tx_feed(struct uart *u)
{
	struct regs *r = regs_of(u);
	uint8_t b;

	while (!(r->state & STATE_TXFULL) && uart_tx_next(u, &b))
		r->data = b;
}

static void put_polled(struct uart *u, uint8_t b)
{
	struct regs *r = regs_of(u);

	while (r->state & STATE_TXFULL)
		;
	r->data = b;
}

static void drain(struct uart *u)
{
	while (regs_of(u)->state & STATE_TXFULL)
		;
}

static const struct uart_ops cmsdk_ops = {
	.tx_start = tx_feed,
	.put_polled = put_polled,
	.drain = drain,
};

int cmsdk_uart_init(struct uart *u, const struct cmsdk_uart_config *c)
{
	struct regs *r;

	if (c == NULL || c->baud == 0)
		return -EINVAL;
	if (uart_init(u, &cmsdk_ops, c->base, c->rx_buf, c->rx_size, c->tx_buf,
		      c->tx_size) != 0)
		return -EINVAL;
	r = regs_of(u);
	r->ctrl = 0;
	r->bauddiv = c->pclk_hz / c->baud; /* 16 at least: QEMU warns below */
	/* Clearing the overrun bits here also clears them in STATE. */
	r->intstatus = INT_TX | INT_RX | INT_TX_OVR | INT_RX_OVR;
	while (r->state & STATE_RXFULL)
		(void)r->data; /* a stale byte would never interrupt */
	r->ctrl = CTRL_TX_EN | CTRL_RX_EN | CTRL_TX_IRQ | CTRL_RX_IRQ |
		  CTRL_RX_OVR_IRQ;
	nvic_unpend(c->rx_irq);
	nvic_unpend(c->tx_irq);
	nvic_enable(c->rx_irq);
	nvic_enable(c->tx_irq);
	return 0;
}

void cmsdk_uart_rx_isr(struct uart *u)
{
	struct regs *r = regs_of(u);

	r->intstatus = INT_RX; /* before reading DATA: see the top */
	while (r->state & STATE_RXFULL)
		uart_rx_byte_isr(u, (uint8_t)r->data);
	uart_rx_done_isr(u);
}

void cmsdk_uart_tx_isr(struct uart *u)
{
	regs_of(u)->intstatus = INT_TX;
	tx_feed(u);
	uart_tx_done_isr(u);
}

void cmsdk_uart_overflow_isr(struct uart *u)
{
	struct regs *r = regs_of(u);
	uint32_t st = r->intstatus & (INT_RX_OVR | INT_TX_OVR);

	if (st & INT_RX_OVR)
		u->stats.rx_overrun++;
	r->intstatus = st; /* also clears the overrun bits in STATE */
}
