/*
 * The Ethernet driver's counters by name (board_eth.h: board_eth_counters),
 * for every board: the struct is the portable API's, whichever chip fills
 * it.  Name and offset come from one macro; the order groups receive,
 * then transmit, as the shell prints them.  tests/host/test_net_stats.c
 * checks that every field is named exactly once.
 */
#include <stddef.h>

#include "board_eth.h"

/* clang-format off */
#define COUNTER(f) { #f, (uint16_t)offsetof(struct board_eth_stats, f) }
/* clang-format on */

const struct board_eth_counter board_eth_counters[] = {
	COUNTER(rx_frames), COUNTER(rx_bytes),     COUNTER(rx_dropped),
	COUNTER(rx_runt),   COUNTER(rx_oversize),  COUNTER(rx_filtered),
	COUNTER(rx_errors), COUNTER(rx_short_buf), COUNTER(rx_overruns),
	COUNTER(tx_frames), COUNTER(tx_bytes),     COUNTER(tx_done),
	COUNTER(tx_errors), COUNTER(irqs),
};

const unsigned board_eth_ncounters = sizeof(board_eth_counters) /
				     sizeof(board_eth_counters[0]);
