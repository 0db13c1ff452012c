/*
 * libFuzzer target: arbitrary bytes into the stack's receive path.
 *
 * An input is a script of records, so one input can build up state (learn
 * addresses, fill queues) and then attack it:
 *   0x00-0x7f  a frame: 2 bytes of length (little-endian, taken mod 2048)
 *              then that many bytes (or what is left) to net_input();
 *              with op & 0x40 and a length a MAC could deliver (14..1514)
 *              it goes the target's way instead: a simulated receive
 *              interrupt puts it in the driver half's ring (eth_port.c),
 *              and the stack's receive call takes it out.  The low bits
 *              edit an IPv4 frame first (fix_frame), so that mutated
 *              frames get past the checksums and a TCP peer can follow
 *              the stack's sequence numbers, which depend on a hash and
 *              the time: op & 0x20 sets the IPv4 total length to the
 *              frame's and recomputes the IPv4, UDP and TCP checksums;
 *              for a TCP segment op & 0x10 sets its ack to the end of the
 *              last segment the stack sent (seq + data + SYN + FIN: the
 *              SYN-ACK's iss + 1 completes a handshake), op & 0x08 its
 *              seq to that segment's ack, op & 0x04 its ports to that
 *              segment's, reversed (each of these implies 0x20);
 *   0x80-0xbf  time passes: (op & 0x3f) * 16 ticks, timers fire;
 *   0xc0-0xdf  the application: take one datagram from socket (op & 1)
 *              and send it back to its source, as the demo's echo does,
 *              or, with op & 2, send 1 + next byte * 8 bytes to the
 *              address in the next 4 bytes;
 *   0xe0-0xff  the TCP application (tcp_app): on connection (op >> 3) & 3
 *              (0, 1: the listener's pool, once accepted; 2: the
 *              active one) action op & 7: recv, send 1 + next byte
 *              bytes, echo what was received, close, abort; with (op >>
 *              3) & 3 == 3: accept, unlisten or listen again, connect
 *              again.
 * Each input starts from a fresh kernel and stack (our address
 * 10.0.2.15/24, gateway 10.0.2.2, MAC 52:54:00:12:34:56, sockets on
 * ports 7 and 9, a TCP listener on port 80 with a pool of two
 * connections, 256-byte rings each, and a task that connects a third
 * connection to 10.0.2.2:8080: its SYN waits for the gateway's ARP
 * reply).  After every record the scheduler runs until idle.  Frames get
 * an exact-size heap copy, so ASan sees any read past the end.
 *
 * Beyond the sanitizers, the target aborts on a broken promise: every
 * frame the stack sends must be 14..1514 bytes from our MAC and parse
 * cleanly with our own parsers (valid IPv4 and UDP checksums, an ARP from
 * our address, an echo reply); every input must be counted in rx_frames
 * and in exactly one outcome (net_counters);
 * a socket's semaphore must match its ring; every TCP connection's
 * invariants hold after every record (check_tcp: rings within their
 * capacity, snd_una <= snd_nxt <= snd_max, the FIN's sequence, the
 * offered window never shrinking, live iff in the stack's list, a timer
 * while anything is outstanding, ownership as the application holds it),
 * and every TCP segment sent is well-formed and sends nothing past
 * snd_max; after time passes every queued frame must be gone (no stuck
 * queue, once TCP is torn down), after draining every ring must be empty.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eth_port.h"
#include "net.h"
#include "port_host.h"

#define IP_US NET_IP4(10, 0, 2, 15)
#define IP_PEER NET_IP4(10, 0, 2, 2)
#define HZ 1000u
#define TCP_PORT 80
#define TCP_PEER_PORT 8080
#define TCP_RING 256
#define CONNECT_TIMEOUT 4000u /* ticks */
#define SEQ_LEQ(a, b) ((int32_t)((a) - (b)) <= 0)

static const uint8_t mac_us[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static struct net_stack stack;
static struct net_udp_socket sock[2];
static struct net_udp_slot slots[2][3];
static unsigned inputs;
static struct eth_port eth;
static struct eth_slot port_slots[2];
static const uint8_t *isr_frame;
static size_t isr_len;

/* TCP: the listener's pool (pool[0..1]) and the active connection (the
 * connector task's, pool[2]); held[i]: the application owns pool[i]. */
static struct net_tcp_listener listener;
static struct net_tcp_conn pool[3];
static uint8_t rings[3][2][TCP_RING];
static bool held[3];
static struct kt_task connector;
static uint8_t connector_stack[16384];
static bool connecting; /* the connector task has not returned */
static bool listening;

/* The last TCP segment the stack sent, for fix_frame's echoes. */
static struct {
	bool valid;
	uint16_t sport, dport;
	uint32_t seq, ack, end; /* end: seq + data + SYN + FIN */
} last;

#define CHECK(c) \
	do { \
		if (!(c)) { \
			fprintf(stderr, "broken promise: %s (%s:%d)\n", #c, \
				__FILE__, __LINE__); \
			abort(); \
		} \
	} while (0)

/* The stack's outcome counters summed, from the table `net` prints. */
static uint32_t outcomes(void)
{
	uint32_t sum = 0;

	for (unsigned i = 0; i < net_ncounters; i++)
		if (net_counters[i].outcome)
			sum += net_counter_value(&stack.stats, &net_counters[i]);
	return sum;
}

static struct net_tcp_conn *conn_of(uint32_t rip, uint16_t lport, uint16_t rport)
{
	for (int i = 0; i < 3; i++) {
		struct net_tcp_conn *c = &pool[i];

		if (c->state != NET_TCP_CLOSED && c->rip == rip &&
		    c->lport == lport && c->rport == rport)
			return c;
	}
	return NULL;
}

/* A segment the stack sends: well-formed, and (from a connection) within
 * what the connection counts as sent. */
static void check_segment(const struct net_tcp *t, uint32_t dst)
{
	uint8_t fl = t->flags;
	uint32_t end = t->seq + (uint32_t)t->len + ((fl & NET_TCP_SYN) ? 1u : 0u) +
		       ((fl & NET_TCP_FIN) ? 1u : 0u);
	struct net_tcp_conn *c = conn_of(dst, t->sport, t->dport);

	CHECK(t->sport != 0 && t->dport != 0);
	CHECK(t->len <= NET_TCP_MSS_MAX);
	CHECK((fl & NET_TCP_URG) == 0);
	if (fl & NET_TCP_RST)
		CHECK((fl & (NET_TCP_SYN | NET_TCP_FIN)) == 0 && t->len == 0);
	if (fl & NET_TCP_SYN)
		CHECK(t->len == 0 && (fl & NET_TCP_FIN) == 0 && t->mss != 0);
	CHECK((fl & NET_TCP_ACK) != 0 || (fl & (NET_TCP_SYN | NET_TCP_RST)) != 0);
	/* Nothing past snd_max (but a zero-window probe's byte, which the
	 * peer's ACK makes sent): else that ACK is dropped as acking what was
	 * never sent.  A segment of an older incarnation still in the ARP
	 * queue is not this connection's. */
	if (c != NULL && (fl & NET_TCP_RST) == 0 && end != t->seq &&
	    SEQ_LEQ(c->iss, t->seq))
		CHECK(SEQ_LEQ(end, c->snd_max) ||
		      (t->len == 1 && c->snd_una == c->snd_max &&
		       end == c->snd_max + 1u && c->snd_wnd == 0));
	last.valid = true;
	last.sport = t->sport;
	last.dport = t->dport;
	last.seq = t->seq;
	last.ack = t->ack;
	last.end = end;
}

static void check_sent(const uint8_t *f, size_t len)
{
	struct net_eth e;
	struct net_ipv4 ip;
	struct net_udp u;
	struct net_icmp m;
	struct net_arp a;
	struct net_tcp t;

	CHECK(len >= NET_ETH_HDR && len <= NET_FRAME_MAX);
	CHECK(net_eth_parse(f, len, &e) == 0);
	CHECK(net_mac_equal(e.src, mac_us));
	CHECK(!net_mac_equal(e.dst, (const uint8_t *)"\0\0\0\0\0\0"));
	switch (e.type) {
	case NET_ETHERTYPE_ARP:
		CHECK(net_arp_parse(e.payload, e.len, &a) == 0);
		CHECK(a.spa == IP_US && net_mac_equal(a.sha, mac_us));
		break;
	case NET_ETHERTYPE_IPV4:
		CHECK(net_ipv4_parse(e.payload, e.len, &ip) == 0);
		CHECK(ip.src == IP_US);
		CHECK(ip.len + NET_IPV4_HDR == e.len); /* no stray bytes */
		if (ip.proto == NET_IPPROTO_UDP) {
			CHECK(net_udp_parse(ip.payload, ip.len, ip.src, ip.dst,
					    &u) == 0);
			CHECK(u.len + NET_UDP_HDR == ip.len);
		} else if (ip.proto == NET_IPPROTO_TCP) {
			CHECK(net_tcp_parse(ip.payload, ip.len, ip.src, ip.dst,
					    &t) == 0);
			check_segment(&t, ip.dst);
		} else {
			CHECK(ip.proto == NET_IPPROTO_ICMP);
			CHECK(net_icmp_parse(ip.payload, ip.len, &m) == 0);
			CHECK(m.type == NET_ICMP_ECHO_REPLY);
		}
		break;
	default:
		CHECK(!"an unknown EtherType went out");
	}
}

static int fake_send(const void *frame, size_t len, kt_tick_t timeout)
{
	(void)timeout;
	check_sent(frame, len);
	return (int)len;
}

static int fake_recv(void *buf, size_t len, kt_tick_t timeout)
{
	(void)buf;
	(void)len;
	(void)timeout;
	return -ETIMEDOUT; /* the target calls net_input itself */
}

/* The task that opens pool[2]: outside a task net_tcp_connect cannot wait
 * for the handshake. */
static int connect_main(void *arg)
{
	int r = net_tcp_connect(&stack, &pool[2], IP_PEER, TCP_PEER_PORT,
				CONNECT_TIMEOUT);

	(void)arg;
	CHECK(r == 0 || r == -ETIMEDOUT || r == -ECONNREFUSED ||
	      r == -ECONNRESET || r == -ECANCELED || r == -ECONNABORTED);
	held[2] = r == 0;
	connecting = false;
	return r;
}

static void connect_start(void)
{
	CHECK(kt_task_spawn(&connector, "connect", connect_main, NULL,
			    connector_stack, sizeof(connector_stack), 1) == 0);
	connecting = true;
}

static void start(void)
{
	static const struct net_if nif = { fake_send, fake_recv };
	struct net_config cfg = {
		.ip = IP_US,
		.netmask = NET_IP4(255, 255, 255, 0),
		.gateway = NET_IP4(10, 0, 2, 2),
		.tick_hz = HZ,
	};

	kt_init(0);
	memcpy(cfg.mac, mac_us, 6);
	CHECK(net_init(&stack, &cfg, &nif) == 0);
	memset(sock, 0, sizeof(sock));
	CHECK(net_udp_bind(&stack, &sock[0], 7, slots[0], 3) == 0);
	CHECK(net_udp_bind(&stack, &sock[1], 9, slots[1], 3) == 0);
	CHECK(eth_port_init(&eth, port_slots, 2) == 0);
	eth.up = true;
	inputs = 0;
	memset(pool, 0, sizeof(pool));
	memset(&listener, 0, sizeof(listener));
	memset(held, 0, sizeof(held));
	memset(&last, 0, sizeof(last));
	for (int i = 0; i < 3; i++)
		CHECK(net_tcp_conn_init(&pool[i], rings[i][0], TCP_RING,
					rings[i][1], TCP_RING) == 0);
	CHECK(net_tcp_listen(&stack, &listener, TCP_PORT, pool, 2) == 0);
	listening = true;
	connect_start();
	kt_run_until_idle();
}

/* The receive interrupt of a MAC that puts 2 bytes before each frame. */
static void rx_isr(void *arg)
{
	struct eth_slot *s = eth_port_rx_slot_isr(&eth);

	(void)arg;
	CHECK(s != NULL); /* the target drains one frame at a time */
	memcpy((uint8_t *)s->data + 2, isr_frame, isr_len);
	eth_port_rx_commit_isr(&eth, s, 2, (unsigned)isr_len);
}

/* Through the driver half into the stack's own frame buffer. */
static void via_driver(const uint8_t *f, size_t len)
{
	uint8_t *rx = net_frame(&stack.rx);
	int n;

	isr_frame = f;
	isr_len = len;
	kt_host_isr(rx_isr, NULL);
	n = eth_port_recv(&eth, rx, NET_FRAME_MAX, KT_NOWAIT);
	CHECK(n == (int)len && memcmp(rx, f, len) == 0);
	net_input(&stack, rx, (size_t)n);
}

static void check_rings(void)
{
	for (int i = 0; i < 2; i++) {
		CHECK(sock[i].head - sock[i].tail <= sock[i].nslots);
		CHECK(kt_sem_count(&sock[i].ready) == sock[i].head - sock[i].tail);
	}
}

static void echo_one(int i)
{
	uint8_t buf[NET_UDP_PAYLOAD_MAX];
	uint32_t ip;
	uint16_t port;
	int n = net_udp_recv(&sock[i], buf, sizeof(buf), &ip, &port, KT_NOWAIT);

	if (n < 0) {
		CHECK(n == -EAGAIN);
		return;
	}
	n = net_udp_sendto(&sock[i], ip, port, buf, (size_t)n, KT_NOWAIT);
	CHECK(n >= 0 || n == -EINVAL || n == -ENOBUFS || n == -ENETUNREACH);
}

static void send_to(int i, const uint8_t *p, size_t left, size_t *used)
{
	static uint8_t data[NET_UDP_PAYLOAD_MAX];
	size_t len;
	uint32_t ip;
	int n;

	if (left < 5) {
		*used = left;
		return;
	}
	len = 1u + (size_t)p[0] * 8u;
	ip = net_get32(p + 1);
	*used = 5;
	memset(data, p[0], sizeof(data));
	n = net_udp_sendto(&sock[i], ip, 7, data, len, KT_NOWAIT);
	CHECK(n == (int)len || n == -EINVAL || n == -ENOBUFS ||
	      n == -ENETUNREACH || n == -EMSGSIZE);
	CHECK(n != -EMSGSIZE || len > NET_UDP_PAYLOAD_MAX);
}

/* The Internet checksum of p[0..n) on top of sum. */
static uint16_t csum(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint16_t l4_csum(const uint8_t *ip, uint8_t proto, const uint8_t *l4, size_t n)
{
	uint32_t sum = (uint32_t)proto + (uint32_t)n;

	for (int i = 12; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	return csum(sum, l4, n);
}

/* The record's edits of an IPv4 frame (see the top of the file). */
static void fix_frame(uint8_t *f, size_t len, uint8_t op)
{
	uint8_t *ip = f + NET_ETH_HDR, *l4;
	size_t ihl, n;
	uint16_t c;

	if (len < NET_ETH_HDR + NET_IPV4_HDR ||
	    net_get16(f + 12) != NET_ETHERTYPE_IPV4 || (ip[0] >> 4) != 4)
		return;
	n = len - NET_ETH_HDR;
	ihl = (size_t)(ip[0] & 15u) * 4u;
	if (ihl < NET_IPV4_HDR || ihl > n)
		return;
	net_put16(ip + 2, (uint16_t)n);
	net_put16(ip + 10, 0);
	net_put16(ip + 10, csum(0, ip, ihl));
	l4 = ip + ihl;
	n -= ihl;
	if (ip[9] == NET_IPPROTO_TCP && n >= NET_TCP_HDR) {
		if (last.valid && (op & 0x10))
			net_put32(l4 + 8, last.end);
		if (last.valid && (op & 0x08))
			net_put32(l4 + 4, last.ack);
		if (last.valid && (op & 0x04)) {
			net_put16(l4, last.dport);
			net_put16(l4 + 2, last.sport);
		}
		net_put16(l4 + 16, 0);
		net_put16(l4 + 16, l4_csum(ip, NET_IPPROTO_TCP, l4, n));
	} else if (ip[9] == NET_IPPROTO_UDP && n >= NET_UDP_HDR) {
		net_put16(l4 + 4, (uint16_t)n);
		net_put16(l4 + 6, 0);
		c = l4_csum(ip, NET_IPPROTO_UDP, l4, n);
		net_put16(l4 + 6, c != 0 ? c : 0xffffu);
	}
}

/* A connection's invariants (tcp.c's comments and tcp.h). */
static void check_conn(int i)
{
	const struct net_tcp_conn *c = &pool[i];
	uint8_t st = c->state;
	bool linked = false;
	unsigned n = 0;

	CHECK(st <= NET_TCP_TIME_WAIT);
	CHECK(c->rx_cap == TCP_RING && c->tx_cap == TCP_RING);
	CHECK(c->tx_len <= c->tx_cap && c->rx_len <= c->rx_cap);
	CHECK(c->tx_head < c->tx_cap && c->rx_head < c->rx_cap);
	CHECK(SEQ_LEQ(c->snd_una, c->snd_nxt) && SEQ_LEQ(c->snd_nxt, c->snd_max));
	for (const struct net_tcp_conn *p = stack.conns; p != NULL; p = p->next) {
		CHECK(++n <= 3);
		linked |= p == c;
	}
	CHECK(linked == (st != NET_TCP_CLOSED));
	CHECK(c->listener == (i < 2 && listening ? &listener : NULL));
	if (c->in_accept)
		CHECK(!c->owned && st >= NET_TCP_ESTABLISHED &&
		      c->listener == &listener);
	if (i != 2 || !connecting)
		CHECK(c->owned == held[i]);
	if (st == NET_TCP_CLOSED) {
		CHECK(!kt_timer_active(&c->timer));
		return;
	}
	if (st == NET_TCP_TIME_WAIT) {
		CHECK(kt_timer_active(&c->timer));
		return;
	}
	/* Something outstanding, or data the peer's shut window holds back:
	 * the retransmission (or persist) timer runs, or it hangs. */
	if (c->snd_una != c->snd_max ||
	    (c->snd_wnd == 0 && c->tx_len > c->snd_nxt - c->snd_una))
		CHECK(kt_timer_active(&c->timer));
	if (st >= NET_TCP_SYN_RECEIVED)
		CHECK(c->mss >= 64 && c->mss <= NET_TCP_MSS_MAX);
	if (st < NET_TCP_ESTABLISHED)
		return;
	CHECK(c->snd_una != c->iss);
	CHECK(c->snd_max - c->snd_una <= c->tx_len + (c->fin_queued ? 1u : 0u));
	if (c->fin_queued)
		CHECK(c->snd_una + c->tx_len == c->fin_seq ||
		      (c->tx_len == 0 && c->snd_una == c->fin_seq + 1u));
	/* The right edge offered never moves left. */
	CHECK(SEQ_LEQ(c->rcv_adv, c->rcv_nxt + (c->rx_cap - c->rx_len)));
}

static void check_tcp(void)
{
	static int trace = -1; /* FUZZ_TRACE=1: the states after each record */

	if (trace < 0)
		trace = getenv("FUZZ_TRACE") != NULL;
	for (int i = 0; i < 3; i++) {
		check_conn(i);
		if (trace)
			fprintf(stderr, "%s%-12s%s", i == 0 ? "tcp: " : "",
				net_tcp_state_name(pool[i].state),
				i == 2 ? "\n" : " ");
	}
}

static bool recv_ok(int r, size_t n)
{
	return (r >= 0 && (size_t)r <= n) || r == -EAGAIN || r == -ECONNRESET ||
	       r == -ENOTCONN || r == -ETIMEDOUT || r == -ECONNABORTED ||
	       r == -ECONNREFUSED;
}

static bool send_ok(int r, size_t n)
{
	return (r > 0 && (size_t)r <= n) || r == -EAGAIN || r == -EPIPE ||
	       r == -ECONNRESET || r == -ENOTCONN;
}

/* A TCP application record (see the top of the file). */
static void tcp_app(uint8_t op, const uint8_t *p, size_t left, size_t *used)
{
	static uint8_t buf[TCP_RING + 1];
	unsigned target = (op >> 3) & 3u, act = op & 7u;
	struct net_tcp_conn *c;
	size_t n = left != 0 ? 1u + p[0] : TCP_RING;
	int r;

	if (target == 3) {
		if (act < 4) {
			r = net_tcp_accept(&listener, &c, KT_NOWAIT);
			CHECK(r == 0 || r == -EAGAIN || (r == -EINVAL && !listening));
			if (r == 0) {
				CHECK(c == &pool[0] || c == &pool[1]);
				CHECK(!held[c - pool] && c->owned);
				held[c - pool] = true;
			}
		} else if (act < 6) {
			if (listening) {
				CHECK(net_tcp_unlisten(&listener) == 0);
				listening = false;
			} else {
				r = net_tcp_listen(&stack, &listener, TCP_PORT,
						   pool, 2);
				/* -EADDRINUSE: a connection it gave up still
				 * runs on the port */
				CHECK(r == 0 || r == -EINVAL || r == -EADDRINUSE);
				listening = r == 0;
			}
		} else if (!connecting && !held[2] && pool[2].state == NET_TCP_CLOSED) {
			connect_start();
		}
		return;
	}
	c = &pool[target];
	if (act == 1 || act == 0)
		*used = left != 0 ? 1 : 0;
	if (!held[target])
		return;
	switch (act) {
	case 0:
	case 6:
	case 7:
		if (act != 0)
			n = TCP_RING;
		r = net_tcp_recv(c, buf, n, KT_NOWAIT);
		CHECK(recv_ok(r, n));
		break;
	case 1:
		memset(buf, (int)n, n);
		r = net_tcp_send(c, buf, n, KT_NOWAIT);
		CHECK(send_ok(r, n));
		break;
	case 2:
		r = net_tcp_recv(c, buf, TCP_RING, KT_NOWAIT);
		CHECK(recv_ok(r, TCP_RING));
		if (r > 0) {
			n = (size_t)r;
			r = net_tcp_send(c, buf, n, KT_NOWAIT);
			CHECK(send_ok(r, n));
		}
		break;
	case 3:
	case 4:
		CHECK(net_tcp_close(c) == 0);
		held[target] = false;
		break;
	default:
		CHECK(net_tcp_abort(c) == 0);
		held[target] = false;
		break;
	}
}

/* Every connection given up: the application's, the connector's, the
 * listener's. */
static void tcp_teardown(void)
{
	if (connecting) {
		CHECK(kt_task_cancel(&connector) >= 0);
		kt_run_until_idle();
		CHECK(!connecting);
	}
	for (int i = 0; i < 3; i++) {
		if (held[i]) {
			CHECK(net_tcp_abort(&pool[i]) == 0);
			held[i] = false;
		}
	}
	if (listening) {
		CHECK(net_tcp_unlisten(&listener) == 0);
		listening = false;
	}
	check_tcp();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t at = 0;

	start();
	while (at < size) {
		uint8_t op = data[at++];
		size_t used = 0;

		if (op < 0x80) {
			size_t len = 0;
			uint8_t *f;

			if (size - at >= 2)
				len = (size_t)(data[at] | (data[at + 1] << 8)) % 2048u;
			at += size - at >= 2 ? 2 : size - at;
			if (len > size - at)
				len = size - at;
			f = malloc(len != 0 ? len : 1);
			CHECK(f != NULL);
			memcpy(f, data + at, len);
			if (op & 0x3c)
				fix_frame(f, len, op);
			if ((op & 0x40) && len >= NET_ETH_HDR && len <= NET_FRAME_MAX)
				via_driver(f, len);
			else
				net_input(&stack, f, len);
			free(f);
			inputs++;
			CHECK(stack.stats.rx_frames == inputs);
			/* Each frame in exactly one outcome (net.h), but an echo
			 * whose reply the interface refused (in tx_errors). */
			CHECK(outcomes() <= inputs &&
			      inputs - outcomes() <= stack.stats.tx_errors);
			used = len;
		} else if (op < 0xc0) {
			kt_host_tick((kt_tick_t)(op & 0x3fu) * 16u);
		} else if (op & 0x20) {
			tcp_app(op, data + at, size - at, &used);
		} else if (op & 2) {
			send_to(op & 1, data + at, size - at, &used);
		} else {
			echo_one(op & 1);
		}
		at += used;
		kt_run_until_idle();
		check_rings();
		check_tcp();
	}
	tcp_teardown();
	/* Time passes: every frame waiting for an address is sent or dropped
	 * (but a connection its owner closed still runs, and may queue new
	 * ones). */
	if (net_arp_queue_count(&stack.pending) != 0)
		kt_host_tick(NET_ARP_TRIES * (NET_ARP_RETRY_MS * HZ / 1000u) + 1u);
	check_tcp();
	if (stack.conns == NULL) {
		CHECK(net_arp_queue_count(&stack.pending) == 0);
		CHECK(!kt_timer_active(&stack.arp_timer));
	}
	/* Drain: every ring empties and stays consistent. */
	for (int i = 0; i < 2; i++) {
		uint8_t b[8];

		while (net_udp_recv(&sock[i], b, sizeof(b), NULL, NULL, KT_NOWAIT) >= 0)
			;
		CHECK(sock[i].head == sock[i].tail);
	}
	check_rings();
	CHECK(kt_sem_count(&eth.rx_ready) == 0 && eth.head == eth.tail);
	return 0;
}
