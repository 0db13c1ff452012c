/*
 * The chip-independent half of an Ethernet driver: the receive ring, the
 * completions that wake tasks, and the counters.  A chip driver (lan9118.c,
 * stellaris_eth.c) moves bytes between its MAC and this; see eth_port.c.
 */
#ifndef ETH_PORT_H
#define ETH_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board_eth.h"
#include "kettle.h"

/*
 * A slot holds one received frame as the MAC's FIFO delivered it, in whole
 * words: room for a maximal frame, its FCS and two bytes of leading
 * padding (the Stellaris MAC puts a length there).  The frame starts off
 * bytes into data and is len bytes long, FCS excluded.
 */
#define ETH_SLOT_BYTES 1520u
#define ETH_SLOT_WORDS (ETH_SLOT_BYTES / 4u)

struct eth_slot {
	uint16_t len;
	uint16_t off;
	uint32_t data[ETH_SLOT_WORDS];
};

struct eth_port {
	struct eth_slot *slots;
	uint32_t mask;           /* slot count - 1 */
	uint32_t head;           /* slots ever filled: the ISR's; atomic */
	uint32_t tail;           /* slots ever taken: the receiver's; atomic */
	struct kt_sem rx_ready;  /* one unit per filled slot */
	struct kt_event tx_room; /* set by the transmit-complete interrupt */
	volatile uint32_t tx_waiters;
	struct board_eth_stats stats;
	bool up;
};

/*
 * Transmit one frame if the MAC has room: 0 when the MAC holds it,
 * -EAGAIN when it has no room now.  Called in thread mode, never
 * concurrently with itself; must not block.
 */
typedef int (*eth_try_send_fn)(void *ctx, const uint8_t *frame, size_t len);

/*
 * The little-endian word at p[0..n) (n <= 4 bytes, missing bytes 0) for a
 * MAC's transmit FIFO, never reading past n: the last word of a frame
 * may end anywhere.  The 4-byte case is an unaligned load, which
 * ARMv7-M does in hardware.
 */
static inline uint32_t eth_word_le(const uint8_t *p, size_t n)
{
	uint32_t w = 0;

	if (n >= 4)
		return (uint32_t)p[0] | ((uint32_t)p[1] << 8) |
		       ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
	for (size_t i = 0; i < n; i++)
		w |= (uint32_t)p[i] << (8 * i);
	return w;
}

/*
 * Use slots[0..count) as an empty ring (count a power of two, 1..32768)
 * and reset the counters.  thread, before the chip's interrupt is enabled.
 * -EINVAL for NULL or a bad count.
 */
int eth_port_init(struct eth_port *p, struct eth_slot *slots, size_t count);

/*
 * The receive interrupt's side.  eth_port_rx_slot_isr() returns the slot
 * to fill next, or NULL when the ring is full (the frame is counted as
 * dropped: the caller drains it from the MAC into nothing).  The frame is
 * published by eth_port_rx_commit_isr() with its offset and length, which
 * wakes a waiting receiver.  ISR (the ring's only producer).
 */
struct eth_slot *eth_port_rx_slot_isr(struct eth_port *p);
void eth_port_rx_commit_isr(struct eth_port *p, struct eth_slot *s,
			    unsigned off, unsigned len);
/*
 * A frame the driver discarded before the ring, counted once under why
 * (board_eth.h's counters).  any.
 */
enum eth_rx_discard {
	ETH_RX_ERROR,    /* the MAC's status says bad: rx_errors */
	ETH_RX_RUNT,     /* shorter than a header: rx_runt */
	ETH_RX_OVERSIZE, /* longer than BOARD_ETH_FRAME_MAX: rx_oversize */
	ETH_RX_FILTERED, /* not our address, nor broadcast: rx_filtered */
};
void eth_port_rx_discard_isr(struct eth_port *p, enum eth_rx_discard why);
/* What is wrong with a frame of len bytes (FCS excluded) by its length,
 * or -1 when nothing. */
static inline int eth_port_rx_check_len(size_t len)
{
	if (len < BOARD_ETH_FRAME_MIN)
		return ETH_RX_RUNT;
	return len > BOARD_ETH_FRAME_MAX ? ETH_RX_OVERSIZE : -1;
}
/* The MAC reports receive trouble outside a frame (overrun).  any. */
void eth_port_rx_overrun_isr(struct eth_port *p);

/*
 * The transmit-complete interrupt's side: one frame left the MAC (error:
 * the MAC says it failed).  Wakes senders waiting for room.  ISR.
 */
void eth_port_tx_done_isr(struct eth_port *p, bool error);
/* A transmit error the MAC reports outside a frame's status.  any. */
void eth_port_tx_error_isr(struct eth_port *p);
/* Count an interrupt taken.  ISR. */
void eth_port_irq_isr(struct eth_port *p);

/*
 * board_eth_recv and board_eth_send over this port, with the same
 * contracts (board_eth.h); send calls try_send(ctx, ...) and waits for
 * tx_room in between.
 */
int eth_port_recv(struct eth_port *p, void *buf, size_t len, kt_tick_t timeout);
int eth_port_send(struct eth_port *p, eth_try_send_fn try_send, void *ctx,
		  const void *frame, size_t len, kt_tick_t timeout);

/* A snapshot of the counters.  any. */
void eth_port_stats(const struct eth_port *p, struct board_eth_stats *s);

#endif
