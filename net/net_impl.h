/*
 * What the stack's files share and nothing outside net/ uses.
 */
#ifndef NET_IMPL_H
#define NET_IMPL_H

#include "net.h"

/*
 * Send an IPv4 frame (frame[0..len), Ethernet header built with any
 * destination) to dst: fills in the next hop's address, or queues the
 * frame and asks for it.  thread.  0 (sent or queued) or an error as
 * net_udp_sendto's.
 */
int net_ip_output(struct net_stack *s, uint8_t *frame, size_t len, uint32_t dst,
		  kt_tick_t timeout);

/* ms in ticks at hz, at least 1. */
static inline kt_tick_t net_ms_to_ticks(uint32_t hz, uint32_t ms)
{
	uint32_t t = (uint32_t)((uint64_t)hz * ms / 1000u);

	return t != 0 ? t : 1;
}

/*
 * A TCP segment in ip (net/tcp.c); broadcast: to a broadcast address.
 * receive task.  0 when a connection or listener took it; otherwise the
 * parser's error, -ENOENT (no one: answered by RST), -ENOBUFS (the
 * listener's pool is all in use), -EINVAL (not acceptable).
 */
int net_tcp_input(struct net_stack *s, const struct net_ipv4 *ip, bool broadcast);

/* The next IPv4 identification. */
uint16_t net_ip_next_id(struct net_stack *s);

/*
 * Put a parsed datagram into the ring of the socket bound to its port.
 * thread.  0; -ENOENT (no socket); -ENOBUFS (ring full).
 */
int net_udp_deliver(struct net_stack *s, const struct net_ipv4 *ip,
		    const struct net_udp *udp);

#endif
