/*
 * TCP (net/tcp.c) over a fake interface, against a scripted peer at
 * 10.0.2.2 whose segments the tests build by hand: passive and active
 * open, data both ways through the rings, windows, retransmission and
 * its back-off, fast retransmit, every close, resets and challenge ACKs,
 * segments no connection takes, bad segments, zero-window probes, and
 * the outcome counters accounting for every frame.
 */
#include <string.h>

#include "kt_test.h"
#include "net.h"

#define IP_US NET_IP4(10, 0, 2, 15)
#define IP_B NET_IP4(10, 0, 2, 2)
#define IP_GW NET_IP4(10, 0, 2, 1)
#define MASK NET_IP4(255, 255, 255, 0)
#define HZ 1000u /* one tick per millisecond */

#define PORT 80
#define PEER_PORT 40000
#define PEER_ISS 0xfffff000u /* the peer's sequence wraps soon */
#define PEER_MSS 1000
#define PEER_WND 8192
#define RXCAP 2000
#define TXCAP 3000
#define NPOOL 2

static const uint8_t mac_us[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t mac_b[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };

static struct net_stack stack;

/* ---- the fake interface ----------------------------------------------------------- */

#define SENT_MAX 32
static uint8_t sent[SENT_MAX][NET_FRAME_MAX];
static size_t sent_len[SENT_MAX];
static unsigned nsent, nread;

static int fake_send(const void *frame, size_t len, kt_tick_t timeout)
{
	(void)timeout;
	assert_true(len >= 14 && len <= NET_FRAME_MAX);
	assert_true(nsent < SENT_MAX);
	memcpy(sent[nsent], frame, len);
	sent_len[nsent++] = len;
	return (int)len;
}

static int fake_recv(void *buf, size_t len, kt_tick_t timeout)
{
	(void)buf;
	(void)len;
	return kt_sleep(timeout != KT_FOREVER ? timeout : 1000) == 0 ? -ETIMEDOUT :
								       -ECANCELED;
}

static const struct net_if fake_if = { fake_send, fake_recv };

/* B stays in the ARP cache however long a test runs. */
static void know_peer(void)
{
	assert_int_equal(net_arp_update(&stack.arp, IP_B, mac_b, kt_now(), true), 0);
}

/* n ticks, the peer's address kept fresh meanwhile. */
static void advance(kt_tick_t n)
{
	while (n != 0) {
		kt_tick_t k = n < 10000 ? n : 10000;

		know_peer();
		kt_host_tick(k);
		n -= k;
	}
	know_peer();
}

static struct net_tcp_conn conns[NPOOL + 1];
static uint8_t rxb[NPOOL + 1][RXCAP], txb[NPOOL + 1][TXCAP];
static struct net_tcp_listener lis;
static struct test_task tasks[3];

static int setup(void **state)
{
	struct net_config cfg = { .ip = IP_US,
				  .netmask = MASK,
				  .gateway = IP_GW,
				  .tick_hz = HZ };

	kt_test_setup(state);
	memcpy(cfg.mac, mac_us, 6);
	assert_int_equal(net_init(&stack, &cfg, &fake_if), 0);
	know_peer();
	nsent = nread = 0;
	memset(conns, 0, sizeof(conns));
	memset(&lis, 0, sizeof(lis));
	for (unsigned i = 0; i < NPOOL + 1; i++)
		assert_int_equal(net_tcp_conn_init(&conns[i], rxb[i], RXCAP,
						   txb[i], TXCAP),
				 0);
	return 0;
}

/* Every frame the stack took ended under exactly one outcome counter. */
static int teardown(void **state)
{
	uint32_t sum = 0;
	(void)state;
	for (unsigned i = 0; i < net_ncounters; i++)
		if (net_counters[i].outcome)
			sum += net_counter_value(&stack.stats, &net_counters[i]);
	assert_int_equal(sum, stack.stats.rx_frames);
	return 0;
}

#define TCP_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

/* ---- the peer --------------------------------------------------------------------- */

/* Byte i of a test stream. */
static uint8_t pat(uint32_t i)
{
	return (uint8_t)(i * 31u + (i >> 8));
}

static size_t seg_frame(uint8_t *f, uint16_t sport, uint16_t dport,
			uint8_t flags, uint32_t seq, uint32_t ack, uint16_t wnd,
			uint16_t mss, const void *data, size_t len)
{
	struct net_tcp h = { .sport = sport,
			     .dport = dport,
			     .seq = seq,
			     .ack = ack,
			     .flags = flags,
			     .wnd = wnd,
			     .mss = mss };
	struct net_ipv4 ip = { .proto = NET_IPPROTO_TCP,
			       .ttl = 64,
			       .id = 1,
			       .src = IP_B,
			       .dst = IP_US };
	size_t n;

	if (len != 0)
		memcpy(f + 34 + net_tcp_hdr_len(&h), data, len);
	n = net_tcp_build(f + 34, NET_FRAME_MAX - 34, IP_B, IP_US, &h, len);
	assert_true(n != 0);
	net_eth_build(f, NET_FRAME_MAX, mac_us, mac_b, NET_ETHERTYPE_IPV4);
	assert_true(net_ipv4_build(f + 14, NET_FRAME_MAX - 14, &ip, n) != 0);
	return 34 + n;
}

/* A segment from the peer's port sport to ours; net_input's result. */
static int peer_from(uint16_t sport, uint8_t flags, uint32_t seq, uint32_t ack,
		     uint16_t wnd, const void *data, size_t len)
{
	uint8_t f[NET_FRAME_MAX];
	size_t n = seg_frame(f, sport, PORT, flags, seq, ack, wnd, 0, data, len);

	return net_input(&stack, f, n);
}

static int peer(uint8_t flags, uint32_t seq, uint32_t ack, uint16_t wnd,
		const void *data, size_t len)
{
	return peer_from(PEER_PORT, flags, seq, ack, wnd, data, len);
}

/* Frames the stack sent and the test has not looked at yet. */
static unsigned unread(void)
{
	return nsent - nread;
}

/* The next frame the stack sent: a TCP segment from us to B. */
static void next_seg_at(struct net_tcp *t, int line)
{
	struct net_eth e;
	struct net_ipv4 ip;
	unsigned i = nread;

	if (i >= nsent)
		fail_msg("line %d: no segment was sent", line);
	assert_int_equal(net_eth_parse(sent[i], sent_len[i], &e), 0);
	assert_memory_equal(e.dst, mac_b, 6);
	assert_int_equal(e.type, NET_ETHERTYPE_IPV4);
	assert_int_equal(net_ipv4_parse(e.payload, e.len, &ip), 0);
	assert_int_equal(ip.src, IP_US);
	assert_int_equal(ip.dst, IP_B);
	assert_int_equal(ip.proto, NET_IPPROTO_TCP);
	assert_int_equal(net_tcp_parse(ip.payload, ip.len, ip.src, ip.dst, t), 0);
	nread++;
	if (nread == nsent)
		nread = nsent = 0; /* t->payload stays valid until the next send */
}

#define next_seg(t) next_seg_at(t, __LINE__)

/* The next segment is a bare ACK (no data, no SYN/FIN/RST) of ack. */
static void expect_ack_at(uint32_t seq, uint32_t ack, uint16_t wnd, int line)
{
	struct net_tcp t;

	next_seg_at(&t, line);
	if (t.seq != seq || t.ack != ack || t.wnd != wnd || t.len != 0)
		fail_msg("line %d: seq %u ack %u wnd %u len %u flags %#x", line,
			 t.seq, t.ack, t.wnd, (unsigned)t.len, t.flags);
	assert_int_equal(t.flags & ~NET_TCP_PSH, NET_TCP_ACK);
	assert_int_equal(t.seq, seq);
	assert_int_equal(t.ack, ack);
	assert_int_equal(t.wnd, wnd);
	assert_int_equal(t.len, 0);
}

/* The next segment carries the stream's bytes [off, off + len) at seq. */
static void expect_data_at(uint32_t seq, uint32_t off, size_t len, int line)
{
	struct net_tcp t;

	next_seg_at(&t, line);
	if (t.seq != seq || t.len != len)
		fail_msg("line %d: seq %u (want %u) len %u (want %u) flags %#x",
			 line, t.seq, seq, (unsigned)t.len, (unsigned)len, t.flags);
	assert_true((t.flags & NET_TCP_ACK) != 0);
	assert_int_equal(t.flags & (NET_TCP_SYN | NET_TCP_RST | NET_TCP_FIN), 0);
	assert_int_equal(t.seq, seq);
	assert_int_equal(t.len, len);
	for (size_t i = 0; i < len; i++)
		assert_int_equal(t.payload[i], pat(off + (uint32_t)i));
}

static void expect_none_at(int line)
{
	struct net_tcp t;

	if (unread() == 0)
		return;
	next_seg_at(&t, line);
	fail_msg("line %d: unexpected segment seq %u ack %u wnd %u len %u flags %#x",
		 line, t.seq, t.ack, t.wnd, (unsigned)t.len, t.flags);
}

#define expect_none() expect_none_at(__LINE__)
#define expect_ack(seq, ack, wnd) expect_ack_at(seq, ack, wnd, __LINE__)
#define expect_data(seq, off, len) expect_data_at(seq, off, len, __LINE__)

/* Where the conversation is: the next sequence each side sends. */
static uint32_t pseq, useq;

static void listen_pool(size_t n)
{
	assert_int_equal(net_tcp_listen(&stack, &lis, PORT, conns, n), 0);
}

/* The three-way handshake from peer port sport; the accepted connection. */
static struct net_tcp_conn *handshake_from(uint16_t sport, uint16_t wnd)
{
	uint8_t f[NET_FRAME_MAX];
	struct net_tcp_conn *c = NULL;
	struct net_tcp t;
	size_t n = seg_frame(f, sport, PORT, NET_TCP_SYN, PEER_ISS, 0, wnd,
			     PEER_MSS, NULL, 0);

	assert_int_equal(net_input(&stack, f, n), 0);
	next_seg(&t);
	assert_int_equal(t.flags, NET_TCP_SYN | NET_TCP_ACK);
	assert_int_equal(t.sport, PORT);
	assert_int_equal(t.dport, sport);
	assert_int_equal(t.ack, PEER_ISS + 1);
	assert_int_equal(t.mss, NET_TCP_MSS_MAX);
	assert_int_equal(t.wnd, RXCAP);
	assert_int_equal(t.len, 0);
	expect_none();
	assert_int_equal(net_tcp_accept(&lis, &c, 0), -EAGAIN); /* not yet */
	pseq = PEER_ISS + 1;
	useq = t.seq + 1;
	assert_int_equal(peer_from(sport, NET_TCP_ACK, pseq, useq, wnd, NULL, 0), 0);
	expect_none(); /* nothing to say back */
	assert_int_equal(net_tcp_accept(&lis, &c, 0), 0);
	assert_non_null(c);
	assert_int_equal(net_tcp_state(c), NET_TCP_ESTABLISHED);
	return c;
}

static struct net_tcp_conn *handshake(void)
{
	return handshake_from(PEER_PORT, PEER_WND);
}

/* The peer sends the stream's bytes [off, off + len); we ACK them. */
static void peer_data(uint32_t off, size_t len)
{
	uint8_t d[NET_TCP_MSS_MAX];

	for (size_t i = 0; i < len; i++)
		d[i] = pat(off + (uint32_t)i);
	assert_int_equal(peer(NET_TCP_ACK | NET_TCP_PSH, pseq, useq, PEER_WND, d, len),
			 0);
	pseq += (uint32_t)len;
}

static void send_stream(struct net_tcp_conn *c, uint32_t off, size_t len)
{
	uint8_t d[TXCAP];

	for (size_t i = 0; i < len; i++)
		d[i] = pat(off + (uint32_t)i);
	assert_int_equal(net_tcp_send(c, d, len, 0), (int)len);
}

static void recv_stream(struct net_tcp_conn *c, uint32_t off, size_t len)
{
	uint8_t d[RXCAP];

	assert_int_equal(net_tcp_recv(c, d, len, 0), (int)len);
	for (size_t i = 0; i < len; i++)
		assert_int_equal(d[i], pat(off + (uint32_t)i));
}

/* ---- 1. passive open, data, windows --------------------------------------------- */

static void passive_open_and_accept(void **state)
{
	struct net_tcp_conn *c;
	(void)state;
	listen_pool(NPOOL);
	c = handshake();
	assert_ptr_equal(c, &conns[0]);
	assert_int_equal(c->mss, PEER_MSS);
	assert_int_equal(stack.stats.tcp_rx, 2);
	assert_int_equal(stack.stats.tcp_tx, 1);
	assert_false(kt_timer_active(&c->timer)); /* nothing outstanding */
	assert_int_equal(net_tcp_accept(&lis, &c, 0), -EAGAIN);
}

static void data_in_both_ways_through_the_rings(void **state)
{
	struct net_tcp_conn *c;
	uint32_t in = 0, out = 0;
	(void)state;
	listen_pool(NPOOL);
	c = handshake();

	/* In: 700-byte segments, read at once: the ring wraps and the
	 * peer's sequence wraps past 2^32. */
	for (int i = 0; i < 10; i++) {
		peer_data(in, 700);
		expect_ack(useq, pseq, RXCAP - 700);
		recv_stream(c, in, 700);
		expect_none(); /* under a segment's worth freed */
		in += 700;
	}
	assert_int_equal(net_tcp_readable(c), 0);
	assert_int_equal(c->stats.rx_bytes, 7000);

	/* Out: more than one MSS splits at PEER_MSS, PSH on the last. */
	send_stream(c, out, 2500);
	expect_data(useq, out, 1000);
	expect_data(useq + 1000, out + 1000, 1000);
	{
		struct net_tcp t;

		next_seg(&t);
		assert_int_equal(t.seq, useq + 2000);
		assert_int_equal(t.len, 500);
		assert_true((t.flags & NET_TCP_PSH) != 0);
		assert_memory_equal(t.payload, txb[0] + 2000, 500);
	}
	expect_none();
	assert_true(kt_timer_active(&c->timer));
	assert_int_equal(net_tcp_writable(c), TXCAP - 2500);
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq + 2500, PEER_WND, NULL, 0), 0);
	useq += 2500;
	out += 2500;
	expect_none();
	assert_int_equal(net_tcp_writable(c), TXCAP);
	assert_false(kt_timer_active(&c->timer));
	/* Again, the transmit ring wraps. */
	for (int i = 0; i < 4; i++) {
		send_stream(c, out, 1000);
		expect_data(useq, out, 1000);
		assert_int_equal(peer(NET_TCP_ACK, pseq, useq + 1000, PEER_WND,
				      NULL, 0),
				 0);
		useq += 1000;
		out += 1000;
	}
	expect_none();
	assert_int_equal(c->stats.tx_bytes, out);
}

static void window_is_free_space_and_reopens(void **state)
{
	struct net_tcp_conn *c;
	uint8_t d[RXCAP];
	(void)state;
	listen_pool(NPOOL);
	c = handshake();
	peer_data(0, 1000);
	expect_ack(useq, pseq, RXCAP - 1000);
	peer_data(1000, 1000);
	expect_ack(useq, pseq, 0); /* full */
	/* More is outside the zero window: not taken, ACKed. */
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq, PEER_WND, "x", 1), -EINVAL);
	expect_ack(useq, pseq, 0);
	assert_int_equal(stack.stats.tcp_unacceptable, 1);
	/* Reading less than a segment says nothing; a segment's worth opens it. */
	assert_int_equal(net_tcp_recv(c, d, 400, 0), 400);
	expect_none();
	assert_int_equal(net_tcp_recv(c, d + 400, 599, 0), 599);
	expect_none();
	assert_int_equal(net_tcp_recv(c, d + 999, 1, 0), 1);
	expect_ack(useq, pseq, 1000);
	for (uint32_t i = 0; i < 1000; i++)
		assert_int_equal(d[i], pat(i));
	/* A segment that overruns the window: what fits is taken. */
	{
		uint8_t big[1200];

		for (uint32_t i = 0; i < sizeof(big); i++)
			big[i] = pat(2000 + i);
		assert_int_equal(peer(NET_TCP_ACK, pseq, useq, PEER_WND, big,
				      sizeof(big)),
				 0);
		pseq += 1000;
		expect_ack(useq, pseq, 0);
	}
	recv_stream(c, 1000, 1000);
	expect_ack(useq, pseq, 1000);
	/* Half the ring offered already: its next ACK tells the peer. */
	recv_stream(c, 2000, 1000);
	expect_none();
	peer_data(3000, 10);
	expect_ack(useq, pseq, RXCAP - 10);
}

/* ---- 2. active open ----------------------------------------------------------------- */

struct conn_job {
	struct net_tcp_conn *c;
	kt_tick_t timeout;
	int result;
};

static int connector(void *arg)
{
	struct conn_job *j = arg;

	j->result = net_tcp_connect(&stack, j->c, IP_B, PEER_PORT, j->timeout);
	return j->result;
}

/* The SYN connect sent: our ISS. */
static uint32_t expect_syn(uint16_t *lport)
{
	struct net_tcp t;

	next_seg(&t);
	assert_int_equal(t.flags, NET_TCP_SYN);
	assert_int_equal(t.dport, PEER_PORT);
	assert_true(t.sport >= 49152);
	assert_int_equal(t.mss, NET_TCP_MSS_MAX);
	assert_int_equal(t.wnd, RXCAP);
	assert_int_equal(t.len, 0);
	*lport = t.sport;
	return t.seq;
}

static int peer_to(uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack,
		   uint16_t wnd, uint16_t mss)
{
	uint8_t f[NET_FRAME_MAX];
	size_t n = seg_frame(f, PEER_PORT, dport, flags, seq, ack, wnd, mss, NULL, 0);

	return net_input(&stack, f, n);
}

static void active_open(void **state)
{
	struct conn_job j = { .c = &conns[NPOOL], .timeout = 5000 };
	struct net_tcp t;
	uint16_t lport;
	uint32_t iss;
	(void)state;
	spawn(&tasks[0], "conn", connector, &j, 1);
	kt_run_until_idle();
	iss = expect_syn(&lport);
	assert_int_equal(tasks[0].task.state, KT_BLOCKED);
	assert_int_equal(net_tcp_state(j.c), NET_TCP_SYN_SENT);
	/* A SYN-ACK acking something else: RST, and still waiting. */
	assert_int_equal(peer_to(lport, NET_TCP_SYN | NET_TCP_ACK, 5000,
				 iss + 7, PEER_WND, PEER_MSS),
			 -EINVAL);
	next_seg(&t);
	assert_int_equal(t.flags, NET_TCP_RST);
	assert_int_equal(t.seq, iss + 7);
	kt_run_until_idle();
	assert_int_equal(tasks[0].task.state, KT_BLOCKED);
	assert_int_equal(peer_to(lport, NET_TCP_SYN | NET_TCP_ACK, 5000,
				 iss + 1, PEER_WND, 700),
			 0);
	expect_ack(iss + 1, 5001, RXCAP);
	kt_run_until_idle();
	assert_int_equal(tasks[0].task.state, KT_DONE);
	assert_int_equal(j.result, 0);
	assert_int_equal(net_tcp_state(j.c), NET_TCP_ESTABLISHED);
	assert_int_equal(j.c->mss, 700);
	/* Data goes at the peer's MSS. */
	pseq = 5001;
	useq = iss + 1;
	{
		uint8_t d[1000];

		for (uint32_t i = 0; i < sizeof(d); i++)
			d[i] = pat(i);
		assert_int_equal(net_tcp_send(j.c, d, sizeof(d), 0), 1000);
	}
	expect_data(useq, 0, 700);
	expect_data(useq + 700, 700, 300);
	assert_int_equal(net_tcp_abort(j.c), 0);
	next_seg(&t);
	assert_int_equal(t.flags, NET_TCP_RST);
	assert_int_equal(t.seq, useq + 1000);
	assert_int_equal(net_tcp_state(j.c), NET_TCP_CLOSED);
}

static void active_open_refused(void **state)
{
	struct conn_job j = { .c = &conns[NPOOL], .timeout = KT_FOREVER };
	uint16_t lport;
	uint32_t iss;
	(void)state;
	spawn(&tasks[0], "conn", connector, &j, 1);
	kt_run_until_idle();
	iss = expect_syn(&lport);
	/* A RST without ACK is ignored in SYN-SENT. */
	assert_int_equal(peer_to(lport, NET_TCP_RST, 0, 0, 0, 0), -EINVAL);
	kt_run_until_idle();
	assert_int_equal(tasks[0].task.state, KT_BLOCKED);
	assert_int_equal(peer_to(lport, NET_TCP_RST | NET_TCP_ACK, 0, iss + 1, 0, 0),
			 0);
	kt_run_until_idle();
	assert_int_equal(tasks[0].task.state, KT_DONE);
	assert_int_equal(j.result, -ECONNREFUSED);
	assert_int_equal(stack.stats.tcp_rst_rx, 1);
	expect_none();
	assert_int_equal(net_tcp_state(j.c), NET_TCP_CLOSED);
	assert_false(kt_timer_active(&j.c->timer));
	/* The connection can be used again. */
	j.timeout = 10;
	spawn(&tasks[0], "conn", connector, &j, 1);
	kt_run_until_idle();
	expect_syn(&lport);
	advance(10);
	assert_int_equal(tasks[0].task.state, KT_DONE);
	assert_int_equal(j.result, -ETIMEDOUT);
}

static void active_open_times_out(void **state)
{
	struct conn_job j = { .c = &conns[NPOOL], .timeout = 2500 };
	uint16_t lport;
	uint32_t iss;
	(void)state;
	spawn(&tasks[0], "conn", connector, &j, 1);
	kt_run_until_idle();
	iss = expect_syn(&lport);
	advance(999);
	expect_none();
	advance(1);
	assert_int_equal(expect_syn(&lport), iss); /* the SYN again after 1 s */
	advance(1499);
	assert_int_equal(tasks[0].task.state, KT_BLOCKED);
	advance(1);
	assert_int_equal(tasks[0].task.state, KT_DONE);
	assert_int_equal(j.result, -ETIMEDOUT);
	assert_int_equal(net_tcp_state(j.c), NET_TCP_CLOSED);
	assert_false(kt_timer_active(&j.c->timer));
	expect_none(); /* no RST for a SYN never answered */

	/* Without a timeout of its own: the SYN's retries run out. */
	j.timeout = KT_FOREVER;
	spawn(&tasks[0], "conn", connector, &j, 1);
	kt_run_until_idle();
	iss = expect_syn(&lport);
	{
		kt_tick_t rto = 1000;

		for (unsigned i = 0; i < NET_TCP_SYN_RETRIES; i++) {
			advance(rto - 1);
			expect_none();
			advance(1);
			assert_int_equal(expect_syn(&lport), iss);
			rto *= 2;
		}
		advance(rto);
	}
	expect_none();
	kt_run_until_idle();
	assert_int_equal(tasks[0].task.state, KT_DONE);
	assert_int_equal(j.result, -ETIMEDOUT);
	assert_int_equal(stack.stats.tcp_timeouts, 1);
}

/* ---- 3. retransmission ----------------------------------------------------------- */

static void retransmits_back_off_and_give_up(void **state)
{
	struct net_tcp_conn *c;
	uint8_t b[4];
	struct net_tcp t;
	kt_tick_t rto = NET_TCP_RTO_INIT_MS;
	(void)state;
	listen_pool(NPOOL);
	c = handshake();
	send_stream(c, 0, 500);
	expect_data(useq, 0, 500);
	for (unsigned i = 0; i < NET_TCP_RETRIES; i++) {
		advance(rto - 1);
		expect_none();
		advance(1);
		expect_data(useq, 0, 500);
		expect_none();
		rto = rto * 2 < NET_TCP_RTO_MAX_MS ? rto * 2 : NET_TCP_RTO_MAX_MS;
	}
	assert_int_equal(stack.stats.tcp_retransmits, NET_TCP_RETRIES);
	assert_int_equal(c->stats.retransmits, NET_TCP_RETRIES);
	advance(rto - 1);
	assert_int_equal(net_tcp_state(c), NET_TCP_ESTABLISHED);
	expect_none();
	advance(1);
	next_seg(&t); /* given up: the peer is told */
	assert_int_equal(t.flags, NET_TCP_RST);
	assert_int_equal(t.seq, useq + 500);
	assert_int_equal(net_tcp_state(c), NET_TCP_CLOSED);
	assert_int_equal(stack.stats.tcp_timeouts, 1);
	assert_int_equal(net_tcp_recv(c, b, sizeof(b), 0), -ETIMEDOUT);
	assert_int_equal(net_tcp_send(c, "x", 1, 0), -EPIPE);
	assert_false(kt_timer_active(&c->timer));
	assert_int_equal(net_tcp_close(c), 0);
	advance(100000);
	expect_none();
}

static void timeout_resends_one_segment_then_slow_starts(void **state)
{
	struct net_tcp_conn *c;
	(void)state;
	listen_pool(NPOOL);
	c = handshake();
	send_stream(c, 0, 2500);
	expect_data(useq, 0, 1000);
	expect_data(useq + 1000, 1000, 1000);
	expect_data(useq + 2000, 2000, 500);
	advance(1000);
	expect_data(useq, 0, 1000); /* go-back-N, one segment: cwnd is 1 MSS */
	expect_none();
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq + 1000, PEER_WND, NULL, 0), 0);
	expect_data(useq + 1000, 1000, 1000); /* cwnd 2 MSS */
	expect_data(useq + 2000, 2000, 500);
	expect_none();
	/* An ACK of everything sent before the timeout is acceptable. */
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq + 2500, PEER_WND, NULL, 0), 0);
	expect_none();
	assert_int_equal(net_tcp_writable(c), TXCAP);
	assert_false(kt_timer_active(&c->timer));
	assert_int_equal(c->retries, 0);
}

static void rtt_sample_lowers_rto(void **state)
{
	struct net_tcp_conn *c;
	(void)state;
	listen_pool(NPOOL);
	c = handshake();
	assert_int_equal(c->rto, NET_TCP_RTO_INIT_MS);
	send_stream(c, 0, 100);
	expect_data(useq, 0, 100);
	advance(50);
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq + 100, PEER_WND, NULL, 0), 0);
	useq += 100;
	/* SRTT 50, RTTVAR 25: 50 + 4 x 25 = 150, raised to the minimum. */
	assert_int_equal(c->rto, NET_TCP_RTO_MIN_MS);
	send_stream(c, 100, 100);
	expect_data(useq, 100, 100);
	advance(NET_TCP_RTO_MIN_MS - 1);
	expect_none();
	advance(1);
	expect_data(useq, 100, 100);
	/* Karn: the retransmitted segment's ACK gives no sample, and the
	 * backed-off RTO stays until a fresh one. */
	advance(300);
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq + 100, PEER_WND, NULL, 0), 0);
	useq += 100;
	assert_int_equal(c->rto, 2 * NET_TCP_RTO_MIN_MS);
	/* A long RTT raises it: 700 ms. */
	send_stream(c, 200, 100);
	expect_data(useq, 200, 100);
	advance(350);
	expect_none();
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq + 100, PEER_WND, NULL, 0), 0);
	useq += 100;
	/* SRTT 7/8 50 + 350/8 = 87 (scaled: 743/8), RTTVAR 3/4 25 + 300/4. */
	assert_true(c->rto > NET_TCP_RTO_MIN_MS && c->rto < NET_TCP_RTO_INIT_MS);
}

/* ---- 4. fast retransmit ---------------------------------------------------------- */

static void three_dup_acks_resend_at_once(void **state)
{
	struct net_tcp_conn *c;
	(void)state;
	listen_pool(NPOOL);
	c = handshake();
	send_stream(c, 0, 3000);
	expect_data(useq, 0, 1000);
	expect_data(useq + 1000, 1000, 1000);
	expect_data(useq + 2000, 2000, 1000);
	expect_none();
	/* The first arrived, the second was lost. */
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq + 1000, PEER_WND, NULL, 0), 0);
	expect_none();
	for (int i = 0; i < 2; i++) {
		assert_int_equal(peer(NET_TCP_ACK, pseq, useq + 1000, PEER_WND,
				      NULL, 0),
				 0);
		expect_none();
	}
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq + 1000, PEER_WND, NULL, 0), 0);
	expect_data(useq + 1000, 1000, 1000);
	expect_none();
	assert_int_equal(stack.stats.tcp_fast_retransmits, 1);
	assert_int_equal(c->stats.fast_retransmits, 1);
	assert_int_equal(stack.stats.tcp_retransmits, 0);
	/* More duplicates send nothing new (nothing is left to send). */
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq + 1000, PEER_WND, NULL, 0), 0);
	expect_none();
	/* A partial ACK resends the next hole at once. */
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq + 2000, PEER_WND, NULL, 0), 0);
	expect_data(useq + 2000, 2000, 1000);
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq + 3000, PEER_WND, NULL, 0), 0);
	expect_none();
	assert_int_equal(net_tcp_writable(c), TXCAP);
	assert_false(kt_timer_active(&c->timer));
	assert_int_equal(c->cwnd, c->ssthresh);
	/* Duplicates of data segments or window updates are not counted. */
	send_stream(c, 3000, 1000);
	expect_data(useq + 3000, 3000, 1000);
	for (int i = 0; i < 3; i++)
		peer_data((uint32_t)i * 10u, 10); /* acks nothing new, has data */
	for (int i = 0; i < 3; i++) {
		expect_ack(useq + 4000, pseq - 20 + (uint32_t)i * 10u,
			   (uint16_t)(RXCAP - 10 * (i + 1)));
	}
	assert_int_equal(stack.stats.tcp_fast_retransmits, 1);
}

/* ---- 5. close --------------------------------------------------------------------- */

static void active_close_through_time_wait(void **state)
{
	struct net_tcp_conn *c;
	struct net_tcp t;
	(void)state;
	listen_pool(NPOOL);
	c = handshake();
	send_stream(c, 0, 100);
	expect_data(useq, 0, 100);
	assert_int_equal(net_tcp_close(c), 0);
	next_seg(&t); /* the FIN after the data */
	assert_int_equal(t.flags, NET_TCP_FIN | NET_TCP_ACK);
	assert_int_equal(t.seq, useq + 100);
	assert_int_equal(t.len, 0);
	assert_int_equal(net_tcp_state(c), NET_TCP_FIN_WAIT_1);
	assert_int_equal(net_tcp_send(c, "x", 1, 0), -EPIPE);
	assert_int_equal(net_tcp_close(c), -EINVAL);
	/* The data is acked, the FIN not yet. */
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq + 100, PEER_WND, NULL, 0), 0);
	assert_int_equal(net_tcp_state(c), NET_TCP_FIN_WAIT_1);
	/* The FIN is resent on the RTO (its minimum: the RTT was 0). */
	advance(NET_TCP_RTO_MIN_MS - 1);
	expect_none();
	advance(1);
	next_seg(&t);
	assert_int_equal(t.flags, NET_TCP_FIN | NET_TCP_ACK);
	assert_int_equal(t.seq, useq + 100);
	useq += 101;
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq, PEER_WND, NULL, 0), 0);
	assert_int_equal(net_tcp_state(c), NET_TCP_FIN_WAIT_2);
	expect_none();
	/* Data still comes in FIN-WAIT-2 (nobody reads it), then the FIN. */
	peer_data(0, 10);
	expect_ack(useq, pseq, RXCAP - 10);
	assert_int_equal(peer(NET_TCP_FIN | NET_TCP_ACK, pseq, useq, PEER_WND,
			      NULL, 0),
			 0);
	pseq++;
	expect_ack(useq, pseq, RXCAP - 10);
	assert_int_equal(net_tcp_state(c), NET_TCP_TIME_WAIT);
	advance(2 * NET_TCP_MSL_MS - 1000);
	/* A retransmitted FIN is acked and restarts the wait. */
	assert_int_equal(peer(NET_TCP_FIN | NET_TCP_ACK, pseq - 1, useq,
			      PEER_WND, NULL, 0),
			 -EINVAL);
	expect_ack(useq, pseq, RXCAP - 10);
	advance(2 * NET_TCP_MSL_MS - 1);
	assert_int_equal(net_tcp_state(c), NET_TCP_TIME_WAIT);
	advance(1);
	assert_int_equal(net_tcp_state(c), NET_TCP_CLOSED);
	expect_none();
	/* The pool has it back: the same port again, the same connection. */
	assert_ptr_equal(handshake(), c);
	assert_int_equal(net_tcp_readable(c), 0);
}

static void simultaneous_close(void **state)
{
	struct net_tcp_conn *c;
	struct net_tcp t;
	(void)state;
	listen_pool(NPOOL);
	c = handshake();
	assert_int_equal(net_tcp_close(c), 0);
	next_seg(&t);
	assert_int_equal(t.flags, NET_TCP_FIN | NET_TCP_ACK);
	assert_int_equal(t.seq, useq);
	/* The peer's FIN crosses ours. */
	assert_int_equal(peer(NET_TCP_FIN | NET_TCP_ACK, pseq, useq, PEER_WND,
			      NULL, 0),
			 0);
	pseq++;
	expect_ack(useq + 1, pseq, RXCAP);
	assert_int_equal(net_tcp_state(c), NET_TCP_CLOSING);
	useq++;
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq, PEER_WND, NULL, 0), 0);
	assert_int_equal(net_tcp_state(c), NET_TCP_TIME_WAIT);
	/* FIN and ACK at once from FIN-WAIT-1: straight to TIME-WAIT. */
	c = handshake_from(PEER_PORT + 1, PEER_WND);
	assert_ptr_equal(c, &conns[1]);
	assert_int_equal(net_tcp_close(c), 0);
	next_seg(&t);
	assert_int_equal(peer_from(PEER_PORT + 1, NET_TCP_FIN | NET_TCP_ACK,
				   pseq, useq + 1, PEER_WND, NULL, 0),
			 0);
	expect_ack(useq + 1, pseq + 1, RXCAP);
	assert_int_equal(net_tcp_state(c), NET_TCP_TIME_WAIT);
	advance(2 * NET_TCP_MSL_MS);
	assert_int_equal(net_tcp_state(&conns[0]), NET_TCP_CLOSED);
	assert_int_equal(net_tcp_state(&conns[1]), NET_TCP_CLOSED);
}

static void passive_close(void **state)
{
	struct net_tcp_conn *c;
	struct net_tcp t;
	uint8_t b[64];
	(void)state;
	listen_pool(NPOOL);
	c = handshake();
	peer_data(0, 50);
	expect_ack(useq, pseq, RXCAP - 50);
	assert_int_equal(peer(NET_TCP_FIN | NET_TCP_ACK, pseq, useq, PEER_WND,
			      NULL, 0),
			 0);
	pseq++;
	expect_ack(useq, pseq, RXCAP - 50);
	assert_int_equal(net_tcp_state(c), NET_TCP_CLOSE_WAIT);
	/* The bytes before the FIN, then the end, for as long as asked. */
	assert_int_equal(net_tcp_recv(c, b, sizeof(b), 0), 50);
	assert_int_equal(net_tcp_recv(c, b, sizeof(b), 0), 0);
	assert_int_equal(net_tcp_recv(c, b, sizeof(b), 0), 0);
	expect_none(); /* no window update after the FIN */
	/* We may still send. */
	send_stream(c, 0, 20);
	expect_data(useq, 0, 20);
	assert_int_equal(net_tcp_close(c), 0);
	next_seg(&t);
	assert_int_equal(t.flags, NET_TCP_FIN | NET_TCP_ACK);
	assert_int_equal(t.seq, useq + 20);
	assert_int_equal(net_tcp_state(c), NET_TCP_LAST_ACK);
	useq += 21;
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq, PEER_WND, NULL, 0), 0);
	assert_int_equal(net_tcp_state(c), NET_TCP_CLOSED);
	assert_false(kt_timer_active(&c->timer));
	expect_none();
	assert_ptr_equal(handshake(), c);
}

static void close_with_unread_data_resets(void **state)
{
	struct net_tcp_conn *c;
	struct net_tcp t;
	(void)state;
	listen_pool(NPOOL);
	c = handshake();
	peer_data(0, 30);
	expect_ack(useq, pseq, RXCAP - 30);
	assert_int_equal(net_tcp_close(c), 0);
	next_seg(&t);
	assert_true((t.flags & NET_TCP_RST) != 0);
	assert_int_equal(t.seq, useq);
	assert_int_equal(net_tcp_state(c), NET_TCP_CLOSED);
	assert_int_equal(stack.stats.tcp_rst_tx, 1);
	/* Anything more from the peer: no connection, a RST. */
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq, PEER_WND, NULL, 0), -EINVAL);
	next_seg(&t);
	assert_int_equal(t.flags, NET_TCP_RST);
	assert_int_equal(t.seq, useq);
	assert_ptr_equal(handshake(), c);
}

/* ---- 6. resets and challenge ACKs -------------------------------------------------- */

static struct net_tcp_conn *blocked_conn;
static int recv_result;

static int reader(void *arg)
{
	uint8_t b[16];
	(void)arg;
	recv_result = net_tcp_recv(blocked_conn, b, sizeof(b), KT_FOREVER);
	return recv_result;
}

static void rst_in_window_is_challenged_exact_resets(void **state)
{
	struct net_tcp_conn *c;
	(void)state;
	listen_pool(NPOOL);
	c = handshake();
	blocked_conn = c;
	spawn(&tasks[0], "rd", reader, NULL, 1);
	kt_run_until_idle();
	assert_int_equal(tasks[0].task.state, KT_BLOCKED);
	/* In the window, not at rcv_nxt: a challenge ACK, nothing else. */
	assert_int_equal(peer(NET_TCP_RST, pseq + 100, 0, 0, NULL, 0), 0);
	expect_ack(useq, pseq, RXCAP);
	assert_int_equal(stack.stats.tcp_challenge_acks, 1);
	assert_int_equal(net_tcp_state(c), NET_TCP_ESTABLISHED);
	/* Outside the window: ignored, no answer to a RST. */
	assert_int_equal(peer(NET_TCP_RST, pseq + RXCAP, 0, 0, NULL, 0), -EINVAL);
	assert_int_equal(peer(NET_TCP_RST, pseq - 1, 0, 0, NULL, 0), -EINVAL);
	expect_none();
	/* A SYN in the window: a challenge ACK. */
	assert_int_equal(peer(NET_TCP_SYN, pseq + 10, 0, PEER_WND, NULL, 0), 0);
	expect_ack(useq, pseq, RXCAP);
	assert_int_equal(stack.stats.tcp_challenge_acks, 2);
	assert_int_equal(net_tcp_state(c), NET_TCP_ESTABLISHED);
	kt_run_until_idle();
	assert_int_equal(tasks[0].task.state, KT_BLOCKED);
	/* Exactly at rcv_nxt: reset, and the reader hears of it. */
	assert_int_equal(peer(NET_TCP_RST, pseq, 0, 0, NULL, 0), 0);
	expect_none();
	assert_int_equal(net_tcp_state(c), NET_TCP_CLOSED);
	assert_int_equal(stack.stats.tcp_rst_rx, 1);
	kt_run_until_idle();
	assert_int_equal(tasks[0].task.state, KT_DONE);
	assert_int_equal(recv_result, -ECONNRESET);
	assert_int_equal(net_tcp_send(c, "x", 1, 0), -ECONNRESET);
	assert_int_equal(net_tcp_close(c), 0);
	expect_none();
}

static void unacceptable_segments_are_acked(void **state)
{
	struct net_tcp_conn *c;
	uint8_t d[10] = { 0 }, e[10];
	(void)state;
	listen_pool(NPOOL);
	c = handshake();
	/* Past the window. */
	assert_int_equal(peer(NET_TCP_ACK, pseq + RXCAP, useq, PEER_WND, d, 10),
			 -EINVAL);
	expect_ack(useq, pseq, RXCAP);
	/* Entirely old (a duplicate). */
	assert_int_equal(peer(NET_TCP_ACK, pseq - 10, useq, PEER_WND, d, 10), -EINVAL);
	expect_ack(useq, pseq, RXCAP);
	assert_int_equal(stack.stats.tcp_unacceptable, 2);
	/* Acking what we never sent: an ACK, the segment dropped. */
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq + 5, PEER_WND, d, 10), 0);
	expect_ack(useq, pseq, RXCAP);
	assert_int_equal(net_tcp_readable(c), 0);
	/* In the window but early (a hole before it): a duplicate ACK, and
	 * the bytes kept (stream bytes 5..14, d[i] == i below). */
	for (int i = 0; i < 10; i++)
		e[i] = (uint8_t)(i + 5);
	assert_int_equal(peer(NET_TCP_ACK, pseq + 5, useq, PEER_WND, e, 10), 0);
	expect_ack(useq, pseq, RXCAP);
	assert_int_equal(stack.stats.tcp_out_of_order, 1);
	assert_int_equal(net_tcp_readable(c), 0);
	/* No ACK flag: dropped. */
	assert_int_equal(peer(0, pseq, useq, PEER_WND, d, 10), -EINVAL);
	expect_none();
	/* Partly old: the new part is taken. */
	for (int i = 0; i < 10; i++)
		d[i] = (uint8_t)i;
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq, PEER_WND, d, 4), 0);
	expect_ack(useq, pseq + 4, RXCAP - 4);
	/* It fills the hole: the early bytes join, the ACK covers them. */
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq, PEER_WND, d, 10), 0);
	expect_ack(useq, pseq + 15, RXCAP - 15);
	{
		uint8_t b[16];

		assert_int_equal(net_tcp_recv(c, b, sizeof(b), 0), 15);
		for (int i = 0; i < 15; i++)
			assert_int_equal(b[i], i);
	}
	assert_int_equal(net_tcp_state(c), NET_TCP_ESTABLISHED);
}

/* Early bytes in up to NET_TCP_EARLY ranges; holes filled in any order
 * give the stream back whole; a range beyond the table comes again. */
static void early_ranges_join_when_holes_fill(void **state)
{
	static uint8_t stream[100], got[100];
	struct net_tcp_conn *c;
	(void)state;
	for (unsigned i = 0; i < sizeof(stream); i++)
		stream[i] = (uint8_t)(i * 7 + 1);
	listen_pool(NPOOL);
	c = handshake();
	for (uint32_t off = 10; off < 100; off += 20) /* 10..19, 30..39, ... 90..99 */
		assert_int_equal(peer(NET_TCP_ACK, pseq + off, useq, PEER_WND,
				      stream + off, 10),
				 0);
	for (int i = 0; i < 5; i++)
		expect_ack(useq, pseq, RXCAP);      /* a duplicate ACK each */
	assert_int_equal(c->nearly, NET_TCP_EARLY); /* 90..99 was not kept */
	/* Holes filled last first: nothing moves until the first one. */
	for (int off = 60; off >= 20; off -= 20) {
		assert_int_equal(peer(NET_TCP_ACK, pseq + (uint32_t)off, useq,
				      PEER_WND, stream + off, 10),
				 0);
		expect_ack(useq, pseq, RXCAP);
	}
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq, PEER_WND, stream, 10), 0);
	expect_ack(useq, pseq + 80, RXCAP - 80);
	assert_int_equal(peer(NET_TCP_ACK, pseq + 80, useq, PEER_WND, stream + 80, 20),
			 0);
	expect_ack(useq, pseq + 100, RXCAP - 100);
	assert_int_equal(c->nearly, 0);
	assert_int_equal(net_tcp_recv(c, got, sizeof(got), 0), 100);
	assert_memory_equal(got, stream, 100);
}

/* RFC 5961 7: at most NET_TCP_CHALLENGE_MAX challenge ACKs a second,
 * the rest counted; the next second allows them again. */
static void challenge_acks_are_limited(void **state)
{
	struct net_tcp_conn *c;
	(void)state;
	listen_pool(NPOOL);
	c = handshake();
	for (unsigned i = 0; i < NET_TCP_CHALLENGE_MAX + 3u; i++)
		assert_int_equal(peer(NET_TCP_RST, pseq + 100 + i, 0, 0, NULL, 0), 0);
	for (unsigned i = 0; i < NET_TCP_CHALLENGE_MAX; i++)
		expect_ack(useq, pseq, RXCAP);
	expect_none();
	assert_int_equal(stack.stats.tcp_challenge_acks, NET_TCP_CHALLENGE_MAX);
	assert_int_equal(stack.stats.tcp_challenge_limited, 3);
	assert_int_equal(net_tcp_state(c), NET_TCP_ESTABLISHED);
	advance(HZ);
	assert_int_equal(peer(NET_TCP_SYN, pseq + 5, 0, PEER_WND, NULL, 0), 0);
	expect_ack(useq, pseq, RXCAP);
	assert_int_equal(stack.stats.tcp_challenge_acks, NET_TCP_CHALLENGE_MAX + 1u);
}

/* ---- 7. segments no connection takes, bad segments, zero windows ---------------- */

static void no_listener_is_answered_with_rst(void **state)
{
	uint8_t f[NET_FRAME_MAX];
	struct net_tcp t;
	size_t n;
	(void)state;
	/* A SYN: RST|ACK, seq 0, acking the SYN. */
	n = seg_frame(f, PEER_PORT, 81, NET_TCP_SYN, 1000, 0, PEER_WND,
		      PEER_MSS, NULL, 0);
	assert_int_equal(net_input(&stack, f, n), -ENOENT);
	next_seg(&t);
	assert_int_equal(t.flags, NET_TCP_RST | NET_TCP_ACK);
	assert_int_equal(t.sport, 81);
	assert_int_equal(t.dport, PEER_PORT);
	assert_int_equal(t.seq, 0);
	assert_int_equal(t.ack, 1001);
	assert_int_equal(t.len, 0);
	/* Data and FIN without ACK: acked past both. */
	n = seg_frame(f, PEER_PORT, 81, NET_TCP_FIN | NET_TCP_PSH, 5000, 0,
		      PEER_WND, 0, "abc", 3);
	assert_int_equal(net_input(&stack, f, n), -ENOENT);
	next_seg(&t);
	assert_int_equal(t.flags, NET_TCP_RST | NET_TCP_ACK);
	assert_int_equal(t.seq, 0);
	assert_int_equal(t.ack, 5004);
	/* With an ACK: RST at its ack, no ACK of ours. */
	n = seg_frame(f, PEER_PORT, 81, NET_TCP_ACK, 5000, 0x12345678, PEER_WND,
		      0, "abc", 3);
	assert_int_equal(net_input(&stack, f, n), -ENOENT);
	next_seg(&t);
	assert_int_equal(t.flags, NET_TCP_RST);
	assert_int_equal(t.seq, 0x12345678);
	/* A RST is never answered. */
	n = seg_frame(f, PEER_PORT, 81, NET_TCP_RST | NET_TCP_ACK, 5000, 1, 0,
		      0, NULL, 0);
	assert_int_equal(net_input(&stack, f, n), -ENOENT);
	expect_none();
	assert_int_equal(stack.stats.tcp_no_conn, 4);
	assert_int_equal(stack.stats.tcp_rst_tx, 3);
	assert_int_equal(stack.stats.tcp_rx, 0);
}

static void listener_refuses_all_but_syn(void **state)
{
	struct net_tcp t;
	(void)state;
	listen_pool(NPOOL);
	assert_int_equal(peer(NET_TCP_ACK, 100, 777, PEER_WND, NULL, 0), -EINVAL);
	next_seg(&t);
	assert_int_equal(t.flags, NET_TCP_RST);
	assert_int_equal(t.seq, 777);
	assert_int_equal(peer(NET_TCP_RST, 100, 0, 0, NULL, 0), -EINVAL);
	assert_int_equal(peer(NET_TCP_FIN, 100, 0, PEER_WND, NULL, 0), -EINVAL);
	expect_none();
	assert_int_equal(stack.stats.tcp_unacceptable, 3);
	/* SYN-ACK to a listener: RST too. */
	assert_int_equal(peer(NET_TCP_SYN | NET_TCP_ACK, 100, 555, PEER_WND, NULL, 0),
			 -EINVAL);
	next_seg(&t);
	assert_int_equal(t.flags, NET_TCP_RST);
	assert_int_equal(t.seq, 555);
	/* The pool is untouched. */
	for (unsigned i = 0; i < NPOOL; i++)
		assert_int_equal(net_tcp_state(&conns[i]), NET_TCP_CLOSED);
	/* Port in use; unlisten frees it. */
	{
		struct net_tcp_listener l2;

		memset(&l2, 0, sizeof(l2));
		assert_int_equal(net_tcp_listen(&stack, &l2, PORT, &conns[NPOOL], 1),
				 -EADDRINUSE);
		assert_int_equal(net_tcp_unlisten(&lis), 0);
		assert_int_equal(peer(NET_TCP_SYN, 100, 0, PEER_WND, NULL, 0),
				 -ENOENT);
		next_seg(&t);
		assert_int_equal(t.flags, NET_TCP_RST | NET_TCP_ACK);
	}
}

static int peer_to_port(uint16_t sport, uint8_t flags, uint32_t seq, uint32_t ack)
{
	return peer_from(sport, flags, seq, ack, PEER_WND, NULL, 0);
}

static void pool_full_drops_syn(void **state)
{
	struct net_tcp_conn *a, *b;
	struct net_tcp t;
	(void)state;
	listen_pool(NPOOL);
	a = handshake_from(PEER_PORT, PEER_WND);
	/* The second one stays in its handshake: it holds its slot too. */
	assert_int_equal(peer_to_port(PEER_PORT + 1, NET_TCP_SYN, PEER_ISS, 0), 0);
	next_seg(&t);
	assert_int_equal(t.flags, NET_TCP_SYN | NET_TCP_ACK);
	assert_int_equal(peer_to_port(PEER_PORT + 2, NET_TCP_SYN, PEER_ISS, 0),
			 -ENOBUFS);
	expect_none();
	assert_int_equal(stack.stats.tcp_backlog_full, 1);
	/* The handshake completes; the pool is still full. */
	assert_int_equal(peer_to_port(PEER_PORT + 1, NET_TCP_ACK, PEER_ISS + 1,
				      t.seq + 1),
			 0);
	assert_int_equal(net_tcp_accept(&lis, &b, 0), 0);
	assert_ptr_equal(b, &conns[1]);
	assert_int_equal(peer_to_port(PEER_PORT + 2, NET_TCP_SYN, PEER_ISS, 0),
			 -ENOBUFS);
	assert_int_equal(stack.stats.tcp_backlog_full, 2);
	/* One is aborted: its slot takes the next SYN. */
	assert_int_equal(net_tcp_abort(a), 0);
	next_seg(&t);
	assert_int_equal(t.flags, NET_TCP_RST);
	assert_ptr_equal(handshake_from(PEER_PORT + 2, PEER_WND), a);
	/* The SYN-ACK of a handshake never finished is resent, then given up. */
	assert_int_equal(net_tcp_abort(a), 0);
	next_seg(&t);
	assert_int_equal(peer_to_port(PEER_PORT + 3, NET_TCP_SYN, PEER_ISS, 0), 0);
	next_seg(&t);
	advance(1000);
	next_seg(&t);
	assert_int_equal(t.flags, NET_TCP_SYN | NET_TCP_ACK);
	advance(2000 + 4000 + 8000 + 16000 + 32000);
	assert_int_equal(net_tcp_state(a), NET_TCP_CLOSED);
	while (unread() != 0)
		next_seg(&t);
	assert_int_equal(stack.stats.tcp_timeouts, 1);
	assert_ptr_equal(handshake_from(PEER_PORT + 4, PEER_WND), a);
}

/* A raw IPv4 payload from the peer as protocol TCP. */
static int peer_raw(const uint8_t *seg, size_t len)
{
	uint8_t f[NET_FRAME_MAX];
	struct net_ipv4 ip = { .proto = NET_IPPROTO_TCP,
			       .ttl = 64,
			       .id = 1,
			       .src = IP_B,
			       .dst = IP_US };

	memcpy(f + 34, seg, len);
	net_eth_build(f, NET_FRAME_MAX, mac_us, mac_b, NET_ETHERTYPE_IPV4);
	assert_true(net_ipv4_build(f + 14, NET_FRAME_MAX - 14, &ip, len) != 0);
	return net_input(&stack, f, 34 + len);
}

/* The TCP checksum of seg again, after the test changed it. */
static void recsum(uint8_t *seg, size_t len)
{
	uint8_t ph[12];

	net_put32(ph, IP_B);
	net_put32(ph + 4, IP_US);
	ph[8] = 0;
	ph[9] = NET_IPPROTO_TCP;
	net_put16(ph + 10, (uint16_t)len);
	net_put16(seg + 16, 0);
	net_put16(seg + 16,
		  net_csum_fold(net_csum_add(net_csum_add(0, ph, 12), seg, len)));
}

static void bad_segments_are_counted(void **state)
{
	uint8_t f[NET_FRAME_MAX], g[NET_FRAME_MAX];
	struct net_tcp t;
	size_t n, sl;
	(void)state;
	listen_pool(NPOOL);
	n = seg_frame(f, PEER_PORT, PORT, NET_TCP_SYN, PEER_ISS, 0, PEER_WND,
		      PEER_MSS, "data", 4);
	sl = n - 34;
	/* The payload changed under the checksum. */
	memcpy(g, f + 34, sl);
	g[sl - 1] ^= 0x20;
	assert_int_equal(peer_raw(g, sl), -EBADMSG);
	assert_int_equal(stack.stats.tcp_bad_csum, 1);
	/* Truncated: under 20 bytes. */
	assert_int_equal(peer_raw(f + 34, 19), -EINVAL);
	/* Data offset under 5, and past the segment. */
	memcpy(g, f + 34, sl);
	g[12] = 4 << 4;
	assert_int_equal(peer_raw(g, sl), -EINVAL);
	memcpy(g, f + 34, sl);
	g[12] = 15 << 4;
	assert_int_equal(peer_raw(g, sl), -EINVAL);
	/* An option running past the header (checksum right). */
	memcpy(g, f + 34, sl);
	g[21] = 8;
	recsum(g, sl);
	assert_int_equal(peer_raw(g, sl), -EINVAL);
	/* An option length under 2. */
	memcpy(g, f + 34, sl);
	g[20] = 9;
	g[21] = 1;
	recsum(g, sl);
	assert_int_equal(peer_raw(g, sl), -EINVAL);
	/* MSS of the wrong length. */
	memcpy(g, f + 34, sl);
	g[21] = 3;
	g[23] = 1; /* a NOP after it, so the length stays inside */
	recsum(g, sl);
	assert_int_equal(peer_raw(g, sl), -EINVAL);
	/* Port 0. */
	memcpy(g, f + 34, sl);
	net_put16(g, 0);
	recsum(g, sl);
	assert_int_equal(peer_raw(g, sl), -EINVAL);
	assert_int_equal(stack.stats.tcp_bad, 7);
	/* To the broadcast address. */
	{
		uint8_t h[NET_FRAME_MAX];
		struct net_ipv4 ip = { .proto = NET_IPPROTO_TCP,
				       .ttl = 64,
				       .id = 1,
				       .src = IP_B,
				       .dst = NET_IP4(10, 0, 2, 255) };
		struct net_tcp th = { .sport = PEER_PORT,
				      .dport = PORT,
				      .seq = 1,
				      .flags = NET_TCP_SYN,
				      .wnd = 100 };
		size_t k = net_tcp_build(h + 34, sizeof(h) - 34, IP_B, ip.dst,
					 &th, 0);

		memcpy(h, net_mac_broadcast, 6);
		memcpy(h + 6, mac_b, 6);
		net_put16(h + 12, NET_ETHERTYPE_IPV4);
		net_ipv4_build(h + 14, sizeof(h) - 14, &ip, k);
		assert_int_equal(net_input(&stack, h, 34 + k), -EINVAL);
	}
	assert_int_equal(stack.stats.tcp_bad, 8);
	expect_none();
	for (unsigned i = 0; i < NPOOL; i++)
		assert_int_equal(net_tcp_state(&conns[i]), NET_TCP_CLOSED);
	/* The good one still opens a connection (its data is not kept). */
	assert_int_equal(net_input(&stack, f, n), 0);
	next_seg(&t);
	assert_int_equal(t.flags, NET_TCP_SYN | NET_TCP_ACK);
	assert_int_equal(t.ack, PEER_ISS + 1);
	expect_none();
}

static void zero_window_is_probed(void **state)
{
	struct net_tcp_conn *c;
	(void)state;
	listen_pool(NPOOL);
	c = handshake_from(PEER_PORT, 0);
	send_stream(c, 0, 100);
	expect_none(); /* the window is shut */
	assert_true(kt_timer_active(&c->timer));
	advance(NET_TCP_RTO_INIT_MS - 1);
	expect_none();
	advance(1);
	expect_data(useq, 0, 1); /* a probe: one byte past the window */
	/* Still shut: probed again, backed off. */
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq, 0, NULL, 0), 0);
	expect_none();
	advance(2 * NET_TCP_RTO_INIT_MS - 1);
	expect_none();
	advance(1);
	expect_data(useq, 0, 1);
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq, 0, NULL, 0), 0);
	/* The window opens (the probe's byte not taken): all of it goes. */
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq, PEER_WND, NULL, 0), 0);
	expect_data(useq, 0, 100);
	expect_none();
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq + 100, PEER_WND, NULL, 0), 0);
	useq += 100;
	assert_false(kt_timer_active(&c->timer));
	assert_int_equal(c->stats.tx_bytes, 100);
	assert_int_equal(stack.stats.tcp_timeouts, 0);
}

static void zero_window_probe_byte_taken(void **state)
{
	struct net_tcp_conn *c;
	(void)state;
	listen_pool(NPOOL);
	c = handshake_from(PEER_PORT, 0);
	send_stream(c, 0, 100);
	expect_none();
	advance(NET_TCP_RTO_INIT_MS);
	expect_data(useq, 0, 1);
	/* The window opened meanwhile: the peer keeps the byte, acks it. */
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq + 1, PEER_WND, NULL, 0), 0);
	expect_data(useq + 1, 1, 99);
	expect_none();
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq + 100, PEER_WND, NULL, 0), 0);
	expect_none();
	assert_int_equal(net_tcp_writable(c), TXCAP);
	assert_false(kt_timer_active(&c->timer));
}

static void zero_window_probes_do_not_give_up(void **state)
{
	struct net_tcp_conn *c;
	kt_tick_t rto = NET_TCP_RTO_INIT_MS;
	(void)state;
	listen_pool(NPOOL);
	c = handshake_from(PEER_PORT, 0);
	send_stream(c, 0, 100);
	/* A live peer that keeps its window shut for long: probes go on
	 * past NET_TCP_RETRIES (RFC 9293 3.8.6.1), answered each time. */
	for (unsigned i = 0; i < NET_TCP_RETRIES + 4; i++) {
		advance(rto - 1);
		expect_none();
		advance(1);
		rto = rto * 2 < NET_TCP_RTO_MAX_MS ? rto * 2 : NET_TCP_RTO_MAX_MS;
		expect_data(useq, 0, 1);
		expect_none();
		assert_int_equal(peer(NET_TCP_ACK, pseq, useq, 0, NULL, 0), 0);
		expect_none();
	}
	assert_int_equal(net_tcp_state(c), NET_TCP_ESTABLISHED);
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq, PEER_WND, NULL, 0), 0);
	expect_data(useq, 0, 100);
}

/* ---- blocking calls in tasks, handshake corners ------------------------------------ */

static int send_result;

static int sender(void *arg)
{
	static uint8_t d[5000];
	(void)arg;
	for (uint32_t i = 0; i < sizeof(d); i++)
		d[i] = pat(i);
	send_result = net_tcp_send(blocked_conn, d, sizeof(d), KT_FOREVER);
	return send_result;
}

static void send_blocks_for_ring_room(void **state)
{
	struct net_tcp_conn *c;
	uint32_t acked = 0;
	(void)state;
	listen_pool(NPOOL);
	c = handshake();
	blocked_conn = c;
	spawn(&tasks[0], "tx", sender, NULL, 1);
	kt_run_until_idle();
	assert_int_equal(tasks[0].task.state, KT_BLOCKED);
	assert_int_equal(net_tcp_writable(c), 0);
	/* Each ACK frees room; the task fills it; the stream is exact. */
	while (acked < 5000) {
		struct net_tcp t;
		uint32_t top = acked;

		while (unread() != 0) {
			next_seg(&t);
			assert_int_equal(t.seq, useq + top);
			for (size_t k = 0; k < t.len; k++)
				assert_int_equal(t.payload[k],
						 pat(top + (uint32_t)k));
			top += (uint32_t)t.len;
		}
		assert_true(top > acked);
		acked = top;
		assert_int_equal(peer(NET_TCP_ACK, pseq, useq + acked, PEER_WND,
				      NULL, 0),
				 0);
		kt_run_until_idle();
	}
	assert_int_equal(tasks[0].task.state, KT_DONE);
	assert_int_equal(send_result, 5000);
	expect_none();
}

static struct net_tcp_conn *accepted;
static int accept_result;

static int acceptor(void *arg)
{
	(void)arg;
	accept_result = net_tcp_accept(&lis, &accepted, KT_FOREVER);
	if (accept_result == 0) {
		blocked_conn = accepted;
		recv_result = reader(NULL);
	}
	return accept_result;
}

static void accept_and_recv_block(void **state)
{
	uint8_t f[NET_FRAME_MAX];
	struct net_tcp t;
	size_t n;
	(void)state;
	listen_pool(NPOOL);
	spawn(&tasks[0], "acc", acceptor, NULL, 1);
	kt_run_until_idle();
	assert_int_equal(tasks[0].task.state, KT_BLOCKED);
	n = seg_frame(f, PEER_PORT, PORT, NET_TCP_SYN, PEER_ISS, 0, PEER_WND,
		      PEER_MSS, NULL, 0);
	assert_int_equal(net_input(&stack, f, n), 0);
	next_seg(&t);
	/* The SYN again (our SYN-ACK was lost): the SYN-ACK again. */
	assert_int_equal(net_input(&stack, f, n), -EINVAL);
	{
		struct net_tcp t2;

		next_seg(&t2);
		assert_int_equal(t2.flags, NET_TCP_SYN | NET_TCP_ACK);
		assert_int_equal(t2.seq, t.seq);
	}
	kt_run_until_idle();
	assert_int_equal(tasks[0].task.state, KT_BLOCKED);
	pseq = PEER_ISS + 1;
	useq = t.seq + 1;
	/* The handshake's ACK carries data: accepted, and the data kept. */
	assert_int_equal(peer(NET_TCP_ACK | NET_TCP_PSH, pseq, useq, PEER_WND,
			      "hello", 5),
			 0);
	pseq += 5;
	expect_ack(useq, pseq, RXCAP - 5);
	kt_run_until_idle();
	assert_int_equal(accept_result, 0);
	assert_int_equal(recv_result, 5);
	assert_int_equal(tasks[0].task.state, KT_DONE);
	/* A reader that blocks is woken by the FIN with 0. */
	blocked_conn = accepted;
	spawn(&tasks[1], "rd", reader, NULL, 1);
	kt_run_until_idle();
	assert_int_equal(tasks[1].task.state, KT_BLOCKED);
	assert_int_equal(peer(NET_TCP_FIN | NET_TCP_ACK, pseq, useq, PEER_WND,
			      NULL, 0),
			 0);
	expect_ack(useq, pseq + 1, RXCAP);
	kt_run_until_idle();
	assert_int_equal(tasks[1].task.state, KT_DONE);
	assert_int_equal(recv_result, 0);
	assert_int_equal(net_tcp_close(accepted), 0);
	next_seg(&t);
	assert_int_equal(t.flags, NET_TCP_FIN | NET_TCP_ACK);
}

static void syn_in_time_wait_opens_anew(void **state)
{
	struct net_tcp_conn *c;
	struct net_tcp t;
	uint8_t f[NET_FRAME_MAX];
	size_t n;
	(void)state;
	listen_pool(1);
	c = handshake();
	assert_int_equal(net_tcp_close(c), 0);
	next_seg(&t);
	assert_int_equal(peer(NET_TCP_FIN | NET_TCP_ACK, pseq, useq + 1,
			      PEER_WND, NULL, 0),
			 0);
	expect_ack(useq + 1, pseq + 1, RXCAP);
	assert_int_equal(net_tcp_state(c), NET_TCP_TIME_WAIT);
	/* A new SYN, past the old connection's sequence: a new incarnation. */
	n = seg_frame(f, PEER_PORT, PORT, NET_TCP_SYN, pseq + 100000, 0,
		      PEER_WND, PEER_MSS, NULL, 0);
	assert_int_equal(net_input(&stack, f, n), 0);
	next_seg(&t);
	assert_int_equal(t.flags, NET_TCP_SYN | NET_TCP_ACK);
	assert_int_equal(t.ack, pseq + 100001);
	assert_int_equal(net_tcp_state(c), NET_TCP_SYN_RECEIVED);
	/* The pool of one was in TIME-WAIT only: a SYN from another port
	 * takes it, the wait cut short.  (Here it is in its handshake.) */
	assert_int_equal(peer_to_port(PEER_PORT + 1, NET_TCP_SYN, 1, 0), -ENOBUFS);
	expect_none();
}

/* Closed by its owner, the FIN acked, the peer silent: dropped after
 * NET_TCP_FIN_WAIT_2_MS, the pool's connection free again. */
static void fin_wait_2_times_out(void **state)
{
	struct net_tcp_conn *c;
	struct net_tcp t;
	(void)state;
	listen_pool(NPOOL);
	c = handshake();
	assert_int_equal(net_tcp_close(c), 0);
	next_seg(&t);
	assert_int_equal(t.flags, NET_TCP_FIN | NET_TCP_ACK);
	useq++;
	assert_int_equal(peer(NET_TCP_ACK, pseq, useq, PEER_WND, NULL, 0), 0);
	assert_int_equal(net_tcp_state(c), NET_TCP_FIN_WAIT_2);
	advance(NET_TCP_FIN_WAIT_2_MS - 1);
	assert_int_equal(net_tcp_state(c), NET_TCP_FIN_WAIT_2);
	advance(1);
	assert_int_equal(net_tcp_state(c), NET_TCP_CLOSED);
	expect_none();
}

/* A task blocked in recv, send or accept and cancelled returns
 * -ECANCELED; the connection goes on. */
static void blocked_calls_are_cancellable(void **state)
{
	struct net_tcp_conn *c;
	(void)state;
	listen_pool(NPOOL);
	c = handshake();
	blocked_conn = c;
	spawn(&tasks[0], "rd", reader, NULL, 1);
	kt_run_until_idle();
	assert_int_equal(tasks[0].task.state, KT_BLOCKED);
	assert_int_equal(kt_task_cancel(&tasks[0].task), 0);
	kt_run_until_idle();
	assert_int_equal(tasks[0].task.state, KT_DONE);
	assert_int_equal(recv_result, -ECANCELED);
	assert_int_equal(net_tcp_state(c), NET_TCP_ESTABLISHED);
	/* The data that comes next is still there for the next reader. */
	assert_int_equal(peer(NET_TCP_ACK | NET_TCP_PSH, pseq, useq, PEER_WND,
			      "abc", 3),
			 0);
	pseq += 3;
	expect_ack(useq, pseq, RXCAP - 3);
	spawn(&tasks[1], "rd", reader, NULL, 1);
	kt_run_until_idle();
	assert_int_equal(recv_result, 3);
	spawn(&tasks[2], "acc", acceptor, NULL, 1);
	kt_run_until_idle();
	assert_int_equal(tasks[2].task.state, KT_BLOCKED);
	assert_int_equal(kt_task_cancel(&tasks[2].task), 0);
	kt_run_until_idle();
	assert_int_equal(accept_result, -ECANCELED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TCP_TEST(passive_open_and_accept),
		TCP_TEST(data_in_both_ways_through_the_rings),
		TCP_TEST(window_is_free_space_and_reopens),
		TCP_TEST(active_open),
		TCP_TEST(active_open_refused),
		TCP_TEST(active_open_times_out),
		TCP_TEST(retransmits_back_off_and_give_up),
		TCP_TEST(timeout_resends_one_segment_then_slow_starts),
		TCP_TEST(rtt_sample_lowers_rto),
		TCP_TEST(three_dup_acks_resend_at_once),
		TCP_TEST(active_close_through_time_wait),
		TCP_TEST(simultaneous_close),
		TCP_TEST(passive_close),
		TCP_TEST(close_with_unread_data_resets),
		TCP_TEST(rst_in_window_is_challenged_exact_resets),
		TCP_TEST(unacceptable_segments_are_acked),
		TCP_TEST(no_listener_is_answered_with_rst),
		TCP_TEST(listener_refuses_all_but_syn),
		TCP_TEST(pool_full_drops_syn),
		TCP_TEST(bad_segments_are_counted),
		TCP_TEST(zero_window_is_probed),
		TCP_TEST(zero_window_probe_byte_taken),
		TCP_TEST(zero_window_probes_do_not_give_up),
		TCP_TEST(send_blocks_for_ring_room),
		TCP_TEST(accept_and_recv_block),
		TCP_TEST(syn_in_time_wait_opens_anew),
		TCP_TEST(blocked_calls_are_cancellable),
		TCP_TEST(fin_wait_2_times_out),
		TCP_TEST(early_ranges_join_when_holes_fill),
		TCP_TEST(challenge_acks_are_limited),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
