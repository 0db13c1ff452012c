/*
 * The chip-independent half of an Ethernet driver.
 *
 * Receive: the chip's interrupt handler is the only producer of a ring of
 * frame slots and receiving tasks are its consumers.  head and tail are
 * free-running counters, as in ring.h: the handler fills the slot at head
 * and publishes it with a release store, a receiver copies the slot at
 * tail out and only then releases it, so the handler never writes a slot
 * that is being read.  A full ring drops the new frame and counts it;
 * buffered frames are never overwritten.  Every published slot also gives
 * one unit to the rx_ready semaphore from the interrupt, and a receiver
 * takes one unit per frame: so a receiver blocks in the semaphore - in
 * the kernel's wait list, with a timeout, cancellable - and wakes through
 * the ready queue when a frame lands, with no flag to race.  Units never
 * outnumber filled slots, so a unit always finds its frame.  Receivers
 * are tasks of one cooperative kernel: one that took a unit copies its
 * slot out before anything else runs in thread mode.
 *
 * Transmit: the chip's try_send() puts a frame into the MAC when it has
 * room.  When it has none, the sender counts itself in tx_waiters, clears
 * tx_room, tries again and only then blocks on tx_room; the
 * transmit-complete interrupt sets tx_room when someone waits.  A
 * completion after the second try finds the flag cleared and sets it, so
 * the wait returns at once: no lost wake-up.  Every wait is in a loop
 * that tries again, so two senders woken by one completion take turns.
 *
 * Counters that both sides touch are bumped with atomic adds.
 */
#include <string.h>

#include "eth_port.h"
#include "port.h"

static void bump(uint32_t *c, uint32_t n)
{
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

int eth_port_init(struct eth_port *p, struct eth_slot *slots, size_t n)
{
	if (p == NULL || slots == NULL || n == 0 || n > 32768 || (n & (n - 1)) != 0)
		return -EINVAL;
	p->slots = slots;
	p->mask = (uint32_t)n - 1u;
	p->head = 0;
	p->tail = 0;
	if (kt_sem_init(&p->rx_ready, 0, (uint32_t)n) != 0)
		return -EINVAL;
	kt_event_init(&p->tx_room);
	p->tx_waiters = 0;
	memset(&p->stats, 0, sizeof(p->stats));
	p->up = false;
	return 0;
}

/* ---- interrupt side ------------------------------------------------------- */

struct eth_slot *eth_port_rx_slot_isr(struct eth_port *p)
{
	uint32_t head = __atomic_load_n(&p->head, __ATOMIC_RELAXED);
	uint32_t tail = __atomic_load_n(&p->tail, __ATOMIC_ACQUIRE);

	if (head - tail > p->mask) {
		bump(&p->stats.rx_dropped, 1);
		return NULL;
	}
	return &p->slots[head & p->mask];
}

void eth_port_rx_commit_isr(struct eth_port *p, struct eth_slot *s,
			    unsigned off, unsigned len)
{
	uint32_t head = __atomic_load_n(&p->head, __ATOMIC_RELAXED);

	s->off = (uint16_t)off;
	s->len = (uint16_t)len;
	__atomic_store_n(&p->head, head + 1u, __ATOMIC_RELEASE);
	bump(&p->stats.rx_frames, 1);
	bump(&p->stats.rx_bytes, len);
	/* Cannot overflow: units <= filled slots <= the semaphore's max. */
	kt_sem_give_isr(&p->rx_ready);
}

void eth_port_rx_discard_isr(struct eth_port *p, enum eth_rx_discard why)
{
	switch (why) {
	case ETH_RX_RUNT:
		bump(&p->stats.rx_runt, 1);
		break;
	case ETH_RX_OVERSIZE:
		bump(&p->stats.rx_oversize, 1);
		break;
	case ETH_RX_FILTERED:
		bump(&p->stats.rx_filtered, 1);
		break;
	default:
		bump(&p->stats.rx_errors, 1);
		break;
	}
}

void eth_port_rx_overrun_isr(struct eth_port *p)
{
	bump(&p->stats.rx_overruns, 1);
}

void eth_port_tx_done_isr(struct eth_port *p, bool error)
{
	bump(&p->stats.tx_done, 1);
	if (error)
		bump(&p->stats.tx_errors, 1);
	if (p->tx_waiters != 0)
		kt_event_set_isr(&p->tx_room);
}

void eth_port_tx_error_isr(struct eth_port *p)
{
	bump(&p->stats.tx_errors, 1);
}

void eth_port_irq_isr(struct eth_port *p)
{
	bump(&p->stats.irqs, 1);
}

/* ---- task side ------------------------------------------------------------- */

/*
 * memcpy, but when dst and src are misaligned alike (a slot's frame 2
 * bytes into its words, copied into a buffer that keeps the IP header
 * aligned) copy the head bytes first, so memcpy takes its word path.
 */
static void copy_frame(uint8_t *dst, const uint8_t *src, size_t n)
{
	if ((((uintptr_t)dst ^ (uintptr_t)src) & 3u) == 0) {
		while (n != 0 && ((uintptr_t)dst & 3u) != 0) {
			*dst++ = *src++;
			n--;
		}
	}
	if (n != 0)
		memcpy(dst, src, n);
}

int eth_port_recv(struct eth_port *p, void *buf, size_t len, kt_tick_t timeout)
{
	bool in_task = kt_self() != NULL;
	struct eth_slot *s;
	uint32_t tail;
	int err;

	if (!p->up)
		return -ENODEV;
	if (buf == NULL || len == 0)
		return -EINVAL;
	if (port_in_isr())
		return -EPERM; /* the ring's consumers live in thread mode */
	err = kt_sem_take(&p->rx_ready, in_task ? timeout : KT_NOWAIT);
	if (err != 0)
		return !in_task && err == -ETIMEDOUT ? -EAGAIN : err;
	tail = __atomic_load_n(&p->tail, __ATOMIC_RELAXED);
	s = &p->slots[tail & p->mask];
	if (s->len > len) {
		err = -EMSGSIZE;
		bump(&p->stats.rx_short_buf, 1);
	} else {
		copy_frame(buf, (const uint8_t *)s->data + s->off, s->len);
		err = s->len;
	}
	__atomic_store_n(&p->tail, tail + 1u, __ATOMIC_RELEASE);
	return err;
}

/* Ticks left until deadline, for a wait that started with timeout. */
static kt_tick_t remaining(kt_tick_t deadline, kt_tick_t timeout)
{
	kt_tick_t now = kt_now();

	if (timeout == KT_FOREVER)
		return KT_FOREVER;
	return kt_tick_before(now, deadline) ? deadline - now : KT_NOWAIT;
}

int eth_port_send(struct eth_port *p, eth_try_send_fn try_send, void *ctx,
		  const void *frame, size_t len, kt_tick_t timeout)
{
	kt_tick_t deadline = kt_now() + timeout;
	int err;

	if (!p->up)
		return -ENODEV;
	if (frame == NULL || len < BOARD_ETH_FRAME_MIN || len > BOARD_ETH_FRAME_MAX)
		return -EINVAL;
	if (port_in_isr())
		return -EPERM;
	err = try_send(ctx, frame, len);
	while (err == -EAGAIN && kt_self() != NULL) {
		p->tx_waiters++;
		__atomic_signal_fence(__ATOMIC_SEQ_CST); /* count, then clear */
		kt_event_clear(&p->tx_room);
		err = try_send(ctx, frame, len);
		if (err == -EAGAIN) {
			int w = kt_event_wait(&p->tx_room,
					      remaining(deadline, timeout));

			if (w != 0)
				err = w;
		}
		p->tx_waiters--;
	}
	if (err != 0)
		return err;
	bump(&p->stats.tx_frames, 1);
	bump(&p->stats.tx_bytes, (uint32_t)len);
	return (int)len;
}

void eth_port_stats(const struct eth_port *p, struct board_eth_stats *s)
{
	uint32_t irq = port_irq_save();

	*s = p->stats;
	port_irq_restore(irq);
}
