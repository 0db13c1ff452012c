/*
 * The board's Ethernet port: a portable API for boards that have one.
 *
 * Frames are whole Ethernet frames from the destination address through
 * the payload, without the FCS (the MAC adds and strips it): 14 to
 * BOARD_ETH_FRAME_MAX bytes.  The driver behind it is interrupt driven:
 * the receive interrupt moves each frame from the MAC into a ring of
 * frame slots and marks a completion, the transmit-complete interrupt
 * marks room; a task blocked in board_eth_recv() or board_eth_send()
 * wakes through the scheduler's ready queue, so a waiting task costs no
 * CPU.  A frame that finds the ring full is dropped and counted; frames
 * already buffered are never overwritten.
 *
 * A board with Ethernet sets BOARD_HAS_ETH := 1 in its board.mk and
 * implements every function here; board/common/eth_none.c stands in for
 * boards without, returning -ENODEV, so portable applications still link.
 * Applications start it with board_eth_init(); nothing runs before.
 */
#ifndef BOARD_ETH_H
#define BOARD_ETH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kettle.h"

/*
 * 1 on a board with Ethernet (mk/net.mk defines it from board.mk), 0
 * elsewhere.  Test it with a C if: where it is 0 the compiler drops the
 * code behind it and the linker the buffers only that code used, so a
 * portable application costs a board without Ethernet no RAM.
 */
#ifndef BOARD_HAS_ETH
#define BOARD_HAS_ETH 0
#endif

#define BOARD_ETH_ADDR_LEN 6
#define BOARD_ETH_FRAME_MIN 14   /* a header and nothing else */
#define BOARD_ETH_FRAME_MAX 1514 /* 1500 bytes of payload, no VLAN tag */

/*
 * Reset the MAC, program its address, enable receive and transmit and
 * their interrupts.  thread.  0; 0 again when already up (nothing
 * changes); -ENODEV when the board has no Ethernet or the chip does not
 * answer.
 */
int board_eth_init(void);

/* The MAC's station address (on QEMU: -nic ...,mac=).  any, after init. */
void board_eth_mac(uint8_t mac[BOARD_ETH_ADDR_LEN]);

/*
 * Queue one frame for transmission.  task: waits up to timeout ticks for
 * room in the MAC's transmit buffer.  Outside a task it never blocks
 * (-EAGAIN when there is no room).  Returns len once the MAC holds the
 * frame (the caller's buffer is free again); -EINVAL for NULL or a length
 * outside 14..BOARD_ETH_FRAME_MAX; -ETIMEDOUT; -ECANCELED; -ENODEV before
 * board_eth_init().  Several tasks may send at once.
 */
int board_eth_send(const void *frame, size_t len, kt_tick_t timeout);

/*
 * Take the oldest received frame into buf.  task: waits up to timeout
 * ticks for one.  Outside a task it never blocks (-EAGAIN when none is
 * buffered).  Returns the frame's length; -EMSGSIZE when it is longer than
 * len (the frame is consumed and counted in rx_errors); -EINVAL;
 * -ETIMEDOUT; -ECANCELED; -ENODEV.  One task receives; several would each
 * get whole frames, in turn.
 */
int board_eth_recv(void *buf, size_t len, kt_tick_t timeout);

/*
 * Loop the PHY back (on) or not: frames sent come back into our own
 * receive path and none reach the link.  For tests and benchmarks, which
 * then need no peer.  thread.  0; -ENOTSUP where the PHY cannot (QEMU
 * models no PHY for the Stellaris MAC); -ENODEV before init.
 */
int board_eth_loopback(bool on);

struct board_eth_stats {
	uint32_t rx_frames; /* delivered into the ring */
	uint32_t rx_bytes;
	uint32_t tx_frames; /* handed to the MAC */
	uint32_t tx_bytes;
	uint32_t tx_done;    /* transmit-complete reports from the MAC */
	uint32_t rx_dropped; /* the ring was full */
	uint32_t rx_errors;  /* the MAC's status says the frame is bad */
	uint32_t tx_errors;  /* reported by the MAC */
	uint32_t irqs;       /* interrupts taken */
	/* Frames the driver discarded before the ring, each counted once: */
	uint32_t rx_runt;     /* shorter than a header (BOARD_ETH_FRAME_MIN) */
	uint32_t rx_oversize; /* longer than BOARD_ETH_FRAME_MAX */
	uint32_t rx_filtered; /* the MAC's address filter: another station's
			       * unicast, a multicast group not joined */
	/* Of rx_frames: taken by a recv whose buffer was too short (-EMSGSIZE). */
	uint32_t rx_short_buf;
	/* Not frames: events where the MAC says it lost some (an overrun, an
	 * error interrupt), whatever number of frames that was. */
	uint32_t rx_overruns;
};

/*
 * Every frame a MAC hands over is counted once, in exactly one of
 * rx_frames, rx_dropped, rx_runt, rx_oversize, rx_filtered and rx_errors;
 * of rx_frames, those not yet taken are in the ring and rx_short_buf were
 * refused to the receiver.  Frames the MAC itself loses (its FIFO full)
 * are counted only where the MAC counts them (rx_overruns when it says).
 */

/* A snapshot of the counters.  any. */
void board_eth_stats(struct board_eth_stats *s);

/*
 * Every field of struct board_eth_stats by name (board/common/eth_stats.c),
 * for the shell; a host test checks it names every field once.
 */
struct board_eth_counter {
	const char *name;
	uint16_t offset; /* of the uint32_t in struct board_eth_stats */
};
extern const struct board_eth_counter board_eth_counters[];
extern const unsigned board_eth_ncounters;

#endif
