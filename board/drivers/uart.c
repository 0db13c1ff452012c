/*
 * The task side of every interrupt-driven UART (see uart.h).
 *
 * RX: the driver's RX interrupt is the receive ring's only producer and
 * the reading task its consumer.  When the ring is full, new bytes are
 * dropped and counted; buffered ones are never overwritten.  TX: the
 * writing task produces into the transmit ring and the driver consumes,
 * in its TX interrupt and in tx_start.  A UART interrupts only after it
 * has been given something to send, so a writer starts an idle
 * transmitter itself (tx_start); every byte the hardware takes then ends
 * in an interrupt that feeds the next.  tx_start runs with interrupts
 * masked for its few instructions only because the ring allows one
 * consumer at a time and the TX interrupt is the other one.
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
 * for room with interrupts masked, after whatever tasks queued first, so
 * output keeps its order.  In a handler (a fault report) the ring is left
 * alone, since the interrupted code may be in the middle of taking from
 * it.
 */
#include "uart.h"

#include "common/cortex_m.h"
#include "port.h"

int uart_init(struct uart *u, const struct uart_ops *ops, uintptr_t base,
	      void *rx_buf, size_t rx_size, void *tx_buf, size_t tx_size)
{
	if (u == NULL || ops == NULL)
		return -EINVAL;
	if (kt_ring_init(&u->rx, rx_buf, rx_size) != 0 ||
	    kt_ring_init(&u->tx, tx_buf, tx_size) != 0)
		return -EINVAL;
	kt_event_init(&u->rx_ready);
	kt_event_init(&u->tx_room);
	u->rx_waiters = 0;
	u->tx_waiters = 0;
	u->rx_hook = NULL;
	u->tx_busy = 0;
	u->stats = (struct board_uart_stats){ 0 };
	u->base = base;
	u->ops = ops;
	return 0;
}

void uart_rx_done_isr(struct uart *u)
{
	if (u->rx_waiters != 0)
		kt_event_set_isr(&u->rx_ready);
}

void uart_tx_done_isr(struct uart *u)
{
	if (u->tx_waiters != 0 && kt_ring_free(&u->tx) >= kt_ring_size(&u->tx) / 2)
		kt_event_set_isr(&u->tx_room);
}

void uart_set_rx_hook(struct uart *u, void (*hook)(uint8_t b))
{
	u->rx_hook = hook;
}

void uart_get_stats(struct uart *u, struct board_uart_stats *s)
{
	uint32_t irq = port_irq_save();

	*s = u->stats;
	port_irq_restore(irq);
}

/* ---- polled output ---------------------------------------------------------- */

static void put_polled(struct uart *u, uint8_t b)
{
	u->ops->put_polled(u, b);
	u->stats.tx_bytes++;
}

static void write_polled(struct uart *u, const uint8_t *p, size_t len)
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

void uart_flush(struct uart *u)
{
	uint32_t s;
	uint8_t b;

	if (u->ops == NULL)
		return;
	s = port_irq_save();
	/*
	 * Not from an interrupt handler, which may have interrupted the TX
	 * interrupt mid-take.  A fault may have too, but it is on its way
	 * to exit and the queued output is worth more than the ring.
	 */
	if (cm_ipsr() < 16) {
		while (kt_ring_get(&u->tx, &b))
			put_polled(u, b);
	}
	u->ops->drain(u);
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

int uart_read(struct uart *u, void *buf, size_t len, kt_tick_t timeout)
{
	kt_tick_t deadline = kt_now() + timeout;
	size_t n;
	int err;

	if (u->ops == NULL)
		return -ENODEV; /* before board_init */
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
		err = n != 0 ? 0 :
			       kt_event_wait(&u->rx_ready,
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

/* Hand the queued bytes to an idle transmitter; the interrupt does the rest. */
static void tx_kick(struct uart *u)
{
	uint32_t s = port_irq_save();

	u->ops->tx_start(u);
	port_irq_restore(s);
}

int uart_write(struct uart *u, const void *buf, size_t len, kt_tick_t timeout)
{
	kt_tick_t deadline = kt_now() + timeout;
	const uint8_t *p = buf;
	size_t done = 0;
	int err;

	if (u->ops == NULL)
		return -ENODEV;
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
		err = kt_ring_free(&u->tx) != 0 ?
			      0 :
			      kt_event_wait(&u->tx_room,
					    remaining(deadline, timeout));
		u->tx_waiters--;
		if (err != 0)
			break;
	}
	/* Timed out or cancelled: a last try, then report what went out. */
	done += kt_ring_write(&u->tx, p + done, len - done);
	tx_kick(u);
	return done != 0 ? (int)done : err;
}
