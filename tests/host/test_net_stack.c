/*
 * The stack over a fake interface (net/net.h): ARP answers and learning,
 * ping, UDP to sockets owned by tasks that block in receive, sending with
 * ARP resolution, retries and give-up, routing through the gateway, the
 * receive task, and every kind of bad frame dropped under its own
 * counter with nothing sent and nothing delivered.
 */
#include <string.h>

#include "kt_test.h"
#include "net.h"

#define IP_US NET_IP4(10, 0, 2, 15)
#define IP_B NET_IP4(10, 0, 2, 2)
#define IP_C NET_IP4(10, 0, 2, 3)
#define IP_GW NET_IP4(10, 0, 2, 1)
#define MASK NET_IP4(255, 255, 255, 0)
#define HZ 1000u

static const uint8_t mac_us[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t mac_b[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
static const uint8_t mac_gw[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x01 };

static struct net_stack stack;

/* ---- the fake interface ----------------------------------------------------------- */

#define SENT_MAX 16
static uint8_t sent[SENT_MAX][NET_FRAME_MAX];
static size_t sent_len[SENT_MAX];
static unsigned nsent;
static int send_error; /* what send returns while non-zero */

static int fake_send(const void *frame, size_t len, kt_tick_t timeout)
{
	(void)timeout;
	assert_true(len >= 14 && len <= NET_FRAME_MAX);
	if (send_error != 0)
		return send_error;
	assert_true(nsent < SENT_MAX);
	memcpy(sent[nsent], frame, len);
	sent_len[nsent++] = len;
	return (int)len;
}

/* Frames for the receive task: a queue of (pointer, length). */
struct rx_item {
	const uint8_t *p;
	size_t len;
};
static struct kt_queue rxq;
static struct rx_item rxq_store[8];

static int fake_recv(void *buf, size_t len, kt_tick_t timeout)
{
	struct rx_item it;
	int err = kt_queue_get(&rxq, &it, timeout);

	if (err != 0)
		return err;
	if (it.len > len)
		return -EMSGSIZE;
	memcpy(buf, it.p, it.len);
	return (int)it.len;
}

static const struct net_if fake_if = { fake_send, fake_recv };

static int setup(void **state)
{
	struct net_config cfg = { .ip = IP_US,
				  .netmask = MASK,
				  .gateway = IP_GW,
				  .tick_hz = HZ };

	kt_test_setup(state);
	memcpy(cfg.mac, mac_us, 6);
	assert_int_equal(net_init(&stack, &cfg, &fake_if), 0);
	kt_queue_init(&rxq, rxq_store, sizeof(struct rx_item), 8);
	nsent = 0;
	send_error = 0;
	return 0;
}

#define NET_TEST(f) cmocka_unit_test_setup(f, setup)

/* ---- frames the "peers" send ------------------------------------------------------- */

static size_t arp_frame(uint8_t *f, uint16_t op, const uint8_t *eth_dst,
			const uint8_t *sha, uint32_t spa, const uint8_t *tha,
			uint32_t tpa)
{
	struct net_arp a = { .op = op, .spa = spa, .tpa = tpa };

	memcpy(a.sha, sha, 6);
	memcpy(a.tha, tha, 6);
	net_eth_build(f, NET_FRAME_MAX, eth_dst, sha, NET_ETHERTYPE_ARP);
	net_arp_build(f + 14, NET_FRAME_MAX - 14, &a);
	memset(f + 42, 0, 18); /* padded to the minimum, as on a wire */
	return 60;
}

static size_t ip_frame(uint8_t *f, const uint8_t *eth_src, uint32_t src,
		       uint32_t dst, uint8_t proto, size_t payload_len)
{
	struct net_ipv4 h = { .proto = proto, .ttl = 64, .id = 1, .src = src, .dst = dst };

	net_eth_build(f, NET_FRAME_MAX, mac_us, eth_src, NET_ETHERTYPE_IPV4);
	net_ipv4_build(f + 14, NET_FRAME_MAX - 14, &h, payload_len);
	return 34 + payload_len;
}

static size_t udp_frame(uint8_t *f, uint32_t src, uint32_t dst, uint16_t sport,
			uint16_t dport, const void *data, size_t len)
{
	size_t n = net_udp_build(f + 34, NET_FRAME_MAX - 34, src, dst, sport,
				 dport, data, len);

	return ip_frame(f, mac_b, src, dst, NET_IPPROTO_UDP, n);
}

static size_t ping_frame(uint8_t *f, uint32_t dst, uint16_t seq, size_t data_len)
{
	uint8_t *m = f + 34;

	m[0] = NET_ICMP_ECHO_REQUEST;
	m[1] = 0;
	net_put16(m + 2, 0);
	net_put16(m + 4, 0x4242);
	net_put16(m + 6, seq);
	for (size_t i = 0; i < data_len; i++)
		m[8 + i] = (uint8_t)(i ^ seq);
	net_put16(m + 2, net_csum(m, 8 + data_len));
	return ip_frame(f, mac_b, IP_B, dst, NET_IPPROTO_ICMP, 8 + data_len);
}

/* ---- ARP ------------------------------------------------------------------------ */

static void arp_request_for_us_is_answered(void **state)
{
	uint8_t f[NET_FRAME_MAX], mac[6];
	static const uint8_t zero[6];
	struct net_eth e;
	struct net_arp a;
	size_t n = arp_frame(f, NET_ARP_REQUEST, net_mac_broadcast, mac_b, IP_B,
			     zero, IP_US);
	(void)state;
	assert_int_equal(net_input(&stack, f, n), 0);
	assert_int_equal(nsent, 1);
	assert_int_equal(sent_len[0], 42);
	assert_int_equal(net_eth_parse(sent[0], sent_len[0], &e), 0);
	assert_memory_equal(e.dst, mac_b, 6);
	assert_memory_equal(e.src, mac_us, 6);
	assert_int_equal(e.type, NET_ETHERTYPE_ARP);
	assert_int_equal(net_arp_parse(e.payload, e.len, &a), 0);
	assert_int_equal(a.op, NET_ARP_REPLY);
	assert_memory_equal(a.sha, mac_us, 6);
	assert_int_equal(a.spa, IP_US);
	assert_memory_equal(a.tha, mac_b, 6);
	assert_int_equal(a.tpa, IP_B);
	/* The asker was learned. */
	assert_int_equal(net_arp_lookup(&stack.arp, IP_B, kt_now(), mac), 0);
	assert_memory_equal(mac, mac_b, 6);
	assert_int_equal(stack.stats.arp_rx, 1);
	assert_int_equal(stack.stats.arp_replies_sent, 1);
}

static void arp_for_others_learns_nothing_new(void **state)
{
	uint8_t f[NET_FRAME_MAX], mac[6];
	static const uint8_t zero[6];
	size_t n;
	(void)state;
	n = arp_frame(f, NET_ARP_REQUEST, net_mac_broadcast, mac_b, IP_B, zero, IP_C);
	assert_int_equal(net_input(&stack, f, n), 0);
	assert_int_equal(nsent, 0);
	assert_int_equal(net_arp_lookup(&stack.arp, IP_B, kt_now(), mac), -ENOENT);
	/* An unsolicited reply to someone else: not learned either. */
	n = arp_frame(f, NET_ARP_REPLY, net_mac_broadcast, mac_b, IP_B, mac_gw, IP_GW);
	assert_int_equal(net_input(&stack, f, n), 0);
	assert_int_equal(net_arp_lookup(&stack.arp, IP_B, kt_now(), mac), -ENOENT);
	/* A probe (sender 0) for us is answered, nothing learned. */
	n = arp_frame(f, NET_ARP_REQUEST, net_mac_broadcast, mac_b, 0, zero, IP_US);
	assert_int_equal(net_input(&stack, f, n), 0);
	assert_int_equal(nsent, 1);
	assert_int_equal(stack.stats.arp_rx, 3);
}

static void arp_flood_keeps_cache_bounded(void **state)
{
	uint8_t f[NET_FRAME_MAX], mac[6];
	static const uint8_t zero[6];
	(void)state;
	for (uint32_t i = 0; i < 1000; i++) {
		uint8_t src[6] = { 0x02, 0, 0, 0, (uint8_t)(i >> 8), (uint8_t)i };
		size_t n = arp_frame(f, NET_ARP_REQUEST, net_mac_broadcast, src,
				     NET_IP4(10, 0, 3, 0) + i, zero, IP_US);

		nsent = 0;
		assert_int_equal(net_input(&stack, f, n), 0);
		assert_int_equal(nsent, 1); /* each is answered */
	}
	assert_int_equal(stack.stats.arp_replies_sent, 1000);
	/* The latest askers are cached, the first ones long replaced. */
	assert_int_equal(net_arp_lookup(&stack.arp, NET_IP4(10, 0, 3, 0) + 999,
					kt_now(), mac),
			 0);
	assert_int_equal(net_arp_lookup(&stack.arp, NET_IP4(10, 0, 3, 0),
					kt_now(), mac),
			 -ENOENT);
}

/* ---- ICMP ------------------------------------------------------------------------ */

static void ping_is_answered(void **state)
{
	uint8_t f[NET_FRAME_MAX];
	struct net_eth e;
	struct net_ipv4 ip;
	struct net_icmp m;
	size_t n = ping_frame(f, IP_US, 9, 56);
	(void)state;
	assert_int_equal(net_input(&stack, f, n), 0);
	assert_int_equal(nsent, 1);
	assert_int_equal(sent_len[0], n);
	assert_int_equal(net_eth_parse(sent[0], sent_len[0], &e), 0);
	assert_memory_equal(e.dst, mac_b, 6); /* straight back, no ARP */
	assert_memory_equal(e.src, mac_us, 6);
	assert_int_equal(net_ipv4_parse(e.payload, e.len, &ip), 0);
	assert_int_equal(ip.src, IP_US);
	assert_int_equal(ip.dst, IP_B);
	assert_int_equal(ip.proto, NET_IPPROTO_ICMP);
	assert_int_equal(net_icmp_parse(ip.payload, ip.len, &m), 0);
	assert_int_equal(m.type, NET_ICMP_ECHO_REPLY);
	assert_int_equal(m.id, 0x4242);
	assert_int_equal(m.seq, 9);
	assert_int_equal(m.len, 56);
	assert_memory_equal(m.data, f + 42, 56);
	assert_int_equal(stack.stats.icmp_echo_replied, 1);

	/* The largest that fits a frame. */
	n = ping_frame(f, IP_US, 10, NET_ETH_MTU - 28);
	assert_int_equal(n, NET_FRAME_MAX);
	assert_int_equal(net_input(&stack, f, n), 0);
	assert_int_equal(sent_len[1], NET_FRAME_MAX);

	/* To the broadcast address: ignored (no smurf amplifier). */
	n = ping_frame(f, NET_IP4(10, 0, 2, 255), 11, 8);
	memcpy(f, net_mac_broadcast, 6);
	assert_int_equal(net_input(&stack, f, n), -EPROTONOSUPPORT);
	assert_int_equal(nsent, 2);
	assert_int_equal(stack.stats.icmp_other, 1);
}

/* ---- UDP to tasks ------------------------------------------------------------------- */

static struct net_udp_socket sock[3];
static struct net_udp_slot slots[3][2];
static struct test_task tasks[3];

struct got {
	int n;
	uint32_t ip;
	uint16_t port;
	uint8_t data[NET_UDP_PAYLOAD_MAX];
};
static struct got got[3];

static int receiver(void *arg)
{
	int i = (int)(intptr_t)arg;

	got[i].n = net_udp_recv(&sock[i], got[i].data, sizeof(got[i].data),
				&got[i].ip, &got[i].port, KT_FOREVER);
	return got[i].n;
}

static void sockets_each_get_their_own(void **state)
{
	uint8_t f[NET_FRAME_MAX];
	size_t n;
	(void)state;
	assert_int_equal(net_udp_bind(&stack, &sock[0], 7, slots[0], 2), 0);
	assert_int_equal(net_udp_bind(&stack, &sock[1], 9, slots[1], 2), 0);
	spawn(&tasks[0], "r7", receiver, (void *)0, 1);
	spawn(&tasks[1], "r9", receiver, (void *)1, 1);
	kt_run_until_idle();
	assert_int_equal(tasks[0].task.state, KT_BLOCKED);
	assert_int_equal(tasks[1].task.state, KT_BLOCKED);

	n = udp_frame(f, IP_B, IP_US, 5555, 9, "nine", 4);
	assert_int_equal(net_input(&stack, f, n), 0);
	kt_run_until_idle();
	assert_int_equal(tasks[1].task.state, KT_DONE);
	assert_int_equal(tasks[0].task.state, KT_BLOCKED);
	assert_int_equal(got[1].n, 4);
	assert_memory_equal(got[1].data, "nine", 4);
	assert_int_equal(got[1].ip, IP_B);
	assert_int_equal(got[1].port, 5555);

	n = udp_frame(f, IP_B, IP_US, 6666, 7, "", 0);
	assert_int_equal(net_input(&stack, f, n), 0);
	kt_run_until_idle();
	assert_int_equal(tasks[0].task.state, KT_DONE);
	assert_int_equal(got[0].n, 0);
	assert_int_equal(got[0].port, 6666);

	/* No socket on the port. */
	n = udp_frame(f, IP_B, IP_US, 6666, 8, "x", 1);
	assert_int_equal(net_input(&stack, f, n), -ENOENT);
	assert_int_equal(stack.stats.udp_no_port, 1);
	assert_int_equal(stack.stats.udp_rx, 2);
	assert_int_equal(nsent, 0);
}

static void full_ring_drops_then_recovers(void **state)
{
	uint8_t f[NET_FRAME_MAX], buf[8];
	uint32_t ip;
	uint16_t port;
	size_t n;
	(void)state;
	assert_int_equal(net_udp_bind(&stack, &sock[0], 7, slots[0], 2), 0);
	for (uint8_t i = 0; i < 5; i++) {
		n = udp_frame(f, IP_B, IP_US, (uint16_t)(1000 + i), 7, &i, 1);
		assert_int_equal(net_input(&stack, f, n), i < 2 ? 0 : -ENOBUFS);
	}
	assert_int_equal(stack.stats.udp_queue_full, 3);
	assert_int_equal(sock[0].dropped, 3);
	/* The first two, in order, from outside a task (never blocks). */
	for (uint8_t i = 0; i < 2; i++) {
		assert_int_equal(net_udp_recv(&sock[0], buf, sizeof(buf), &ip,
					      &port, 0),
				 1);
		assert_int_equal(buf[0], i);
		assert_int_equal(port, 1000 + i);
	}
	assert_int_equal(net_udp_recv(&sock[0], buf, sizeof(buf), NULL, NULL, 0),
			 -EAGAIN);
	/* Not stuck: the next one goes in and out. */
	n = udp_frame(f, IP_B, IP_US, 2000, 7, "abcdefghijk", 11);
	assert_int_equal(net_input(&stack, f, n), 0);
	/* Truncated into a small buffer, and counted. */
	assert_int_equal(net_udp_recv(&sock[0], buf, 4, NULL, NULL, 0), 4);
	assert_memory_equal(buf, "abcd", 4);
	assert_int_equal(sock[0].truncated, 1);
}

static int timed_receiver(void *arg)
{
	uint8_t b[4];
	(void)arg;
	return net_udp_recv(&sock[0], b, sizeof(b), NULL, NULL, 5);
}

static void recv_times_out_and_cancels(void **state)
{
	(void)state;
	assert_int_equal(net_udp_bind(&stack, &sock[0], 7, slots[0], 2), 0);
	spawn(&tasks[0], "t", timed_receiver, NULL, 1);
	kt_run_until_idle();
	kt_host_tick(4);
	assert_int_equal(tasks[0].task.state, KT_BLOCKED);
	kt_host_tick(1);
	assert_int_equal(tasks[0].task.state, KT_DONE);
	assert_int_equal(tasks[0].task.result, -ETIMEDOUT);

	spawn(&tasks[1], "c", receiver, (void *)0, 1);
	kt_run_until_idle();
	assert_int_equal(kt_task_cancel(&tasks[1].task), 0);
	kt_run_until_idle();
	assert_int_equal(tasks[1].task.result, -ECANCELED);
}

static void bind_rules(void **state)
{
	(void)state;
	assert_int_equal(net_udp_bind(&stack, &sock[0], 7, slots[0], 2), 0);
	assert_int_equal(net_udp_bind(&stack, &sock[1], 7, slots[1], 2), -EADDRINUSE);
	assert_int_equal(net_udp_bind(&stack, &sock[0], 8, slots[0], 2), -EINVAL);
	assert_int_equal(net_udp_bind(&stack, &sock[1], 8, slots[1], 0), -EINVAL);
	assert_int_equal(net_udp_bind(&stack, &sock[1], 0, slots[1], 2), 0);
	assert_int_equal(net_udp_port(&sock[1]), 49152);
	assert_int_equal(net_udp_bind(&stack, &sock[2], 0, slots[2], 2), 0);
	assert_int_equal(net_udp_port(&sock[2]), 49153);
	assert_int_equal(net_udp_close(&sock[0]), 0);
	assert_int_equal(net_udp_close(&sock[0]), -EINVAL);
	assert_int_equal(net_udp_port(&sock[0]), 0);
	assert_int_equal(net_udp_bind(&stack, &sock[0], 7, slots[0], 2), 0);
	assert_int_equal(net_udp_recv(&sock[2], NULL, 1, NULL, NULL, 0), -EINVAL);
	assert_int_equal(net_udp_sendto(&sock[2], 0, 7, "x", 1, 0), -EINVAL);
	assert_int_equal(net_udp_sendto(&sock[2], IP_B, 0, "x", 1, 0), -EINVAL);
}

/* ---- sending -------------------------------------------------------------------- */

/* Check sent frame i is UDP from us:sport to dst_mac/dst:dport carrying data. */
static void check_udp_sent(unsigned i, const uint8_t *dst_mac, uint32_t dst,
			   uint16_t sport, uint16_t dport, const void *data,
			   size_t len)
{
	struct net_eth e;
	struct net_ipv4 ip;
	struct net_udp u;

	assert_true(i < nsent);
	assert_int_equal(net_eth_parse(sent[i], sent_len[i], &e), 0);
	assert_memory_equal(e.dst, dst_mac, 6);
	assert_memory_equal(e.src, mac_us, 6);
	assert_int_equal(e.type, NET_ETHERTYPE_IPV4);
	assert_int_equal(net_ipv4_parse(e.payload, e.len, &ip), 0);
	assert_int_equal(ip.src, IP_US);
	assert_int_equal(ip.dst, dst);
	assert_int_equal(ip.proto, NET_IPPROTO_UDP);
	assert_int_equal(net_udp_parse(ip.payload, ip.len, ip.src, ip.dst, &u), 0);
	assert_int_equal(u.sport, sport);
	assert_int_equal(u.dport, dport);
	assert_int_equal(u.len, len);
	assert_memory_equal(u.payload, data, len);
}

/* Check sent frame i is an ARP request for ip. */
static void check_arp_request(unsigned i, uint32_t ip)
{
	struct net_eth e;
	struct net_arp a;

	assert_true(i < nsent);
	assert_int_equal(net_eth_parse(sent[i], sent_len[i], &e), 0);
	assert_memory_equal(e.dst, net_mac_broadcast, 6);
	assert_int_equal(net_arp_parse(e.payload, e.len, &a), 0);
	assert_int_equal(a.op, NET_ARP_REQUEST);
	assert_int_equal(a.spa, IP_US);
	assert_int_equal(a.tpa, ip);
}

static void send_resolves_then_goes_straight(void **state)
{
	uint8_t f[NET_FRAME_MAX];
	static uint8_t big[NET_UDP_PAYLOAD_MAX];
	size_t n;
	(void)state;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	assert_int_equal(net_udp_bind(&stack, &sock[0], 7, slots[0], 2), 0);
	assert_int_equal(net_udp_sendto(&sock[0], IP_B, 4000, "first", 5, 0), 5);
	assert_int_equal(net_udp_sendto(&sock[0], IP_B, 4000, big, sizeof(big), 0),
			 (int)sizeof(big));
	assert_int_equal(net_udp_sendto(&sock[0], IP_B, 4000, big, sizeof(big) + 1, 0),
			 -EMSGSIZE);
	/* One request for both queued frames. */
	assert_int_equal(nsent, 1);
	check_arp_request(0, IP_B);
	assert_int_equal(net_arp_queue_count(&stack.pending), 2);

	n = arp_frame(f, NET_ARP_REPLY, mac_us, mac_b, IP_B, mac_us, IP_US);
	assert_int_equal(net_input(&stack, f, n), 0);
	assert_int_equal(nsent, 3);
	check_udp_sent(1, mac_b, IP_B, 7, 4000, "first", 5);
	check_udp_sent(2, mac_b, IP_B, 7, 4000, big, sizeof(big));
	assert_int_equal(sent_len[2], NET_FRAME_MAX);
	assert_int_equal(net_arp_queue_count(&stack.pending), 0);

	/* Known now: straight out. */
	assert_int_equal(net_udp_sendto(&sock[0], IP_B, 4001, "again", 5, 0), 5);
	assert_int_equal(nsent, 4);
	check_udp_sent(3, mac_b, IP_B, 7, 4001, "again", 5);
	/* Broadcast and our own address need no ARP. */
	assert_int_equal(net_udp_sendto(&sock[0], NET_IP_BROADCAST, 9, "b", 1, 0), 1);
	check_udp_sent(4, net_mac_broadcast, NET_IP_BROADCAST, 7, 9, "b", 1);
	assert_int_equal(net_udp_sendto(&sock[0], IP_US, 9, "me", 2, 0), 2);
	check_udp_sent(5, mac_us, IP_US, 7, 9, "me", 2);
	assert_int_equal(stack.stats.udp_tx, 5);
	/* Expired after the TTL: resolved again. */
	kt_host_tick(NET_ARP_TTL_S * HZ);
	assert_int_equal(net_udp_sendto(&sock[0], IP_B, 4001, "late", 4, 0), 4);
	check_arp_request(6, IP_B);
}

static void queued_frames_leave_in_order(void **state)
{
	uint8_t f[NET_FRAME_MAX];
	size_t n;
	(void)state;
	assert_int_equal(net_udp_bind(&stack, &sock[0], 7, slots[0], 2), 0);
	/* Slot 0 waits for C, slot 1 for B; C answers and frees slot 0. */
	assert_int_equal(net_udp_sendto(&sock[0], IP_C, 1, "c", 1, 0), 1);
	assert_int_equal(net_udp_sendto(&sock[0], IP_B, 1, "b1", 2, 0), 2);
	n = arp_frame(f, NET_ARP_REPLY, mac_us, mac_gw, IP_C, mac_us, IP_US);
	assert_int_equal(net_input(&stack, f, n), 0);
	/* The next frame for B takes slot 0, yet must leave after b1. */
	assert_int_equal(net_udp_sendto(&sock[0], IP_B, 1, "b2", 2, 0), 2);
	nsent = 0;
	n = arp_frame(f, NET_ARP_REPLY, mac_us, mac_b, IP_B, mac_us, IP_US);
	assert_int_equal(net_input(&stack, f, n), 0);
	assert_int_equal(nsent, 2);
	check_udp_sent(0, mac_b, IP_B, 7, 1, "b1", 2);
	check_udp_sent(1, mac_b, IP_B, 7, 1, "b2", 2);
	assert_false(kt_timer_active(&stack.arp_timer));
}

static void unanswered_requests_give_up(void **state)
{
	kt_tick_t retry = NET_ARP_RETRY_MS * HZ / 1000;
	(void)state;
	assert_int_equal(net_udp_bind(&stack, &sock[0], 7, slots[0], 2), 0);
	assert_int_equal(net_udp_sendto(&sock[0], IP_C, 4000, "x", 1, 0), 1);
	assert_int_equal(nsent, 1);
	kt_host_tick(retry - 1);
	assert_int_equal(nsent, 1);
	kt_host_tick(1);
	assert_int_equal(nsent, 2); /* the soft timer repeats the request */
	check_arp_request(1, IP_C);
	kt_host_tick(retry);
	assert_int_equal(nsent, NET_ARP_TRIES);
	assert_int_equal(net_arp_queue_count(&stack.pending), 1);
	kt_host_tick(retry);
	assert_int_equal(nsent, NET_ARP_TRIES);
	assert_int_equal(net_arp_queue_count(&stack.pending), 0);
	assert_int_equal(stack.stats.arp_unresolved, 1);
	assert_int_equal(stack.stats.arp_requests_sent, NET_ARP_TRIES);
	assert_false(kt_timer_active(&stack.arp_timer));
	assert_int_equal(net_poll(&stack), KT_FOREVER);
}

static void queue_full_and_routes(void **state)
{
	(void)state;
	assert_int_equal(net_udp_bind(&stack, &sock[0], 7, slots[0], 2), 0);
	for (uint32_t i = 0; i < NET_ARP_PENDING; i++)
		assert_int_equal(net_udp_sendto(&sock[0], IP_C + i, 1, "q", 1, 0), 1);
	assert_int_equal(net_udp_sendto(&sock[0], IP_C + 10, 1, "q", 1, 0), -ENOBUFS);
	assert_int_equal(stack.stats.arp_queue_full, 1);
	/* Changing the address drops what waits. */
	assert_int_equal(net_set_addr(&stack, IP_US, MASK, IP_GW), 0);
	assert_int_equal(net_arp_queue_count(&stack.pending), 0);
	assert_int_equal(stack.stats.arp_unresolved, NET_ARP_PENDING);

	/* Off-link: through the gateway. */
	nsent = 0;
	assert_int_equal(net_udp_sendto(&sock[0], NET_IP4(8, 8, 8, 8), 53, "q", 1, 0),
			 1);
	check_arp_request(0, IP_GW);
	/* No gateway: unreachable. */
	net_set_addr(&stack, IP_US, MASK, 0);
	assert_int_equal(net_udp_sendto(&sock[0], NET_IP4(8, 8, 8, 8), 53, "q", 1, 0),
			 -ENETUNREACH);
	assert_int_equal(stack.stats.ip_no_route, 1);
}

static void interface_errors_are_counted(void **state)
{
	uint8_t f[NET_FRAME_MAX];
	size_t n = ping_frame(f, IP_US, 1, 8);
	(void)state;
	send_error = -ETIMEDOUT;
	assert_int_equal(net_input(&stack, f, n), -ETIMEDOUT);
	assert_int_equal(stack.stats.tx_errors, 1);
	assert_int_equal(stack.stats.icmp_echo_replied, 0);
	assert_int_equal(net_udp_bind(&stack, &sock[0], 7, slots[0], 2), 0);
	assert_int_equal(net_udp_sendto(&sock[0], IP_US, 7, "x", 1, 0), -ETIMEDOUT);
	send_error = 0;
	assert_int_equal(net_input(&stack, f, n), 0);
	assert_int_equal(stack.stats.tx_frames, 1);
}

/* ---- ARP spoofing: what the cache refuses --------------------------------------- */

static const uint8_t mac_fake[6] = { 0x02, 0xde, 0xad, 0xbe, 0xef, 0x01 };

/* The MAC the cache holds for ip, or all zero when it holds none. */
static const uint8_t *cached(uint32_t ip)
{
	static uint8_t mac[6];

	if (net_arp_lookup(&stack.arp, ip, kt_now(), mac) != 0)
		memset(mac, 0, 6);
	return mac;
}

/* The gateway learned the honest way: we asked (a datagram waits), it answered. */
static void resolve_gateway(void)
{
	uint8_t f[NET_FRAME_MAX];
	size_t n;

	assert_int_equal(net_udp_sendto(&sock[0], NET_IP4(8, 8, 8, 8), 53, "q", 1, 0),
			 1);
	check_arp_request(nsent - 1, IP_GW);
	n = arp_frame(f, NET_ARP_REPLY, mac_us, mac_gw, IP_GW, mac_us, IP_US);
	assert_int_equal(net_input(&stack, f, n), 0);
	check_udp_sent(nsent - 1, mac_gw, NET_IP4(8, 8, 8, 8), 7, 53, "q", 1);
	assert_memory_equal(cached(IP_GW), mac_gw, 6);
}

static void unsolicited_reply_is_refused_when_not_cached(void **state)
{
	static const uint8_t zero[6];
	uint8_t f[NET_FRAME_MAX];
	size_t n;
	(void)state;
	assert_int_equal(net_udp_bind(&stack, &sock[0], 7, slots[0], 2), 0);
	/* "The gateway is at 02:de:ad:be:ef:01", to us, nobody asked. */
	n = arp_frame(f, NET_ARP_REPLY, mac_us, mac_fake, IP_GW, mac_us, IP_US);
	assert_int_equal(net_input(&stack, f, n), 0);
	assert_memory_equal(cached(IP_GW), zero, 6);
	assert_int_equal(stack.stats.arp_unsolicited, 1);
	assert_int_equal(stack.stats.arp_rx, 1);
	/* Broadcast, as a gratuitous reply: refused too. */
	n = arp_frame(f, NET_ARP_REPLY, net_mac_broadcast, mac_fake, IP_GW,
		      net_mac_broadcast, IP_GW);
	assert_int_equal(net_input(&stack, f, n), 0);
	assert_memory_equal(cached(IP_GW), zero, 6);
	assert_int_equal(stack.stats.arp_unsolicited, 2);
	assert_int_equal(nsent, 0);
	/* So the next datagram off-link asks first and goes to the real one. */
	resolve_gateway();
	for (unsigned i = 0; i < nsent; i++)
		assert_memory_not_equal(sent[i], mac_fake, 6);
}

static void unsolicited_reply_is_refused_when_cached(void **state)
{
	uint8_t f[NET_FRAME_MAX];
	size_t n;
	(void)state;
	assert_int_equal(net_udp_bind(&stack, &sock[0], 7, slots[0], 2), 0);
	resolve_gateway();
	/* Reply to us, broadcast reply, gratuitous request, and a request to
	 * us in the gateway's name from the forger's MAC: none moves it. */
	n = arp_frame(f, NET_ARP_REPLY, mac_us, mac_fake, IP_GW, mac_us, IP_US);
	assert_int_equal(net_input(&stack, f, n), 0);
	n = arp_frame(f, NET_ARP_REPLY, net_mac_broadcast, mac_fake, IP_GW,
		      net_mac_broadcast, IP_GW);
	assert_int_equal(net_input(&stack, f, n), 0);
	n = arp_frame(f, NET_ARP_REQUEST, net_mac_broadcast, mac_fake, IP_GW,
		      net_mac_broadcast, IP_GW);
	assert_int_equal(net_input(&stack, f, n), 0);
	assert_memory_equal(cached(IP_GW), mac_gw, 6);
	nsent = 0;
	n = arp_frame(f, NET_ARP_REQUEST, net_mac_broadcast, mac_fake, IP_GW,
		      net_mac_broadcast, IP_US);
	assert_int_equal(net_input(&stack, f, n), 0);
	assert_int_equal(nsent, 1); /* answered (to the asker), not believed */
	assert_memory_equal(sent[0], mac_fake, 6);
	assert_memory_equal(cached(IP_GW), mac_gw, 6);
	assert_int_equal(stack.stats.arp_unsolicited, 4);
	/* ARP between other hosts about a cached address: not counted, no change. */
	n = arp_frame(f, NET_ARP_REQUEST, net_mac_broadcast, mac_gw, IP_GW,
		      net_mac_broadcast, IP_C);
	assert_int_equal(net_input(&stack, f, n), 0);
	assert_int_equal(stack.stats.arp_unsolicited, 4);

	/* The poisoned MAC is never used: a datagram to the Internet and
	 * the echo of one that came from it both go to the gateway. */
	nsent = 0;
	assert_int_equal(net_udp_sendto(&sock[0], NET_IP4(8, 8, 8, 8), 53, "x", 1, 0),
			 1);
	check_udp_sent(0, mac_gw, NET_IP4(8, 8, 8, 8), 7, 53, "x", 1);
	n = udp_frame(f, NET_IP4(198, 51, 100, 7), IP_US, 4444, 7, "far", 3);
	assert_int_equal(net_input(&stack, f, n), 0);
	assert_int_equal(net_udp_recv(&sock[0], got[0].data, sizeof(got[0].data),
				      &got[0].ip, &got[0].port, 0),
			 3);
	assert_int_equal(net_udp_sendto(&sock[0], got[0].ip, got[0].port, "far", 3, 0),
			 3);
	check_udp_sent(1, mac_gw, NET_IP4(198, 51, 100, 7), 7, 4444, "far", 3);
	assert_int_equal(nsent, 2);
}

static void reply_to_our_request_is_accepted(void **state)
{
	uint8_t f[NET_FRAME_MAX];
	size_t n;
	(void)state;
	assert_int_equal(net_udp_bind(&stack, &sock[0], 7, slots[0], 2), 0);
	assert_int_equal(net_udp_sendto(&sock[0], IP_B, 4000, "hi", 2, 0), 2);
	check_arp_request(0, IP_B);
	/* An answer about B addressed to another host is not ours. */
	n = arp_frame(f, NET_ARP_REPLY, mac_us, mac_b, IP_B, mac_gw, IP_C);
	assert_int_equal(net_input(&stack, f, n), 0);
	assert_int_equal(nsent, 1);
	assert_int_equal(stack.stats.arp_unsolicited, 1);
	/* The answer to our request: learned, and the datagram leaves. */
	n = arp_frame(f, NET_ARP_REPLY, mac_us, mac_b, IP_B, mac_us, IP_US);
	assert_int_equal(net_input(&stack, f, n), 0);
	assert_memory_equal(cached(IP_B), mac_b, 6);
	check_udp_sent(1, mac_b, IP_B, 7, 4000, "hi", 2);
	assert_int_equal(stack.stats.arp_unsolicited, 1);
	/* A second copy of the answer comes after nothing waits: refused. */
	assert_int_equal(net_input(&stack, f, n), 0);
	assert_int_equal(stack.stats.arp_unsolicited, 2);
	assert_int_equal(nsent, 2);
}

static void peer_request_creates_and_refreshes(void **state)
{
	static const uint8_t zero[6];
	uint8_t f[NET_FRAME_MAX];
	kt_tick_t ttl = NET_ARP_TTL_S * HZ;
	size_t n = arp_frame(f, NET_ARP_REQUEST, net_mac_broadcast, mac_b, IP_B,
			     zero, IP_US);
	(void)state;
	assert_int_equal(net_input(&stack, f, n), 0);
	assert_memory_equal(cached(IP_B), mac_b, 6);
	/* Asked again just before expiry: it lives another TTL from now. */
	kt_host_tick(ttl - 1);
	assert_int_equal(net_input(&stack, f, n), 0);
	kt_host_tick(ttl - 1);
	assert_memory_equal(cached(IP_B), mac_b, 6);
	/* B's broadcasts to others do not refresh it: it expires on time. */
	n = arp_frame(f, NET_ARP_REQUEST, net_mac_broadcast, mac_b, IP_B, zero, IP_C);
	assert_int_equal(net_input(&stack, f, n), 0);
	kt_host_tick(1);
	assert_memory_equal(cached(IP_B), zero, 6);
	assert_int_equal(stack.stats.arp_unsolicited, 0);
	assert_int_equal(stack.stats.arp_replies_sent, 2);
}

/* ---- bad frames --------------------------------------------------------------------- */

static void refresh_ip_csum(uint8_t *f)
{
	net_put16(f + 24, 0);
	net_put16(f + 24, net_csum(f + 14, 20));
}

static void bad_frames_are_dropped_and_counted(void **state)
{
	uint8_t f[NET_FRAME_MAX + 10], g[NET_FRAME_MAX + 10];
	struct net_stats st;
	size_t n;
	(void)state;
	assert_int_equal(net_udp_bind(&stack, &sock[0], 7, slots[0], 2), 0);
	n = udp_frame(f, IP_B, IP_US, 5000, 7, "payload!", 8);

	assert_int_equal(net_input(&stack, f, 13), -EINVAL);
	assert_int_equal(net_input(&stack, f, NET_FRAME_MAX + 1), -E2BIG);
	memcpy(g, f, n);
	g[0] = 0x02; /* another station */
	assert_int_equal(net_input(&stack, g, n), -ENOENT);
	memcpy(g, f, n);
	g[0] = 0x01; /* multicast: we join none */
	assert_int_equal(net_input(&stack, g, n), -ENOENT);
	memcpy(g, f, n);
	g[6] = 0x01; /* multicast source */
	assert_int_equal(net_input(&stack, g, n), -EINVAL);
	memcpy(g, f, n);
	g[12] = 0x86;
	g[13] = 0xdd; /* IPv6 */
	assert_int_equal(net_input(&stack, g, n), -EPROTONOSUPPORT);
	memcpy(g, f, n);
	g[14 + 12] ^= 1; /* IP source changed under the checksum */
	assert_int_equal(net_input(&stack, g, n), -EBADMSG);
	memcpy(g, f, n);
	net_put16(g + 16, 2000); /* total length lies */
	refresh_ip_csum(g);
	assert_int_equal(net_input(&stack, g, n), -EINVAL);
	memcpy(g, f, n);
	net_put16(g + 20, 0x2000); /* a fragment */
	refresh_ip_csum(g);
	assert_int_equal(net_input(&stack, g, n), -EMSGSIZE);
	memcpy(g, f, 34);
	g[14] = 0x46; /* options */
	memset(g + 34, 1, 4);
	memcpy(g + 38, f + 34, n - 34);
	net_put16(g + 16, (uint16_t)(n - 14 + 4));
	net_put16(g + 24, 0);
	net_put16(g + 24, net_csum(g + 14, 24));
	assert_int_equal(net_input(&stack, g, n + 4), -ENOPROTOOPT);
	memcpy(g, f, n);
	net_put32(g + 30, IP_C); /* another host's address */
	refresh_ip_csum(g);
	assert_int_equal(net_input(&stack, g, n), -ENOENT);
	memcpy(g, f, n);
	net_put32(g + 26, NET_IP4(224, 0, 0, 1)); /* multicast source */
	refresh_ip_csum(g);
	assert_int_equal(net_input(&stack, g, n), -EINVAL);
	memcpy(g, f, n);
	g[23] = 47; /* GRE */
	refresh_ip_csum(g);
	assert_int_equal(net_input(&stack, g, n), -EPROTONOSUPPORT);
	memcpy(g, f, n);
	g[n - 1] ^= 0x40; /* UDP payload changed under its checksum */
	assert_int_equal(net_input(&stack, g, n), -EBADMSG);
	memcpy(g, f, n);
	net_put16(g + 38, 100); /* UDP length lies */
	assert_int_equal(net_input(&stack, g, n), -EINVAL);
	n = ping_frame(g, IP_US, 1, 20);
	g[50] ^= 1; /* ICMP checksum */
	assert_int_equal(net_input(&stack, g, n), -EBADMSG);
	n = arp_frame(g, NET_ARP_REQUEST, net_mac_broadcast, mac_b, IP_B, mac_b,
		      IP_US);
	assert_int_equal(net_input(&stack, g, 14 + 27), -EINVAL); /* truncated ARP */
	memset(g + 22, 0, 6); /* ARP sender MAC zero: no one to answer */
	assert_int_equal(net_input(&stack, g, n), -EINVAL);
	n = udp_frame(g, IP_B, IP_US, 5000, 7, "payload!", 8);
	memset(g + 6, 0, 6); /* Ethernet source zero */
	assert_int_equal(net_input(&stack, g, n), -EINVAL);

	net_get_stats(&stack, &st);
	assert_int_equal(st.rx_frames, 19);
	assert_int_equal(st.eth_runt, 1);
	assert_int_equal(st.eth_oversize, 1);
	assert_int_equal(st.eth_not_for_us, 2);
	assert_int_equal(st.eth_bad_src, 2);
	assert_int_equal(st.eth_unknown_type, 1);
	assert_int_equal(st.ip_bad_csum, 1);
	assert_int_equal(st.ip_bad, 1);
	assert_int_equal(st.ip_fragments, 1);
	assert_int_equal(st.ip_options, 1);
	assert_int_equal(st.ip_not_for_us, 1);
	assert_int_equal(st.ip_bad_src, 1);
	assert_int_equal(st.ip_unknown_proto, 1);
	assert_int_equal(st.udp_bad_csum, 1);
	assert_int_equal(st.udp_bad, 1);
	assert_int_equal(st.icmp_bad, 1);
	assert_int_equal(st.arp_bad, 2);
	assert_int_equal(st.udp_rx, 0);
	assert_int_equal(nsent, 0);
	assert_int_equal(kt_sem_count(&sock[0].ready), 0);

	/* The good frame still goes through after all that. */
	n = udp_frame(f, IP_B, IP_US, 5000, 7, "payload!", 8);
	assert_int_equal(net_input(&stack, f, n), 0);
	assert_int_equal(stack.stats.udp_rx, 1);
}

/* ---- the receive task ------------------------------------------------------------- */

static struct test_task net_task;

static void receive_task_feeds_input(void **state)
{
	static uint8_t f1[NET_FRAME_MAX], f2[NET_FRAME_MAX];
	static const uint8_t zero[6];
	struct rx_item it;
	(void)state;
	assert_int_equal(net_udp_bind(&stack, &sock[0], 7, slots[0], 2), 0);
	assert_int_equal(net_start(&stack, &net_task.task, net_task.stack,
				   sizeof(net_task.stack), 2),
			 0);
	spawn(&tasks[0], "r7", receiver, (void *)0, 1);
	kt_run_until_idle();
	it.p = f1;
	it.len = arp_frame(f1, NET_ARP_REQUEST, net_mac_broadcast, mac_b, IP_B,
			   zero, IP_US);
	assert_int_equal(kt_queue_put(&rxq, &it, KT_NOWAIT), 0);
	it.p = f2;
	it.len = udp_frame(f2, IP_B, IP_US, 1234, 7, "via task", 8);
	assert_int_equal(kt_queue_put(&rxq, &it, KT_NOWAIT), 0);
	kt_run_until_idle();
	assert_int_equal(nsent, 1); /* the ARP reply */
	assert_int_equal(got[0].n, 8);
	assert_memory_equal(got[0].data, "via task", 8);
	assert_int_equal(stack.stats.rx_frames, 2);
	assert_int_equal(net_task.task.state, KT_BLOCKED);
	assert_int_equal(kt_task_cancel(&net_task.task), 0);
	kt_run_until_idle();
	assert_int_equal(net_task.task.result, -ECANCELED);
}

static void init_rules(void **state)
{
	struct net_config cfg = { .ip = IP_US, .tick_hz = 0 };
	struct net_if half = { fake_send, NULL };
	(void)state;
	memcpy(cfg.mac, mac_us, 6);
	assert_int_equal(net_init(&stack, &cfg, &fake_if), -EINVAL);
	cfg.tick_hz = HZ;
	assert_int_equal(net_init(&stack, &cfg, &half), -EINVAL);
	cfg.mac[0] = 1;
	assert_int_equal(net_init(&stack, &cfg, &fake_if), -EINVAL);
	assert_int_equal(net_init(NULL, &cfg, &fake_if), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		NET_TEST(arp_request_for_us_is_answered),
		NET_TEST(arp_for_others_learns_nothing_new),
		NET_TEST(arp_flood_keeps_cache_bounded),
		NET_TEST(unsolicited_reply_is_refused_when_not_cached),
		NET_TEST(unsolicited_reply_is_refused_when_cached),
		NET_TEST(reply_to_our_request_is_accepted),
		NET_TEST(peer_request_creates_and_refreshes),
		NET_TEST(ping_is_answered),
		NET_TEST(sockets_each_get_their_own),
		NET_TEST(full_ring_drops_then_recovers),
		NET_TEST(recv_times_out_and_cancels),
		NET_TEST(bind_rules),
		NET_TEST(send_resolves_then_goes_straight),
		NET_TEST(queued_frames_leave_in_order),
		NET_TEST(unanswered_requests_give_up),
		NET_TEST(queue_full_and_routes),
		NET_TEST(interface_errors_are_counted),
		NET_TEST(bad_frames_are_dropped_and_counted),
		NET_TEST(receive_task_feeds_input),
		NET_TEST(init_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
