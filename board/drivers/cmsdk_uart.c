/*
 * CMSDK APB UART: interrupt-driven, with a lock-free ring each way.
 *
 * The UART holds one byte each way.  RX: the RX interrupt is the ring's
 * only producer and the reading task its consumer.  It clears its
 * interrupt status before it reads DATA: a byte that lands after the read
 * raises the status again, where clearing after the read could erase that
 * byte's interrupt and strand it.  When the ring is full, new bytes are
 * dropped and counted; buffered ones are never overwritten.
 *
 * TX: the writing task produces into the ring and the TX interrupt
 * consumes.  The TX interrupt fires only when the holding register goes
 * from full to empty, so a writer must hand the first byte to an idle
 * transmitter itself (the "kick"); every byte the hardware takes then ends
 * in an interrupt that feeds the next.  STATE.TXFULL alone says whether a
 * byte is in flight, so no software "busy" flag can disagree with the
 * hardware: whoever finds the holding register empty and the ring not
 * empty sends.  The kick masks interrupts for its few instructions only
 * because the ring allows one consumer at a time and the TX interrupt is
 * the other one.
 *
 * Waking without lost wake-ups: a waiting task counts itself in
 * rx_waiters (tx_waiters), clears the event, checks the ring again and
 * only then blocks.  The interrupt sets the event only when someone waits.
 * A byte that arrives after the check still wakes the task: the set either
 * finds the task not yet blocked (the flag is up, so the wait returns at
 * once) or already blocked (the set's work item wakes it).  Every wait is
 * in a loop that checks the ring again, so a spurious wake-up costs a
 * round and nothing else.  No work is posted to the kernel for bytes
 * nobody waits for, which also keeps interrupts that come before
 * kt_init() away from the kernel.  A blocked writer is woken once half
 * the ring is free, not per byte.
 *
 * Outside a task nothing may block, so writes are polled: each byte waits
 * for TXFULL to clear with interrupts masked, after whatever tasks queued
 * first, so output keeps its order.  In a handler (a fault report) the
 * ring is left alone, since the interrupted code may be in the middle of
 * taking from it.
 */
#include "cmsdk_uart.h"

#include "common/cortex_m.h"
#include "port.h"

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

int cmsdk_uart_init(struct cmsdk_uart *u, const struct cmsdk_uart_config *c)
{
	struct cmsdk_uart_regs *r;

	if (u == NULL || c == NULL || c->baud == 0)
		return -EINVAL;
	if (kt_ring_init(&u->rx, c->rx_buf, c->rx_size) != 0 ||
	    kt_ring_init(&u->tx, c->tx_buf, c->tx_size) != 0)
		return -EINVAL;
	kt_event_init(&u->rx_ready);
	kt_event_init(&u->tx_room);
	u->rx_waiters = 0;
	u->tx_waiters = 0;
	u->rx_hook = NULL;
	u->stats = (struct cmsdk_uart_stats){ 0 };
	u->regs = r = (struct cmsdk_uart_regs *)c->base;

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

/* ---- interrupts ----------------------------------------------------------- */

void cmsdk_uart_rx_isr(struct cmsdk_uart *u)
{
	struct cmsdk_uart_regs *r = u->regs;

	r->intstatus = INT_RX; /* before reading DATA: see the top */
	while (r->state & STATE_RXFULL) {
		uint8_t b = (uint8_t)r->data;
		void (*hook)(uint8_t) = u->rx_hook;

		u->stats.rx_bytes++;
		if (hook != NULL)
			hook(b);
		else if (!kt_ring_put(&u->rx, b))
			u->stats.rx_dropped++;
	}
	if (u->rx_waiters != 0)
		kt_event_set_isr(&u->rx_ready);
}

void cmsdk_uart_set_rx_hook(struct cmsdk_uart *u, void (*hook)(uint8_t b))
{
	u->rx_hook = hook;
}

/* Feed the holding register while it is empty; ring consumer side. */
static void tx_feed(struct cmsdk_uart *u)
{
	struct cmsdk_uart_regs *r = u->regs;
	uint8_t b;

	while (!(r->state & STATE_TXFULL) && kt_ring_get(&u->tx, &b)) {
		r->data = b;
		u->stats.tx_bytes++;
	}
}

void cmsdk_uart_tx_isr(struct cmsdk_uart *u)
{
	u->regs->intstatus = INT_TX;
	tx_feed(u);
	if (u->tx_waiters != 0 && kt_ring_free(&u->tx) >= kt_ring_size(&u->tx) / 2)
		kt_event_set_isr(&u->tx_room);
}

void cmsdk_uart_overflow_isr(struct cmsdk_uart *u)
{
	struct cmsdk_uart_regs *r = u->regs;
	uint32_t st = r->intstatus & (INT_RX_OVR | INT_TX_OVR);

	if (st & INT_RX_OVR)
		u->stats.rx_overrun++;
	r->intstatus = st; /* also clears the overrun bits in STATE */
}

/* ---- polled output ---------------------------------------------------------- */

static void put_polled(struct cmsdk_uart *u, uint8_t b)
{
	while (u->regs->state & STATE_TXFULL)
		;
	u->regs->data = b;
	u->stats.tx_bytes++;
}

static void write_polled(struct cmsdk_uart *u, const uint8_t *p, size_t len)
{
	bool in_handler = port_in_isr();
	size_t i = 0;

	while (i < len) {
		uint32_t s = port_irq_save();
		uint8_t b;

		if (in_handler || !kt_ring_get(&u->tx, &b))
			b = p[i++];
		put_polled(u, b);
		port_irq_restore(s);
	}
}

void cmsdk_uart_flush(struct cmsdk_uart *u)
{
	uint32_t s = port_irq_save();
	uint8_t b;

	/*
	 * Not from an interrupt handler, which may have interrupted the TX
	 * interrupt mid-take.  A fault may have too, but it is on its way
	 * to exit and the queued output is worth more than the ring.
	 */
	if (cm_ipsr() < 16) {
		while (kt_ring_get(&u->tx, &b))
			put_polled(u, b);
	}
	while (u->regs->state & STATE_TXFULL)
		;
	port_irq_restore(s);
}

/* ---- task side -------------------------------------------------------------- */

/* Ticks left until deadline, for a wait that started with timeout. */
static kt_tick_t remaining(kt_tick_t deadline, kt_tick_t timeout)
{
	kt_tick_t now = kt_now();

	if (timeout == KT_FOREVER)
		return KT_FOREVER;
	return kt_tick_before(now, deadline) ? deadline - now : KT_NOWAIT;
}

int cmsdk_uart_read(struct cmsdk_uart *u, void *buf, size_t len,
		    kt_tick_t timeout)
{
	kt_tick_t deadline = kt_now() + timeout;
	size_t n;
	int err;

	if (buf == NULL || len == 0)
		return -EINVAL;
	if (port_in_isr())
		return -EPERM;
	if (kt_self() == NULL) {
		n = kt_ring_read(&u->rx, buf, len);
		return n != 0 ? (int)n : -EAGAIN;
	}
	for (;;) {
		n = kt_ring_read(&u->rx, buf, len);
		if (n != 0)
			return (int)n;
		u->rx_waiters++;
		__atomic_signal_fence(__ATOMIC_SEQ_CST); /* count, then check */
		kt_event_clear(&u->rx_ready);
		n = kt_ring_read(&u->rx, buf, len);
		err = n != 0 ? 0 : kt_event_wait(&u->rx_ready,
						 remaining(deadline, timeout));
		u->rx_waiters--;
		if (n != 0)
			return (int)n;
		if (err != 0)
			break;
	}
	/* Timed out or cancelled: a byte may still have made it in. */
	n = kt_ring_read(&u->rx, buf, len);
	return n != 0 ? (int)n : err;
}

/* Hand the first byte to an idle transmitter; the TX interrupt does the rest. */
static void tx_kick(struct cmsdk_uart *u)
{
	uint32_t s = port_irq_save();
	uint8_t b;

	if (!(u->regs->state & STATE_TXFULL) && kt_ring_get(&u->tx, &b)) {
		u->regs->data = b;
		u->stats.tx_bytes++;
	}
	port_irq_restore(s);
}

int cmsdk_uart_write(struct cmsdk_uart *u, const void *buf, size_t len,
		     kt_tick_t timeout)
{
	kt_tick_t deadline = kt_now() + timeout;
	const uint8_t *p = buf;
	size_t done = 0;
	int err;

	if (buf == NULL || len == 0)
		return -EINVAL;
	if (kt_self() == NULL || port_in_isr()) {
		write_polled(u, p, len);
		return (int)len;
	}
	for (;;) {
		done += kt_ring_write(&u->tx, p + done, len - done);
		tx_kick(u);
		if (done == len)
			return (int)len;
		u->tx_waiters++;
		__atomic_signal_fence(__ATOMIC_SEQ_CST); /* count, then check */
		kt_event_clear(&u->tx_room);
		err = kt_ring_free(&u->tx) != 0 ? 0 :
			kt_event_wait(&u->tx_room, remaining(deadline, timeout));
		u->tx_waiters--;
		if (err != 0)
			break;
	}
	/* Timed out or cancelled: a last try, then report what went out. */
	done += kt_ring_write(&u->tx, p + done, len - done);
	tx_kick(u);
	return done != 0 ? (int)done : err;
}

void cmsdk_uart_get_stats(const struct cmsdk_uart *u,
			  struct cmsdk_uart_stats *s)
{
	uint32_t irq = port_irq_save();

	*s = u->stats;
	port_irq_restore(irq);
}
