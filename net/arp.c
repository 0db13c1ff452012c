/*
 * The ARP cache and the queue of frames waiting for resolution (arp.h).
 *
 * The cache is a small array searched linearly: with 8 entries that is
 * cheaper than any index and has no state to corrupt.  Entries expire ttl
 * ticks after they were last learned (wrap-safe comparisons); an expired
 * entry reads as absent and is freed when looked at.  A new address takes
 * a free or expired entry, else the one nearest expiry, so whatever a
 * flood of ARP traffic does, the cache stays its size and the entries in
 * use the longest-refreshed survive.
 *
 * The queue holds whole frames (the sender's buffer is free again once
 * queued), each with the next hop it waits for and its order of arrival.
 * The stack fills in the
 * Ethernet destination and sends them when an answer comes, or drops
 * them after its retries; an entry being handed to the MAC is marked
 * SENDING so that nothing reuses it while the send waits for room.
 */
#include <string.h>

#include "arp.h"

void net_arp_cache_init(struct net_arp_cache *c, kt_tick_t ttl)
{
	memset(c, 0, sizeof(*c));
	c->ttl = ttl;
}

void net_arp_flush(struct net_arp_cache *c)
{
	for (unsigned i = 0; i < NET_ARP_ENTRIES; i++)
		c->e[i].ip = 0;
}

static bool expired(const struct net_arp_entry *e, kt_tick_t now)
{
	return !kt_tick_before(now, e->expires);
}

int net_arp_lookup(struct net_arp_cache *c, uint32_t ip, kt_tick_t now, uint8_t *mac)
{
	if (ip == 0)
		return -ENOENT;
	for (unsigned i = 0; i < NET_ARP_ENTRIES; i++) {
		struct net_arp_entry *e = &c->e[i];

		if (e->ip != ip)
			continue;
		if (expired(e, now)) {
			e->ip = 0;
			return -ENOENT;
		}
		memcpy(mac, e->mac, NET_MAC_LEN);
		return 0;
	}
	return -ENOENT;
}

int net_arp_update(struct net_arp_cache *c, uint32_t ip, const uint8_t *mac,
		   kt_tick_t now, bool insert)
{
	struct net_arp_entry *found = NULL, *spare = NULL, *oldest = NULL;

	if (ip == 0 || net_mac_is_multicast(mac))
		return -EINVAL;
	for (unsigned i = 0; i < NET_ARP_ENTRIES; i++) {
		struct net_arp_entry *e = &c->e[i];

		if (e->ip == ip) {
			found = e;
			break;
		}
		if (e->ip == 0 || expired(e, now)) {
			if (spare == NULL)
				spare = e;
		} else if (oldest == NULL ||
			   kt_tick_before(e->expires, oldest->expires)) {
			oldest = e;
		}
	}
	if (found == NULL) {
		if (!insert)
			return -ENOENT;
		found = spare != NULL ? spare : oldest;
	}
	found->ip = ip;
	memcpy(found->mac, mac, NET_MAC_LEN);
	found->expires = now + c->ttl;
	return 0;
}

/* ---- frames waiting for an address ------------------------------------------------- */

void net_arp_queue_init(struct net_arp_queue *q)
{
	for (unsigned i = 0; i < NET_ARP_PENDING; i++)
		q->w[i].state = NET_ARP_FREE;
	q->next_seq = 0;
}

struct net_arp_wait *net_arp_queue_add(struct net_arp_queue *q, uint32_t nexthop,
				       const uint8_t *frame, size_t len, bool *first)
{
	struct net_arp_wait *slot = NULL;

	if (len < NET_ETH_HDR || len > NET_FRAME_MAX)
		return NULL;
	*first = true;
	for (unsigned i = 0; i < NET_ARP_PENDING; i++) {
		struct net_arp_wait *w = &q->w[i];

		if (w->state == NET_ARP_FREE) {
			if (slot == NULL)
				slot = w;
		} else if (w->state == NET_ARP_WAITING && w->nexthop == nexthop) {
			*first = false;
		}
	}
	if (slot == NULL)
		return NULL;
	slot->state = NET_ARP_WAITING;
	slot->tries = 0;
	slot->nexthop = nexthop;
	slot->seq = q->next_seq++;
	slot->len = (uint16_t)len;
	net_copy(net_frame(&slot->frame), frame, len);
	return slot;
}

struct net_arp_wait *net_arp_queue_oldest(struct net_arp_queue *q, uint32_t nexthop)
{
	struct net_arp_wait *oldest = NULL;

	for (unsigned i = 0; i < NET_ARP_PENDING; i++) {
		struct net_arp_wait *w = &q->w[i];

		if (w->state == NET_ARP_WAITING && w->nexthop == nexthop &&
		    (oldest == NULL || (int32_t)(w->seq - oldest->seq) < 0))
			oldest = w;
	}
	return oldest;
}

unsigned net_arp_queue_count(const struct net_arp_queue *q)
{
	unsigned n = 0;

	for (unsigned i = 0; i < NET_ARP_PENDING; i++)
		n += q->w[i].state != NET_ARP_FREE;
	return n;
}
