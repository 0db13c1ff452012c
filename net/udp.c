/*
 * UDP sockets (net.h): bind, receive with a timeout, send to an address.
 *
 * A socket is a port, a ring of datagram slots in the caller's memory and
 * a counting semaphore with one unit per datagram waiting.  The receive
 * task fills the slot at head and gives a unit; the owner takes a unit
 * (blocking in the kernel, with its timeout) and copies the slot at tail
 * out.  Both are tasks of one cooperative kernel and neither blocks
 * between touching a slot and moving its counter, so the counters need
 * no atomics; units never outnumber filled slots, so a unit always finds
 * its datagram.  A full ring drops the new datagram and counts it.
 *
 * Sending builds the whole frame in the socket's own buffer (payload,
 * UDP header with its checksum, IPv4 header) and hands it to
 * net_ip_output(), which resolves the next hop or queues a copy.
 */
#include <string.h>

#include "net_impl.h"

#define EPHEMERAL_FIRST 49152u

static struct net_udp_socket *find(struct net_stack *s, uint16_t port)
{
	for (struct net_udp_socket *u = s->sockets; u != NULL; u = u->next) {
		if (u->port == port)
			return u;
	}
	return NULL;
}

static uint16_t ephemeral(struct net_stack *s)
{
	for (unsigned i = 0; i < 65536u - EPHEMERAL_FIRST; i++) {
		uint16_t p = s->next_port;

		s->next_port = p == 65535u ? EPHEMERAL_FIRST : (uint16_t)(p + 1u);
		if (find(s, p) == NULL)
			return p;
	}
	return 0;
}

int net_udp_bind(struct net_stack *s, struct net_udp_socket *u, uint16_t port,
		 struct net_udp_slot *slots, size_t nslots)
{
	if (s == NULL || u == NULL || slots == NULL || nslots == 0 || nslots > 65535u)
		return -EINVAL;
	for (struct net_udp_socket *v = s->sockets; v != NULL; v = v->next) {
		if (v == u)
			return -EINVAL; /* already bound */
	}
	if (port == 0) {
		port = ephemeral(s);
		if (port == 0)
			return -EAGAIN;
	} else if (find(s, port) != NULL) {
		return -EADDRINUSE;
	}
	if (kt_sem_init(&u->ready, 0, (uint32_t)nslots) != 0)
		return -EINVAL;
	u->stack = s;
	u->slots = slots;
	u->nslots = (uint32_t)nslots;
	u->head = 0;
	u->tail = 0;
	u->port = port;
	u->rx = u->tx = u->dropped = u->truncated = 0;
	u->next = s->sockets;
	s->sockets = u;
	return 0;
}

int net_udp_close(struct net_udp_socket *u)
{
	struct net_udp_socket **pp;

	if (u == NULL || u->stack == NULL)
		return -EINVAL;
	for (pp = &u->stack->sockets; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == u) {
			*pp = u->next;
			break;
		}
	}
	u->stack = NULL;
	u->port = 0;
	return 0;
}

uint16_t net_udp_port(const struct net_udp_socket *u)
{
	return u != NULL && u->stack != NULL ? u->port : 0;
}

int net_udp_deliver(struct net_stack *s, const struct net_ipv4 *ip,
		    const struct net_udp *udp)
{
	struct net_udp_socket *u = find(s, udp->dport);
	struct net_udp_slot *slot;

	if (u == NULL || udp->dport == 0)
		return -ENOENT;
	if (udp->len > sizeof(slot->data))
		return -EMSGSIZE; /* cannot come in one frame; checked anyway */
	if (u->head - u->tail >= u->nslots) {
		u->dropped++;
		return -ENOBUFS;
	}
	slot = &u->slots[u->head % u->nslots];
	slot->ip = ip->src;
	slot->port = udp->sport;
	slot->len = (uint16_t)udp->len;
	net_copy(slot->data, udp->payload, udp->len);
	u->head++;
	u->rx++;
	kt_sem_give(&u->ready); /* cannot overflow: units <= filled slots */
	return 0;
}

int net_udp_recv(struct net_udp_socket *u, void *buf, size_t len, uint32_t *ip,
		 uint16_t *port, kt_tick_t timeout)
{
	bool in_task = kt_self() != NULL;
	const struct net_udp_slot *slot;
	size_t n;
	int err;

	if (u == NULL || u->stack == NULL || (buf == NULL && len != 0))
		return -EINVAL;
	err = kt_sem_take(&u->ready, in_task ? timeout : KT_NOWAIT);
	if (err != 0)
		return !in_task && err == -ETIMEDOUT ? -EAGAIN : err;
	slot = &u->slots[u->tail % u->nslots];
	n = slot->len < len ? slot->len : len;
	if (n != 0)
		net_copy(buf, slot->data, n);
	if (slot->len > len)
		u->truncated++;
	if (ip != NULL)
		*ip = slot->ip;
	if (port != NULL)
		*port = slot->port;
	u->tail++;
	return (int)n;
}

int net_udp_sendto(struct net_udp_socket *u, uint32_t ip, uint16_t port,
		   const void *data, size_t len, kt_tick_t timeout)
{
	struct net_stack *s;
	struct net_ipv4 h = { .proto = NET_IPPROTO_UDP, .ttl = NET_IP_TTL };
	uint8_t *f;
	size_t n;
	int err;

	if (u == NULL || u->stack == NULL || (data == NULL && len != 0) ||
	    ip == 0 || port == 0)
		return -EINVAL;
	if (len > NET_UDP_PAYLOAD_MAX)
		return -EMSGSIZE;
	s = u->stack;
	f = net_frame(&u->frame);
	h.src = s->cfg.ip;
	h.dst = ip;
	h.id = net_ip_next_id(s);
	n = net_udp_build(f + NET_ETH_HDR + NET_IPV4_HDR,
			  NET_FRAME_MAX - NET_ETH_HDR - NET_IPV4_HDR, h.src, ip,
			  u->port, port, data, len);
	if (n == 0 || net_ipv4_build(f + NET_ETH_HDR,
				     NET_FRAME_MAX - NET_ETH_HDR, &h, n) == 0)
		return -EMSGSIZE;
	/* The destination is net_ip_output's to fill in. */
	net_eth_build(f, NET_FRAME_MAX, net_mac_broadcast, s->cfg.mac,
		      NET_ETHERTYPE_IPV4);
	err = net_ip_output(s, f, NET_ETH_HDR + NET_IPV4_HDR + n, ip, timeout);
	if (err != 0)
		return err;
	u->tx++;
	s->stats.udp_tx++;
	return (int)len;
}
