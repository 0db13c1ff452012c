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

/* The next IPv4 identification. */
uint16_t net_ip_next_id(struct net_stack *s);

/*
 * Put a parsed datagram into the ring of the socket bound to its port.
 * thread.  0; -ENOENT (no socket); -ENOBUFS (ring full).
 */
int net_udp_deliver(struct net_stack *s, const struct net_ipv4 *ip,
		    const struct net_udp *udp);

#endif
