/*
 * The stack's counters by name (net.h: net_counters).
 *
 * One entry per field of struct net_stats, name and offset written by one
 * macro so they cannot disagree, in the struct's order so the shell's
 * `net` reads like the struct.  tests/host/test_net_stats.c checks that
 * the table names every field exactly once (entries * 4 is the struct's
 * size and no offset repeats): a counter added to the struct and not
 * here fails the host tests instead of counting unseen.  Which counters
 * are outcomes follows the receive path: ip_rx, for one, is a frame on
 * its way (to ICMP or UDP), arp_unsolicited a part of arp_rx.
 */
#include <stddef.h>

#include "net.h"

/* clang-format off */
#define COUNTER(f) { #f, (uint16_t)offsetof(struct net_stats, f), false }
/* clang-format on */
/* Where a received frame's story ends: see net.h. */
/* clang-format off */
#define OUTCOME(f) { #f, (uint16_t)offsetof(struct net_stats, f), true }
/* clang-format on */

const struct net_counter net_counters[] = {
	COUNTER(rx_frames),
	OUTCOME(eth_runt),
	OUTCOME(eth_oversize),
	OUTCOME(eth_not_for_us),
	OUTCOME(eth_bad_src),
	OUTCOME(eth_unknown_type),
	OUTCOME(arp_rx),
	OUTCOME(arp_bad),
	COUNTER(arp_unsolicited),
	COUNTER(arp_replies_sent),
	COUNTER(arp_requests_sent),
	COUNTER(arp_queue_full),
	COUNTER(arp_unresolved),
	COUNTER(ip_rx),
	OUTCOME(ip_bad),
	OUTCOME(ip_bad_csum),
	OUTCOME(ip_options),
	OUTCOME(ip_fragments),
	OUTCOME(ip_not_for_us),
	OUTCOME(ip_bad_src),
	OUTCOME(ip_unknown_proto),
	COUNTER(ip_no_route),
	OUTCOME(icmp_bad),
	OUTCOME(icmp_echo_replied),
	OUTCOME(icmp_other),
	OUTCOME(udp_rx),
	OUTCOME(udp_bad),
	OUTCOME(udp_bad_csum),
	OUTCOME(udp_no_port),
	OUTCOME(udp_queue_full),
	COUNTER(udp_tx),
	OUTCOME(tcp_rx),
	OUTCOME(tcp_bad),
	OUTCOME(tcp_bad_csum),
	OUTCOME(tcp_no_conn),
	OUTCOME(tcp_unacceptable),
	OUTCOME(tcp_backlog_full),
	COUNTER(tcp_out_of_order),
	COUNTER(tcp_challenge_acks),
	COUNTER(tcp_challenge_limited),
	COUNTER(tcp_rst_rx),
	COUNTER(tcp_rst_tx),
	COUNTER(tcp_tx),
	COUNTER(tcp_retransmits),
	COUNTER(tcp_fast_retransmits),
	COUNTER(tcp_timeouts),
	COUNTER(tx_frames),
	COUNTER(tx_errors),
};

const unsigned net_ncounters = sizeof(net_counters) / sizeof(net_counters[0]);
