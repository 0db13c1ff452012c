/*
 * The Stellaris LM3S6965 Ethernet controller: interrupt driven, over
 * eth_port.c.
 *
 * The controller has one data register in front of two FIFOs.  Receive:
 * each frame comes out as words, the first holding its length in the low
 * half (frame + 2 length bytes + 4 FCS bytes) and the frame's first two
 * bytes in the high half; NP counts the frames waiting.  Transmit: the
 * FIFO takes one frame, its first word holding the payload length (frame
 * length minus the 14-byte header) and the frame's first two bytes,
 * then the rest; writing TR sends it, and TXEMP interrupts when it is
 * gone.
 *
 * The interrupt acknowledges what it saw before draining (a frame that
 * lands meanwhile interrupts again), then moves every waiting frame into
 * the next ring slot word by word.  The slot keeps the controller's
 * layout - the length half-word first - and records that the frame starts
 * 2 bytes in, so every store is a whole aligned word and nothing is
 * shifted.  A frame that finds the ring full, or whose length is absurd,
 * is drained into nothing, exactly its words, so the FIFO stays in step.
 * TXEMP (or TXER) clears tx_busy and completes the frame, which wakes a
 * sender waiting for the one-frame FIFO.
 *
 * Padding to the 60-byte minimum and the FCS are the controller's
 * (PADEN, CRC).  It filters no addresses (on silicon not without
 * promiscuous mode off; QEMU models none): the stack drops what is not
 * for us.  Its PHY is not touched: QEMU models none, and the link is
 * never waited for.
 */
#include "common/cortex_m.h"
#include "stellaris_eth.h"

/* Register offsets, in words. */
#define RIS (0x00u / 4) /* read: raw status; write: IACK */
#define IM (0x04u / 4)
#define RCTL (0x08u / 4)
#define TCTL (0x0cu / 4)
#define DATA (0x10u / 4)
#define IA0 (0x14u / 4)
#define IA1 (0x18u / 4)
#define THR (0x1cu / 4)
#define NP (0x34u / 4)
#define TR (0x38u / 4)

#define INT_RX (1u << 0)
#define INT_TXER (1u << 1)
#define INT_TXEMP (1u << 2)
#define INT_FOV (1u << 3)
#define INT_RXER (1u << 4)
#define INT_ALL 0x7fu
#define INT_USED (INT_RX | INT_TXER | INT_TXEMP | INT_FOV | INT_RXER)

#define RCTL_RXEN (1u << 0)
#define RCTL_BADCRC (1u << 3)
#define RCTL_RSTFIFO (1u << 4)
#define TCTL_TXEN (1u << 0)
#define TCTL_PADEN (1u << 1)
#define TCTL_CRC (1u << 2)
#define TCTL_DUPLEX (1u << 3)
#define THR_OFF 0x3fu /* no early start: TR sends */
#define TR_NEWTX (1u << 0)
#define NP_MASK 0x3fu

#define RX_EXTRA 6u               /* the length half-word and the FCS */
#define RX_WORDS_MAX (2048u / 4u) /* the FIFO's size: a bound on a bad length */

static bool no_address(uint32_t ia0, uint32_t ia1)
{
	ia1 &= 0xffffu;
	return (ia0 == 0 && ia1 == 0) || (ia0 == 0xffffffffu && ia1 == 0xffffu);
}

int stellaris_eth_init(struct stellaris_eth *d, const struct stellaris_eth_config *c)
{
	volatile uint32_t *r;
	uint32_t ia0, ia1;

	if (d == NULL || c == NULL || c->base == 0)
		return -EINVAL;
	if (eth_port_init(&d->port, c->slots, c->slot_count) != 0)
		return -EINVAL;
	d->regs = r = (volatile uint32_t *)c->base;
	d->irq = c->irq;
	d->tx_busy = false;
	nvic_disable(d->irq);

	r[IM] = 0; /* every source is enabled at reset */
	r[RIS] = INT_ALL;
	r[RCTL] = RCTL_RSTFIFO;
	r[RCTL] = RCTL_BADCRC;
	r[TCTL] = TCTL_TXEN | TCTL_PADEN | TCTL_CRC | TCTL_DUPLEX;
	r[THR] = THR_OFF;

	ia0 = r[IA0];
	ia1 = r[IA1];
	if (no_address(ia0, ia1)) {
		ia0 = (uint32_t)c->mac[0] | ((uint32_t)c->mac[1] << 8) |
		      ((uint32_t)c->mac[2] << 16) | ((uint32_t)c->mac[3] << 24);
		ia1 = (uint32_t)c->mac[4] | ((uint32_t)c->mac[5] << 8);
		r[IA0] = ia0;
		r[IA1] = ia1;
	}
	for (unsigned i = 0; i < 4; i++)
		d->mac[i] = (uint8_t)(ia0 >> (8 * i));
	d->mac[4] = (uint8_t)ia1;
	d->mac[5] = (uint8_t)(ia1 >> 8);

	d->port.up = true;
	r[RCTL] = RCTL_BADCRC | RCTL_RXEN;
	r[RIS] = INT_ALL;
	r[IM] = INT_USED;
	nvic_unpend(d->irq);
	nvic_enable(d->irq);
	return 0;
}

/* ---- interrupt -------------------------------------------------------------- */

static void rx_drain(struct stellaris_eth *d)
{
	volatile uint32_t *r = d->regs;

	while ((r[NP] & NP_MASK) != 0) {
		uint32_t w0 = r[DATA];
		uint32_t len = w0 & 0xffffu;
		uint32_t words = (len + 3u) / 4u;
		struct eth_slot *s = NULL;
		int bad = eth_port_rx_check_len(len < RX_EXTRA ? 0 : len - RX_EXTRA);

		if (bad >= 0) {
			eth_port_rx_discard_isr(&d->port, (enum eth_rx_discard)bad);
			if (words > RX_WORDS_MAX)
				words = RX_WORDS_MAX;
		} else {
			s = eth_port_rx_slot_isr(&d->port); /* NULL: full, counted */
		}
		if (s == NULL) {
			for (uint32_t i = 1; i < words; i++)
				(void)r[DATA];
			continue;
		}
		s->data[0] = w0;
		for (uint32_t i = 1; i < words; i++)
			s->data[i] = r[DATA];
		eth_port_rx_commit_isr(&d->port, s, 2, len - RX_EXTRA);
	}
}

void stellaris_eth_isr(struct stellaris_eth *d)
{
	volatile uint32_t *r = d->regs;
	uint32_t ris = r[RIS] & INT_USED;

	r[RIS] = ris; /* acknowledge before draining: see the top */
	eth_port_irq_isr(&d->port);
	if (ris & (INT_FOV | INT_RXER))
		eth_port_rx_overrun_isr(&d->port);
	rx_drain(d);
	if (ris & (INT_TXEMP | INT_TXER)) {
		d->tx_busy = false;
		eth_port_tx_done_isr(&d->port, (ris & INT_TXER) != 0);
	}
}

/* ---- task side ---------------------------------------------------------------- */

static int try_send(void *ctx, const uint8_t *frame, size_t len)
{
	struct stellaris_eth *d = ctx;
	volatile uint32_t *r = d->regs;

	if (d->tx_busy)
		return -EAGAIN;
	d->tx_busy = true; /* before TR: its completion may come at once */
	r[DATA] = (uint32_t)(len - 14u) | ((uint32_t)frame[0] << 16) |
		  ((uint32_t)frame[1] << 24);
	for (size_t i = 2; i < len; i += 4)
		r[DATA] = eth_word_le(frame + i, len - i);
	r[TR] = TR_NEWTX;
	return 0;
}

int stellaris_eth_send(struct stellaris_eth *d, const void *frame, size_t len,
		       kt_tick_t timeout)
{
	return eth_port_send(&d->port, try_send, d, frame, len, timeout);
}

int stellaris_eth_recv(struct stellaris_eth *d, void *buf, size_t len, kt_tick_t timeout)
{
	return eth_port_recv(&d->port, buf, len, timeout);
}
