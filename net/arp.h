/*
 * The ARP cache and the queue of frames waiting for an address: plain
 * data structures with time passed in, so host tests drive them with any
 * clock.  The stack (stack.c) decides what to send; see arp.c.
 */
#ifndef NET_ARP_H
#define NET_ARP_H

#include <stdbool.h>
#include <stdint.h>

#include "kettle.h"
#include "wire.h"

#ifndef NET_ARP_ENTRIES
#define NET_ARP_ENTRIES 8
#endif
#ifndef NET_ARP_PENDING
#define NET_ARP_PENDING 4
#endif

struct net_arp_entry {
	uint32_t ip; /* 0: free */
	uint8_t mac[NET_MAC_LEN];
	kt_tick_t expires;
};

struct net_arp_cache {
	struct net_arp_entry e[NET_ARP_ENTRIES];
	kt_tick_t ttl;
};

enum net_arp_wait_state {
	NET_ARP_FREE,
	NET_ARP_WAITING, /* for an answer about nexthop */
	NET_ARP_SENDING, /* answered: being handed to the MAC, keep it */
};

/* A frame waiting for its next hop's address (bytes 0..6 to be filled). */
struct net_arp_wait {
	uint8_t state; /* enum net_arp_wait_state */
	uint8_t tries; /* requests sent */
	uint16_t len;
	uint32_t nexthop;
	uint32_t seq; /* order of arrival: frames leave in it */
	kt_tick_t retry_at;
	struct net_frame_buf frame; /* the frame: net_frame(&frame) */
};

struct net_arp_queue {
	struct net_arp_wait w[NET_ARP_PENDING];
	uint32_t next_seq;
};

/* Empty, with entries living ttl ticks (1..KT_DELAY_MAX). */
void net_arp_cache_init(struct net_arp_cache *c, kt_tick_t ttl);
/*
 * Copy ip's address to mac: 0, or -ENOENT when not known or expired (an
 * expired entry is freed on the way).
 */
int net_arp_lookup(struct net_arp_cache *c, uint32_t ip, kt_tick_t now, uint8_t *mac);
/*
 * Learn ip -> mac for ttl ticks from now.  An entry for ip is refreshed;
 * otherwise, with insert, a free or expired entry is taken, or the one
 * closest to expiry is replaced (so a flood of new senders can churn the
 * cache but never grow it).  0; -ENOENT when ip is unknown and !insert;
 * -EINVAL for address 0 or a multicast mac.
 */
int net_arp_update(struct net_arp_cache *c, uint32_t ip, const uint8_t *mac,
		   kt_tick_t now, bool insert);
void net_arp_flush(struct net_arp_cache *c);

void net_arp_queue_init(struct net_arp_queue *q);
/*
 * Keep a copy of frame (len bytes, 14..NET_FRAME_MAX) until nexthop is
 * known.  Returns the entry, or NULL when the queue is full or len is out
 * of range.  *first says whether no other frame waited for nexthop (the
 * caller then sends a request); the entry's retry_at is left to the
 * caller.
 */
struct net_arp_wait *net_arp_queue_add(struct net_arp_queue *q,
				       uint32_t nexthop, const uint8_t *frame,
				       size_t len, bool *first);
/*
 * The oldest frame waiting for nexthop (WAITING, lowest seq, wrap-safe),
 * or NULL: frames to one hop leave in the order they came.
 */
struct net_arp_wait *net_arp_queue_oldest(struct net_arp_queue *q, uint32_t nexthop);
/* Entries waiting (WAITING or SENDING). */
unsigned net_arp_queue_count(const struct net_arp_queue *q);

#endif
