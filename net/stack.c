/*
 * The stack's core: the receive path, IP output with ARP resolution, the
 * ARP timers and the receive task (net.h).
 *
 * Who runs what: the receive task calls net_input() for every frame; it
 * answers ARP and ping itself, building ping replies in s->tx, which no
 * one else touches.  Socket owners call net_ip_output() from their own
 * tasks with frames in their sockets' buffers.  A soft timer runs
 * net_poll() on the scheduler for ARP retries.  All of them are thread
 * mode in one cooperative kernel, so the stack's state needs no lock:
 * nothing switches tasks except at a send that waits for transmit room,
 * and every such send is of a buffer its caller owns until it returns
 * (ARP packets are built on the caller's stack; a queued frame that is
 * being sent is marked SENDING so neither the timer nor a new send reuses
 * it meanwhile).  Sends from the timer never wait: outside a task the
 * interface does not block.
 *
 * Input validation is layered: each header is parsed by its pure parser
 * (wire.h), which checks every length against the bytes there; the stack
 * adds the policy - addressed to us, source not multicast, a known
 * protocol - and counts each drop under its reason.  Nothing a frame
 * says can make the stack read outside it, write outside its own buffers
 * or leave a queue entry that never frees: queued frames free when sent
 * or after NET_ARP_TRIES requests, socket slots when read.
 *
 * Replies to pings go straight back to the requester's MAC address, with
 * no lookup; datagrams from sockets resolve their next hop through ARP.
 * The cache learns only from answers to its own requests and from
 * requests addressed to us (arp_learn), so unsolicited ARP can neither
 * fill it nor redirect an address it holds.
 */
#include <string.h>

#include "net_impl.h"

#define ARP_FRAME (NET_ETH_HDR + NET_ARP_LEN)

static void arp_timer_fired(void *arg);
static void disarm_if_idle(struct net_stack *s);

static bool valid_config(const struct net_config *cfg)
{
	return cfg != NULL && cfg->tick_hz != 0 && !net_mac_is_multicast(cfg->mac);
}

int net_init(struct net_stack *s, const struct net_config *cfg,
	     const struct net_if *nif)
{
	if (s == NULL || !valid_config(cfg) || nif == NULL ||
	    nif->send == NULL || nif->recv == NULL)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	s->nif = *nif;
	net_arp_cache_init(&s->arp,
			   net_ms_to_ticks(cfg->tick_hz, NET_ARP_TTL_S * 1000u));
	net_arp_queue_init(&s->pending);
	kt_timer_init(&s->arp_timer, arp_timer_fired, s);
	s->arp_retry = net_ms_to_ticks(cfg->tick_hz, NET_ARP_RETRY_MS);
	s->tx_wait = net_ms_to_ticks(cfg->tick_hz, NET_TX_WAIT_MS);
	s->next_port = 49152;
	net_tcp_seed(s, ((uint32_t)cfg->mac[2] << 24) |
				((uint32_t)cfg->mac[3] << 16) |
				((uint32_t)cfg->mac[4] << 8) | cfg->mac[5]);
	return 0;
}

int net_set_addr(struct net_stack *s, uint32_t ip, uint32_t netmask, uint32_t gateway)
{
	if (s == NULL)
		return -EINVAL;
	s->cfg.ip = ip;
	s->cfg.netmask = netmask;
	s->cfg.gateway = gateway;
	net_arp_flush(&s->arp);
	for (unsigned i = 0; i < NET_ARP_PENDING; i++) {
		struct net_arp_wait *w = &s->pending.w[i];

		if (w->state == NET_ARP_WAITING) {
			w->state = NET_ARP_FREE;
			s->stats.arp_unresolved++;
		}
	}
	disarm_if_idle(s);
	return 0;
}

void net_get_stats(const struct net_stack *s, struct net_stats *out)
{
	*out = s->stats;
}

void net_get_config(const struct net_stack *s, struct net_config *out)
{
	*out = s->cfg;
}

uint16_t net_ip_next_id(struct net_stack *s)
{
	return s->ip_id++;
}

/* ---- output -------------------------------------------------------------------- */

static int xmit(struct net_stack *s, const uint8_t *frame, size_t len, kt_tick_t timeout)
{
	int err = s->nif.send(frame, len, timeout);

	if (err < 0) {
		s->stats.tx_errors++;
		return err;
	}
	s->stats.tx_frames++;
	return 0;
}

/* An ARP packet, built on this stack frame: never waits for room. */
static int send_arp(struct net_stack *s, uint16_t op, const uint8_t *tha, uint32_t tpa)
{
	static const uint8_t zero_mac[NET_MAC_LEN];
	uint8_t f[ARP_FRAME];
	struct net_arp a = { .op = op, .spa = s->cfg.ip, .tpa = tpa };

	memcpy(a.sha, s->cfg.mac, NET_MAC_LEN);
	memcpy(a.tha, op == NET_ARP_REQUEST ? zero_mac : tha, NET_MAC_LEN);
	net_eth_build(f, sizeof(f), op == NET_ARP_REQUEST ? net_mac_broadcast : tha,
		      s->cfg.mac, NET_ETHERTYPE_ARP);
	net_arp_build(f + NET_ETH_HDR, sizeof(f) - NET_ETH_HDR, &a);
	if (op == NET_ARP_REQUEST)
		s->stats.arp_requests_sent++;
	else
		s->stats.arp_replies_sent++;
	return xmit(s, f, sizeof(f), KT_NOWAIT);
}

static bool is_broadcast(const struct net_stack *s, uint32_t ip)
{
	return ip == NET_IP_BROADCAST ||
	       (s->cfg.netmask != 0 && ip == (s->cfg.ip | ~s->cfg.netmask));
}

static bool on_link(const struct net_stack *s, uint32_t ip)
{
	return ((ip ^ s->cfg.ip) & s->cfg.netmask) == 0;
}

static void arm_timer(struct net_stack *s, kt_tick_t delay)
{
	if (!kt_timer_active(&s->arp_timer))
		kt_timer_start(&s->arp_timer, delay, 0);
}

static int queue_for_arp(struct net_stack *s, uint32_t nexthop,
			 const uint8_t *frame, size_t len)
{
	struct net_arp_wait *w;
	bool first;

	w = net_arp_queue_add(&s->pending, nexthop, frame, len, &first);
	if (w == NULL) {
		s->stats.arp_queue_full++;
		return -ENOBUFS;
	}
	w->tries = 1; /* this one's, or the one already out for nexthop */
	w->retry_at = kt_now() + s->arp_retry;
	if (first)
		send_arp(s, NET_ARP_REQUEST, NULL, nexthop);
	arm_timer(s, s->arp_retry);
	return 0;
}

int net_ip_output(struct net_stack *s, uint8_t *frame, size_t len, uint32_t dst,
		  kt_tick_t timeout)
{
	uint32_t nexthop;

	if (is_broadcast(s, dst)) {
		memcpy(frame, net_mac_broadcast, NET_MAC_LEN);
	} else if (dst == s->cfg.ip) {
		memcpy(frame, s->cfg.mac, NET_MAC_LEN); /* a MAC in loopback answers */
	} else {
		nexthop = on_link(s, dst) ? dst : s->cfg.gateway;
		if (nexthop == 0) {
			s->stats.ip_no_route++;
			return -ENETUNREACH;
		}
		if (net_arp_lookup(&s->arp, nexthop, kt_now(), frame) != 0)
			return queue_for_arp(s, nexthop, frame, len);
	}
	return xmit(s, frame, len, timeout);
}

/* Nothing waits any more: the retry timer has nothing to do. */
static void disarm_if_idle(struct net_stack *s)
{
	if (net_arp_queue_count(&s->pending) == 0 && kt_timer_active(&s->arp_timer))
		kt_timer_stop(&s->arp_timer);
}

/* ip answered: send what waited for it, in the order it came. */
static void arp_resolved(struct net_stack *s, uint32_t ip, const uint8_t *mac)
{
	struct net_arp_wait *w;

	while ((w = net_arp_queue_oldest(&s->pending, ip)) != NULL) {
		w->state = NET_ARP_SENDING;
		memcpy(net_frame(&w->frame), mac, NET_MAC_LEN);
		xmit(s, net_frame(&w->frame), w->len, s->tx_wait);
		w->state = NET_ARP_FREE;
	}
	disarm_if_idle(s);
}

kt_tick_t net_poll(struct net_stack *s)
{
	kt_tick_t now = kt_now();
	uint32_t asked[NET_ARP_PENDING];
	unsigned nasked = 0;
	kt_tick_t next = KT_FOREVER;

	for (unsigned i = 0; i < NET_ARP_PENDING; i++) {
		struct net_arp_wait *w = &s->pending.w[i];
		bool dup = false;

		if (w->state != NET_ARP_WAITING)
			continue;
		if (!kt_tick_before(now, w->retry_at)) {
			if (w->tries >= NET_ARP_TRIES) {
				w->state = NET_ARP_FREE;
				s->stats.arp_unresolved++;
				continue;
			}
			/* One request per next hop per round. */
			for (unsigned j = 0; j < nasked; j++)
				dup |= asked[j] == w->nexthop;
			if (!dup) {
				asked[nasked++] = w->nexthop;
				send_arp(s, NET_ARP_REQUEST, NULL, w->nexthop);
			}
			w->tries++;
			w->retry_at = now + s->arp_retry;
		}
		if (w->retry_at - now < next)
			next = w->retry_at - now;
	}
	return next;
}

static void arp_timer_fired(void *arg)
{
	struct net_stack *s = arg;
	kt_tick_t next = net_poll(s);

	if (next != KT_FOREVER)
		kt_timer_start(&s->arp_timer, next != 0 ? next : 1, 0);
}

/* ---- input ------------------------------------------------------------------------ */

/* A frame waits for ip's address: a request of ours is outstanding. */
static bool asked_for(struct net_stack *s, uint32_t ip)
{
	return net_arp_queue_oldest(&s->pending, ip) != NULL;
}

/* The cache holds ip at a MAC other than mac. */
static bool contradicts(struct net_stack *s, uint32_t ip, const uint8_t *mac)
{
	uint8_t known[NET_MAC_LEN];

	return net_arp_lookup(&s->arp, ip, kt_now(), known) == 0 &&
	       !net_mac_equal(known, mac);
}

/*
 * What an ARP packet may teach the cache.  RFC 826's merge rule updates
 * the entry of any sender already cached, whatever the packet, and
 * creates one from any packet addressed to us, replies included: one
 * forged reply ("the gateway is at 02:de:ad:be:ef:01") then sends our
 * traffic to the forger until the entry expires.  We believe less:
 *  - a reply only when it answers a request of ours that is still
 *    outstanding (a frame waits for that address) and is addressed to us;
 *  - a request addressed to us creates or refreshes its sender's entry
 *    (the asker is about to talk to us, and our answers must reach it),
 *    but never changes the MAC of a live entry;
 *  - nothing else.  Gratuitous ARP (a host announcing its own address to
 *    everyone, request or reply) and ARP between other hosts leave the
 *    cache alone, also for addresses it holds: an announcement is exactly
 *    what a forger sends.
 * Refused: every other reply, and any packet that would have moved a
 * cached address to another MAC (counted in arp_unsolicited).  The price:
 * a host that really moved (a failover announced by gratuitous ARP) is
 * reached again only once its entry expires (NET_ARP_TTL_S) and our own
 * request finds it.  ARP has no authentication: a forger who answers our
 * request first, or who asks us in a cached host's name before that host
 * is cached, still wins that entry; but no longer at will.
 */
static void arp_learn(struct net_stack *s, const struct net_arp *a, bool for_us)
{
	/* Never from a probe (address 0), a claim to our address or a broadcast. */
	bool learnable = a->spa != 0 && a->spa != s->cfg.ip &&
			 !is_broadcast(s, a->spa);
	bool answer = a->op == NET_ARP_REPLY && for_us && asked_for(s, a->spa);
	bool asker = a->op == NET_ARP_REQUEST && for_us &&
		     !contradicts(s, a->spa, a->sha);

	if (!learnable || (!answer && !asker)) {
		if (a->op == NET_ARP_REPLY ||
		    (learnable && contradicts(s, a->spa, a->sha)))
			s->stats.arp_unsolicited++;
		return;
	}
	if (net_arp_update(&s->arp, a->spa, a->sha, kt_now(), true) == 0)
		arp_resolved(s, a->spa, a->sha);
}

static int arp_input(struct net_stack *s, const struct net_eth *eth)
{
	struct net_arp a;
	bool for_us;
	int err = net_arp_parse(eth->payload, eth->len, &a);

	if (err != 0) {
		s->stats.arp_bad++;
		return err;
	}
	if (!net_mac_is_unicast(a.sha)) {
		s->stats.arp_bad++; /* no one to answer, nothing to learn */
		return -EINVAL;
	}
	s->stats.arp_rx++;
	for_us = s->cfg.ip != 0 && a.tpa == s->cfg.ip;
	arp_learn(s, &a, for_us);
	if (for_us && a.op == NET_ARP_REQUEST)
		send_arp(s, NET_ARP_REPLY, a.sha, a.spa);
	return 0;
}

static int icmp_input(struct net_stack *s, const struct net_eth *eth,
		      const struct net_ipv4 *ip, bool broadcast)
{
	struct net_icmp m;
	struct net_ipv4 h = {
		.proto = NET_IPPROTO_ICMP,
		.ttl = NET_IP_TTL,
		.src = s->cfg.ip,
		.dst = ip->src,
	};
	uint8_t *f = net_frame(&s->tx);
	size_t n;
	int err = net_icmp_parse(ip->payload, ip->len, &m);

	if (err != 0) {
		s->stats.icmp_bad++;
		return err;
	}
	if (m.type != NET_ICMP_ECHO_REQUEST || broadcast) {
		s->stats.icmp_other++;
		return -EPROTONOSUPPORT;
	}
	n = net_icmp_echo_reply_build(f + NET_ETH_HDR + NET_IPV4_HDR,
				      NET_FRAME_MAX - NET_ETH_HDR - NET_IPV4_HDR,
				      &m);
	h.id = net_ip_next_id(s);
	if (n == 0 || net_ipv4_build(f + NET_ETH_HDR,
				     NET_FRAME_MAX - NET_ETH_HDR, &h, n) == 0)
		return -EMSGSIZE; /* cannot happen: the request fit a frame */
	net_eth_build(f, NET_FRAME_MAX, eth->src, s->cfg.mac, NET_ETHERTYPE_IPV4);
	err = xmit(s, f, NET_ETH_HDR + NET_IPV4_HDR + n, s->tx_wait);
	if (err == 0)
		s->stats.icmp_echo_replied++;
	return err;
}

static int udp_input(struct net_stack *s, const struct net_ipv4 *ip)
{
	struct net_udp u;
	int err = net_udp_parse(ip->payload, ip->len, ip->src, ip->dst, &u);

	if (err != 0) {
		if (err == -EBADMSG)
			s->stats.udp_bad_csum++;
		else
			s->stats.udp_bad++;
		return err;
	}
	err = net_udp_deliver(s, ip, &u);
	if (err == -ENOENT)
		s->stats.udp_no_port++;
	else if (err == -ENOBUFS)
		s->stats.udp_queue_full++;
	else if (err != 0)
		s->stats.udp_bad++;
	else
		s->stats.udp_rx++;
	return err;
}

static bool multicast_ip(uint32_t ip)
{
	return (ip >> 28) == 0xeu;
}

static int ipv4_input(struct net_stack *s, const struct net_eth *eth)
{
	struct net_ipv4 ip;
	bool broadcast;
	int err = net_ipv4_parse(eth->payload, eth->len, &ip);

	switch (err) {
	case 0:
		break;
	case -EBADMSG:
		s->stats.ip_bad_csum++;
		return err;
	case -ENOPROTOOPT:
		s->stats.ip_options++;
		return err;
	case -EMSGSIZE:
		s->stats.ip_fragments++;
		return err;
	default:
		s->stats.ip_bad++;
		return err;
	}
	broadcast = is_broadcast(s, ip.dst);
	if (!broadcast && (s->cfg.ip == 0 || ip.dst != s->cfg.ip)) {
		s->stats.ip_not_for_us++;
		return -ENOENT;
	}
	if (is_broadcast(s, ip.src) || multicast_ip(ip.src)) {
		s->stats.ip_bad_src++;
		return -EINVAL;
	}
	s->stats.ip_rx++;
	switch (ip.proto) {
	case NET_IPPROTO_ICMP:
		return icmp_input(s, eth, &ip, broadcast);
	case NET_IPPROTO_UDP:
		return udp_input(s, &ip);
	case NET_IPPROTO_TCP:
		return net_tcp_input(s, &ip, broadcast);
	default:
		s->stats.ip_unknown_proto++;
		return -EPROTONOSUPPORT;
	}
}

int net_input(struct net_stack *s, const uint8_t *frame, size_t len)
{
	struct net_eth eth;
	int err = net_eth_parse(frame, len, &eth);

	s->stats.rx_frames++;
	if (err == -E2BIG) {
		s->stats.eth_oversize++;
		return err;
	}
	if (err != 0) {
		s->stats.eth_runt++;
		return err;
	}
	if (!net_mac_equal(eth.dst, s->cfg.mac) &&
	    !net_mac_equal(eth.dst, net_mac_broadcast)) {
		s->stats.eth_not_for_us++;
		return -ENOENT;
	}
	if (!net_mac_is_unicast(eth.src)) {
		s->stats.eth_bad_src++;
		return -EINVAL;
	}
	switch (eth.type) {
	case NET_ETHERTYPE_ARP:
		return arp_input(s, &eth);
	case NET_ETHERTYPE_IPV4:
		return ipv4_input(s, &eth);
	default:
		s->stats.eth_unknown_type++;
		return -EPROTONOSUPPORT;
	}
}

/* ---- the receive task ----------------------------------------------------------- */

static int receive_task(void *arg)
{
	struct net_stack *s = arg;

	for (;;) {
		int n = s->nif.recv(net_frame(&s->rx), NET_FRAME_MAX, KT_FOREVER);

		if (n > 0)
			net_input(s, net_frame(&s->rx), (size_t)n);
		else if (n != -ETIMEDOUT && n != -EMSGSIZE)
			return n; /* cancelled, or the interface is gone */
	}
}

int net_start(struct net_stack *s, struct kt_task *t, void *stack,
	      size_t stack_size, unsigned prio)
{
	if (s == NULL)
		return -EINVAL;
	return kt_task_spawn(t, "net", receive_task, s, stack, stack_size, prio);
}
