/*
 * The DHCP client (net/dhcp.h) against a scripted server on the virtual
 * clock: the test plays the server, reading what the client sent through
 * the fake interface and answering with frames into net_input().  The
 * happy path, renewal at T1 (unicast, after ARP), rebinding at T2
 * (broadcast), expiry, NAK, malformed and foreign replies (each counted,
 * none taken), option overload, the retransmission schedule and the
 * fallback to a static address; and the parser on its own.
 */
#include <string.h>

#include "dhcp.h"
#include "kt_test.h"

#define HZ 1000u
#define IP_SRV NET_IP4(10, 0, 2, 2)
#define IP_OFFER NET_IP4(10, 0, 2, 15)
#define MASK NET_IP4(255, 255, 255, 0)
#define IP_STATIC NET_IP4(192, 168, 7, 2)
#define LEASE 16u /* s: T1 at 8 s, T2 at 14 s */

static const uint8_t mac_us[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t mac_srv[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };

static struct net_stack stack;
static struct net_dhcp dhcp;
static struct test_task dhcp_task;
static unsigned changes;

/* ---- the fake interface: frames sent are kept ------------------------------------- */

#define SENT_MAX 64
static uint8_t sent[SENT_MAX][NET_FRAME_MAX];
static size_t sent_len[SENT_MAX];
static unsigned nsent;

static int fake_send(const void *frame, size_t len, kt_tick_t timeout)
{
	(void)timeout;
	assert_true(nsent < SENT_MAX);
	memcpy(sent[nsent], frame, len);
	sent_len[nsent++] = len;
	return (int)len;
}

static int fake_recv(void *buf, size_t len, kt_tick_t timeout)
{
	(void)buf;
	(void)len;
	return kt_sleep(timeout) == 0 ? -ETIMEDOUT : -ECANCELED;
}

static const struct net_if fake_if = { fake_send, fake_recv };

static void changed(const struct net_dhcp *c, void *arg)
{
	(void)c;
	(void)arg;
	changes++;
}

static const struct net_dhcp_config test_cfg = {
	.fallback_ip = IP_STATIC,
	.fallback_mask = MASK,
	.fallback_gw = NET_IP4(192, 168, 7, 1),
	.fallback_after = 3,
	.retry_ms = 100,
	.retry_max_ms = 800,
	.jitter_ms = 0,
	.request_tries = 3,
	.renew_min_ms = 500,
	.changed = changed,
};

static int setup(void **state)
{
	struct net_config cfg = { .ip = NET_IP4(1, 2, 3, 4),
				  .netmask = MASK,
				  .tick_hz = HZ };

	kt_test_setup(state);
	memcpy(cfg.mac, mac_us, 6);
	assert_int_equal(net_init(&stack, &cfg, &fake_if), 0);
	assert_int_equal(net_dhcp_init(&dhcp, &stack, &test_cfg), 0);
	nsent = 0;
	changes = 0;
	return 0;
}

static void start(void)
{
	assert_int_equal(spawn(&dhcp_task, "dhcp", net_dhcp_task, &dhcp, 3), 0);
	kt_run_until_idle();
}

#define DHCP_TEST(f) cmocka_unit_test_setup(f, setup)

/* ---- what the client sent ------------------------------------------------------- */

struct seen {
	struct net_dhcp_msg m;
	uint32_t src, dst;
	const uint8_t *eth_dst;
	uint16_t sport, dport;
};

/* The i-th frame sent, which must be a DHCP message from port 68. */
static void sent_dhcp(unsigned i, struct seen *s)
{
	struct net_eth e;
	struct net_ipv4 ip;
	struct net_udp u;

	assert_true(i < nsent);
	assert_int_equal(net_eth_parse(sent[i], sent_len[i], &e), 0);
	assert_int_equal(e.type, NET_ETHERTYPE_IPV4);
	assert_int_equal(net_ipv4_parse(e.payload, e.len, &ip), 0);
	assert_int_equal(ip.proto, NET_IPPROTO_UDP);
	assert_int_equal(net_udp_parse(ip.payload, ip.len, ip.src, ip.dst, &u), 0);
	assert_int_equal(u.sport, 68);
	assert_int_equal(u.dport, 67);
	assert_int_equal(net_dhcp_parse(u.payload, u.len, &s->m), 0);
	assert_int_equal(s->m.op, 1);
	assert_memory_equal(s->m.chaddr, mac_us, 6);
	s->src = ip.src;
	s->dst = ip.dst;
	s->eth_dst = e.dst;
}

/* The last frame sent, as DHCP, and the count reset. */
static struct seen last_dhcp(void)
{
	struct seen s;

	assert_true(nsent > 0);
	sent_dhcp(nsent - 1, &s);
	nsent = 0;
	return s;
}

/* ---- the scripted server ----------------------------------------------------------- */

struct reply {
	uint8_t type;
	uint32_t xid, yiaddr, server_id, lease, t1, t2;
	const uint8_t *chaddr;
	bool no_server, no_lease, no_end;
	uint8_t op;
	uint32_t cookie;
	uint16_t sport;
	size_t cut; /* send only this many bytes of DHCP message (0: all) */
};

static size_t put32opt(uint8_t *o, uint8_t code, uint32_t v)
{
	o[0] = code;
	o[1] = 4;
	net_put32(o + 2, v);
	return 6;
}

/* A reply message in p; its length. */
static size_t build_reply(uint8_t *p, const struct reply *r)
{
	size_t n = 240;

	memset(p, 0, 548);
	p[0] = r->op != 0 ? r->op : 2;
	p[1] = 1;
	p[2] = 6;
	net_put32(p + 4, r->xid);
	net_put32(p + 16, r->yiaddr);
	memcpy(p + 28, r->chaddr != NULL ? r->chaddr : mac_us, 6);
	net_put32(p + 236, r->cookie != 0 ? r->cookie : NET_DHCP_COOKIE);
	p[n++] = 53;
	p[n++] = 1;
	p[n++] = r->type;
	if (!r->no_server)
		n += put32opt(p + n, 54, r->server_id != 0 ? r->server_id : IP_SRV);
	if (r->type != NET_DHCP_NAK) {
		if (!r->no_lease)
			n += put32opt(p + n, 51, r->lease != 0 ? r->lease : LEASE);
		n += put32opt(p + n, 1, MASK);
		n += put32opt(p + n, 3, IP_SRV);
		if (r->t1 != 0)
			n += put32opt(p + n, 58, r->t1);
		if (r->t2 != 0)
			n += put32opt(p + n, 59, r->t2);
	}
	if (!r->no_end)
		p[n++] = 255;
	while (n < 300)
		p[n++] = 0;
	return r->cut != 0 ? r->cut : n;
}

/* A DHCP payload from the server, broadcast, into the stack. */
static int deliver(const uint8_t *msg, size_t len, uint16_t sport)
{
	static struct net_frame_buf fb;
	uint8_t *f = net_frame(&fb);
	struct net_ipv4 h = { .proto = NET_IPPROTO_UDP,
			      .ttl = 64,
			      .id = 7,
			      .src = IP_SRV,
			      .dst = NET_IP_BROADCAST };
	size_t n = net_udp_build(f + 34, NET_FRAME_MAX - 34, IP_SRV,
				 NET_IP_BROADCAST, sport, 68, msg, len);

	net_eth_build(f, NET_FRAME_MAX, net_mac_broadcast, mac_srv,
		      NET_ETHERTYPE_IPV4);
	net_ipv4_build(f + 14, NET_FRAME_MAX - 14, &h, n);
	return net_input(&stack, f, 34 + n);
}

static void serve(const struct reply *r)
{
	uint8_t msg[600];
	size_t n = build_reply(msg, r);

	assert_int_equal(deliver(msg, n, r->sport != 0 ? r->sport : 67), 0);
	kt_run_until_idle();
}

/* The server answers the ARP request for its address. */
static void answer_arp(void)
{
	static struct net_frame_buf fb;
	uint8_t *f = net_frame(&fb);
	struct net_arp a = { .op = NET_ARP_REPLY, .spa = IP_SRV, .tpa = IP_OFFER };
	struct net_eth e;
	struct net_arp q;

	assert_true(nsent > 0);
	assert_int_equal(net_eth_parse(sent[nsent - 1], sent_len[nsent - 1], &e), 0);
	assert_int_equal(e.type, NET_ETHERTYPE_ARP);
	assert_int_equal(net_arp_parse(e.payload, e.len, &q), 0);
	assert_int_equal(q.tpa, IP_SRV);
	nsent = 0;
	memcpy(a.sha, mac_srv, 6);
	memcpy(a.tha, mac_us, 6);
	net_eth_build(f, NET_FRAME_MAX, mac_us, mac_srv, NET_ETHERTYPE_ARP);
	net_arp_build(f + 14, NET_FRAME_MAX - 14, &a);
	assert_int_equal(net_input(&stack, f, 60), 0);
	kt_run_until_idle();
}

static uint32_t our_ip(void)
{
	struct net_config c;

	net_get_config(&stack, &c);
	return c.ip;
}

/* DISCOVER, OFFER, REQUEST, ACK; returns the xid. */
static uint32_t get_lease(void)
{
	struct seen d, r;

	start();
	d = last_dhcp();
	assert_int_equal(d.m.type, NET_DHCP_DISCOVER);
	serve(&(struct reply){ .type = NET_DHCP_OFFER, .xid = d.m.xid, .yiaddr = IP_OFFER });
	r = last_dhcp();
	assert_int_equal(r.m.type, NET_DHCP_REQUEST);
	serve(&(struct reply){ .type = NET_DHCP_ACK, .xid = r.m.xid, .yiaddr = IP_OFFER });
	assert_int_equal(net_dhcp_state(&dhcp), NET_DHCP_BOUND);
	return r.m.xid;
}

/* ---- the tests -------------------------------------------------------------------- */

static void happy_path(void **state)
{
	struct net_config c;
	struct seen d, r;
	(void)state;

	assert_int_equal(our_ip(), 0); /* init gives up the address: 4.1 */
	start();
	assert_int_equal(nsent, 1);
	d = last_dhcp();
	assert_int_equal(d.m.type, NET_DHCP_DISCOVER);
	assert_int_equal(d.src, 0);
	assert_int_equal(d.dst, NET_IP_BROADCAST);
	assert_memory_equal(d.eth_dst, net_mac_broadcast, 6);
	assert_int_equal(d.m.flags, 0x8000);
	assert_int_equal(d.m.ciaddr, 0);
	assert_int_equal(net_dhcp_state(&dhcp), NET_DHCP_SELECTING);

	serve(&(struct reply){ .type = NET_DHCP_OFFER, .xid = d.m.xid, .yiaddr = IP_OFFER });
	r = last_dhcp();
	assert_int_equal(r.m.type, NET_DHCP_REQUEST);
	assert_int_equal(r.m.xid, d.m.xid); /* 4.4.1: the offer's xid */
	assert_int_equal(r.m.requested_ip, IP_OFFER);
	assert_int_equal(r.m.server_id, IP_SRV);
	assert_int_equal(r.m.ciaddr, 0);
	assert_int_equal(r.dst, NET_IP_BROADCAST);
	assert_int_equal(our_ip(), 0);

	serve(&(struct reply){ .type = NET_DHCP_ACK, .xid = r.m.xid, .yiaddr = IP_OFFER });
	net_get_config(&stack, &c);
	assert_int_equal(c.ip, IP_OFFER);
	assert_int_equal(c.netmask, MASK);
	assert_int_equal(c.gateway, IP_SRV);
	assert_int_equal(net_dhcp_state(&dhcp), NET_DHCP_BOUND);
	assert_int_equal(net_dhcp_lease_left(&dhcp), LEASE);
	assert_int_equal(dhcp.stats.bound, 1);
	assert_int_equal(changes, 1);
	/* Nothing more until T1. */
	kt_host_tick(4900);
	assert_int_equal(nsent, 0);
	assert_int_equal(net_dhcp_state(&dhcp), NET_DHCP_BOUND);
}

static void renews_at_t1_by_unicast(void **state)
{
	struct seen r;
	(void)state;

	get_lease();
	kt_host_tick(LEASE * HZ / 2 - 1);
	assert_int_equal(nsent, 0);
	kt_host_tick(1);
	/* The server is unicast: its MAC first. */
	answer_arp();
	r = last_dhcp();
	assert_int_equal(net_dhcp_state(&dhcp), NET_DHCP_RENEWING);
	assert_int_equal(r.m.type, NET_DHCP_REQUEST);
	assert_int_equal(r.src, IP_OFFER);
	assert_int_equal(r.dst, IP_SRV);
	assert_memory_equal(r.eth_dst, mac_srv, 6);
	assert_int_equal(r.m.ciaddr, IP_OFFER);
	assert_int_equal(r.m.have & (NET_DHCP_HAVE_REQ_IP | NET_DHCP_HAVE_SERVER), 0);
	serve(&(struct reply){ .type = NET_DHCP_ACK,
			       .xid = r.m.xid,
			       .yiaddr = IP_OFFER,
			       .lease = 20 });
	assert_int_equal(net_dhcp_state(&dhcp), NET_DHCP_BOUND);
	assert_int_equal(dhcp.stats.renewed, 1);
	assert_int_equal(net_dhcp_lease_left(&dhcp), 20);
	assert_int_equal(our_ip(), IP_OFFER);
	/* The new lease's T1 is 10 s on. */
	kt_host_tick(9999);
	assert_int_equal(nsent, 0);
	kt_host_tick(1);
	assert_true(nsent > 0);
}

static void rebinds_at_t2_by_broadcast(void **state)
{
	struct seen r;
	unsigned unicasts = 0;
	(void)state;

	get_lease();
	kt_host_tick(LEASE * HZ / 2);
	answer_arp();
	/* No answer: half the time to T2 (3 s), then half again... at
	 * least renew_min_ms, and never past T2. */
	r = last_dhcp();
	unicasts++;
	kt_host_tick(2999);
	assert_int_equal(nsent, 0);
	kt_host_tick(1);
	r = last_dhcp();
	assert_int_equal(r.dst, IP_SRV);
	unicasts++;
	while (net_dhcp_state(&dhcp) == NET_DHCP_RENEWING) {
		kt_host_tick(1);
		if (nsent != 0 && net_dhcp_state(&dhcp) == NET_DHCP_RENEWING) {
			r = last_dhcp();
			assert_int_equal(r.dst, IP_SRV);
			unicasts++;
		}
	}
	assert_int_equal(kt_now(), LEASE * HZ * 7 / 8);
	assert_int_equal(net_dhcp_state(&dhcp), NET_DHCP_REBINDING);
	r = last_dhcp();
	assert_int_equal(r.dst, NET_IP_BROADCAST);
	assert_int_equal(r.m.ciaddr, IP_OFFER);
	assert_int_equal(r.m.flags, 0);
	assert_true(unicasts >= 3);
	/* Any server may answer now. */
	serve(&(struct reply){ .type = NET_DHCP_ACK,
			       .xid = r.m.xid,
			       .yiaddr = IP_OFFER,
			       .server_id = NET_IP4(10, 0, 2, 3) });
	assert_int_equal(net_dhcp_state(&dhcp), NET_DHCP_BOUND);
	assert_int_equal(dhcp.stats.rebound, 1);
	assert_int_equal(dhcp.server, NET_IP4(10, 0, 2, 3));
}

static void expired_lease_drops_the_address(void **state)
{
	struct seen d;
	(void)state;

	get_lease();
	kt_host_tick(LEASE * HZ / 2);
	answer_arp();
	nsent = 0;
	kt_host_tick(LEASE * HZ / 2 - 1);
	assert_int_equal(our_ip(), IP_OFFER);
	assert_int_equal(net_dhcp_state(&dhcp), NET_DHCP_REBINDING);
	nsent = 0;
	kt_host_tick(1);
	assert_int_equal(our_ip(), 0);
	assert_int_equal(dhcp.stats.expired, 1);
	/* And straight back to discovering. */
	d = last_dhcp();
	assert_int_equal(d.m.type, NET_DHCP_DISCOVER);
	assert_int_equal(d.src, 0);
	assert_int_equal(net_dhcp_state(&dhcp), NET_DHCP_SELECTING);
}

static void nak_restarts(void **state)
{
	struct seen d, r;
	(void)state;

	start();
	d = last_dhcp();
	serve(&(struct reply){ .type = NET_DHCP_OFFER, .xid = d.m.xid, .yiaddr = IP_OFFER });
	r = last_dhcp();
	serve(&(struct reply){ .type = NET_DHCP_NAK, .xid = r.m.xid });
	assert_int_equal(dhcp.stats.naks, 1);
	assert_int_equal(net_dhcp_state(&dhcp), NET_DHCP_INIT);
	assert_int_equal(nsent, 0);
	kt_host_tick(100); /* a pause, then a new DISCOVER with a new xid */
	d = last_dhcp();
	assert_int_equal(d.m.type, NET_DHCP_DISCOVER);
	assert_int_not_equal(d.m.xid, r.m.xid);
	assert_int_equal(our_ip(), 0);
}

static void nak_while_renewing_drops_the_address(void **state)
{
	struct seen r;
	(void)state;

	get_lease();
	kt_host_tick(LEASE * HZ / 2);
	answer_arp();
	r = last_dhcp();
	serve(&(struct reply){ .type = NET_DHCP_NAK, .xid = r.m.xid });
	assert_int_equal(our_ip(), 0);
	assert_int_equal(net_dhcp_state(&dhcp), NET_DHCP_SELECTING);
	assert_int_equal(last_dhcp().m.type, NET_DHCP_DISCOVER);
	assert_int_equal(changes, 2);
}

static void bad_replies_are_counted_and_dropped(void **state)
{
	static const uint8_t other_mac[6] = { 0x52, 0x54, 0, 0, 0, 9 };
	uint8_t msg[600];
	struct seen d;
	uint32_t x;
	size_t n;
	(void)state;

	start();
	d = last_dhcp();
	x = d.m.xid;
	serve(&(struct reply){ .type = NET_DHCP_OFFER, .xid = x + 1, .yiaddr = IP_OFFER });
	assert_int_equal(dhcp.stats.wrong_xid, 1);
	serve(&(struct reply){ .type = NET_DHCP_OFFER,
			       .xid = x,
			       .yiaddr = IP_OFFER,
			       .chaddr = other_mac });
	assert_int_equal(dhcp.stats.wrong_chaddr, 1);
	serve(&(struct reply){ .type = NET_DHCP_ACK, .xid = x, .yiaddr = IP_OFFER });
	assert_int_equal(dhcp.stats.unexpected, 1);
	serve(&(struct reply){ .type = NET_DHCP_OFFER,
			       .xid = x,
			       .yiaddr = IP_OFFER,
			       .op = 1 });
	serve(&(struct reply){ .type = NET_DHCP_OFFER,
			       .xid = x,
			       .yiaddr = IP_OFFER,
			       .cookie = 0x63825364u });
	serve(&(struct reply){ .type = NET_DHCP_OFFER,
			       .xid = x,
			       .yiaddr = IP_OFFER,
			       .cut = 200 });
	serve(&(struct reply){ .type = NET_DHCP_OFFER,
			       .xid = x,
			       .yiaddr = IP_OFFER,
			       .no_end = true,
			       .cut = 240 + 3 + 6 + 6 + 6 + 6 });
	serve(&(struct reply){ .type = NET_DHCP_OFFER,
			       .xid = x,
			       .yiaddr = IP_OFFER,
			       .sport = 1067 });
	assert_int_equal(dhcp.stats.malformed, 5);
	serve(&(struct reply){ .type = NET_DHCP_OFFER,
			       .xid = x,
			       .yiaddr = IP_OFFER,
			       .no_server = true });
	serve(&(struct reply){ .type = NET_DHCP_OFFER,
			       .xid = x,
			       .yiaddr = IP_OFFER,
			       .no_lease = true });
	serve(&(struct reply){ .type = NET_DHCP_OFFER, .xid = x, .yiaddr = 0 });
	serve(&(struct reply){ .type = NET_DHCP_OFFER,
			       .xid = x,
			       .yiaddr = NET_IP4(224, 0, 0, 1) });
	assert_int_equal(dhcp.stats.bad_offer, 4);
	/* An option whose length runs past the message. */
	n = build_reply(msg, &(struct reply){ .type = NET_DHCP_OFFER,
					      .xid = x,
					      .yiaddr = IP_OFFER });
	msg[241] = 200;
	assert_int_equal(deliver(msg, n, 67), 0);
	kt_run_until_idle();
	/* An address option of 3 bytes. */
	n = build_reply(msg, &(struct reply){ .type = NET_DHCP_OFFER,
					      .xid = x,
					      .yiaddr = IP_OFFER });
	msg[244] = 3;
	assert_int_equal(deliver(msg, n, 67), 0);
	kt_run_until_idle();
	/* Longer than a client must take: dropped, not cut and believed. */
	memset(msg, 0, sizeof(msg));
	build_reply(msg, &(struct reply){ .type = NET_DHCP_OFFER,
					  .xid = x,
					  .yiaddr = IP_OFFER });
	assert_int_equal(deliver(msg, 590, 67), 0);
	kt_run_until_idle();
	assert_int_equal(dhcp.stats.malformed, 7);
	assert_int_equal(dhcp.stats.oversize, 1);
	assert_int_equal(net_dhcp_state(&dhcp), NET_DHCP_SELECTING);
	assert_int_equal(nsent, 0);
	assert_int_equal(dhcp.stats.offers, 0);
	/* The good one still works. */
	serve(&(struct reply){ .type = NET_DHCP_OFFER, .xid = x, .yiaddr = IP_OFFER });
	assert_int_equal(net_dhcp_state(&dhcp), NET_DHCP_REQUESTING);
	assert_int_equal(last_dhcp().m.type, NET_DHCP_REQUEST);
}

static void another_servers_ack_is_not_ours(void **state)
{
	struct seen d, r;
	(void)state;

	start();
	d = last_dhcp();
	serve(&(struct reply){ .type = NET_DHCP_OFFER, .xid = d.m.xid, .yiaddr = IP_OFFER });
	r = last_dhcp();
	serve(&(struct reply){ .type = NET_DHCP_ACK,
			       .xid = r.m.xid,
			       .yiaddr = IP_OFFER,
			       .server_id = NET_IP4(10, 0, 2, 9) });
	assert_int_equal(dhcp.stats.unexpected, 1);
	assert_int_equal(net_dhcp_state(&dhcp), NET_DHCP_REQUESTING);
}

static void overloaded_options_are_read(void **state)
{
	uint8_t msg[600];
	struct net_dhcp_msg m;
	struct seen d;
	(void)state;

	start();
	d = last_dhcp();
	/* Type and overload in the options; server id and lease in file. */
	memset(msg, 0, sizeof(msg));
	msg[0] = 2;
	msg[1] = 1;
	msg[2] = 6;
	net_put32(msg + 4, d.m.xid);
	net_put32(msg + 16, IP_OFFER);
	memcpy(msg + 28, mac_us, 6);
	net_put32(msg + 236, NET_DHCP_COOKIE);
	memcpy(msg + 240, (const uint8_t[]){ 53, 1, 2, 52, 1, 1, 255 }, 7);
	memcpy(msg + 108,
	       (const uint8_t[]){ 54, 4, 10, 0, 2, 2, 51, 4, 0, 0, 0, 60, 255 }, 13);
	assert_int_equal(net_dhcp_parse(msg, 300, &m), 0);
	assert_int_equal(m.server_id, IP_SRV);
	assert_int_equal(m.lease, 60);
	assert_int_equal(deliver(msg, 300, 67), 0);
	kt_run_until_idle();
	assert_int_equal(net_dhcp_state(&dhcp), NET_DHCP_REQUESTING);
	/* Overload pointing at a file field whose option runs off its end. */
	msg[108 + 12] = 0;
	msg[108 + 126] = 12;
	msg[108 + 127] = 200;
	assert_int_equal(net_dhcp_parse(msg, 300, &m), -EINVAL);
}

static void retransmits_with_backoff_then_falls_back(void **state)
{
	struct net_config c;
	uint32_t xid;
	(void)state;

	start();
	xid = last_dhcp().m.xid;
	kt_host_tick(99);
	assert_int_equal(nsent, 0);
	kt_host_tick(1);
	assert_int_equal(last_dhcp().m.xid, xid); /* 100 ms */
	kt_host_tick(199);
	assert_int_equal(nsent, 0);
	kt_host_tick(1);
	assert_int_equal(last_dhcp().m.type, NET_DHCP_DISCOVER); /* +200 */
	kt_host_tick(399);
	assert_int_equal(net_dhcp_state(&dhcp), NET_DHCP_SELECTING);
	kt_host_tick(1); /* +400: the third went unanswered */
	assert_int_equal(nsent, 0);
	net_get_config(&stack, &c);
	assert_int_equal(c.ip, IP_STATIC);
	assert_int_equal(c.gateway, NET_IP4(192, 168, 7, 1));
	assert_int_equal(net_dhcp_state(&dhcp), NET_DHCP_FALLBACK);
	assert_int_equal(dhcp.stats.discovers, 3);
	assert_int_equal(dhcp.stats.fallbacks, 1);
	assert_int_equal(changes, 1);
	kt_host_tick(10000);
	assert_int_equal(nsent, 0);
}

static void backoff_is_capped_and_jittered(void **state)
{
	struct net_dhcp_config cfg = test_cfg;
	kt_tick_t last = 0;
	(void)state;

	cfg.fallback_after = 0; /* keep discovering */
	cfg.jitter_ms = 50;
	net_udp_close(&dhcp.sock);
	assert_int_equal(net_dhcp_init(&dhcp, &stack, &cfg), 0);
	start();
	nsent = 0;
	for (unsigned k = 0; k < 8; k++) {
		kt_tick_t gap, want = (100u << k) > 800u ? 800u : 100u << k;

		while (nsent == 0)
			kt_host_tick(1);
		nsent = 0;
		gap = kt_now() - last;
		last = kt_now();
		assert_true(gap + 50 >= want && gap <= want + 50);
	}
	assert_int_equal(net_dhcp_state(&dhcp), NET_DHCP_SELECTING);
}

static void cancel_stops_the_client(void **state)
{
	(void)state;

	get_lease();
	assert_int_equal(kt_task_cancel(&dhcp_task.task), 0);
	kt_run_until_idle();
	assert_int_equal(dhcp_task.task.state, KT_DONE);
	assert_int_equal(dhcp_task.task.result, -ECANCELED);
	assert_int_equal(our_ip(), IP_OFFER);
	assert_int_equal(net_udp_port(&dhcp.sock), 0);
}

static void parser_refuses_short_and_odd(void **state)
{
	uint8_t msg[600];
	struct net_dhcp_msg m;
	size_t n = build_reply(msg, &(struct reply){ .type = NET_DHCP_ACK,
						     .xid = 1,
						     .yiaddr = IP_OFFER,
						     .t1 = 3,
						     .t2 = 4 });
	(void)state;

	assert_int_equal(net_dhcp_parse(msg, n, &m), 0);
	assert_int_equal(m.t1, 3);
	assert_int_equal(m.t2, 4);
	assert_int_equal(m.router, IP_SRV);
	for (size_t len = 0; len < 240 + 3; len++)
		assert_int_equal(net_dhcp_parse(msg, len, &m), -EINVAL);
	msg[1] = 6; /* IEEE 802 */
	assert_int_equal(net_dhcp_parse(msg, n, &m), -EINVAL);
	msg[1] = 1;
	msg[242] = 9; /* type out of range */
	assert_int_equal(net_dhcp_parse(msg, n, &m), -EINVAL);
	msg[242] = 5;
	msg[241] = 2; /* type of 2 bytes */
	assert_int_equal(net_dhcp_parse(msg, n, &m), -EINVAL);
	/* What we build parses as what we meant. */
	n = net_dhcp_build(msg, sizeof(msg),
			   &(struct net_dhcp_req){ .type = NET_DHCP_REQUEST,
						   .xid = 0x1234,
						   .requested_ip = IP_OFFER,
						   .server_id = IP_SRV,
						   .mac = { 1, 2, 3, 4, 5, 6 } });
	assert_int_equal(n, 300);
	assert_int_equal(net_dhcp_parse(msg, n, &m), 0);
	assert_int_equal(m.type, NET_DHCP_REQUEST);
	assert_int_equal(m.requested_ip, IP_OFFER);
	assert_int_equal(m.server_id, IP_SRV);
	assert_int_equal(net_dhcp_build(msg, 299, &(struct net_dhcp_req){ 0 }), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		DHCP_TEST(happy_path),
		DHCP_TEST(renews_at_t1_by_unicast),
		DHCP_TEST(rebinds_at_t2_by_broadcast),
		DHCP_TEST(expired_lease_drops_the_address),
		DHCP_TEST(nak_restarts),
		DHCP_TEST(nak_while_renewing_drops_the_address),
		DHCP_TEST(bad_replies_are_counted_and_dropped),
		DHCP_TEST(another_servers_ack_is_not_ours),
		DHCP_TEST(overloaded_options_are_read),
		DHCP_TEST(retransmits_with_backoff_then_falls_back),
		DHCP_TEST(backoff_is_capped_and_jittered),
		DHCP_TEST(cancel_stops_the_client),
		DHCP_TEST(parser_refuses_short_and_odd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
