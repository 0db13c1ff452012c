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
 *              and the stack's receive call takes it out;
 *   0x80-0xbf  time passes: (op & 0x3f) * 16 ticks, timers fire;
 *   0xc0-0xff  the application: take one datagram from socket (op & 1)
 *              and send it back to its source, as the demo's echo does,
 *              or, with op & 2, send 1 + next byte * 8 bytes to the
 *              address in the next 4 bytes.
 * Each input starts from a fresh kernel and stack (our address
 * 10.0.2.15/24, gateway 10.0.2.2, MAC 52:54:00:12:34:56, sockets on
 * ports 7 and 9).  Frames get an exact-size heap copy, so ASan sees any
 * read past the end.
 *
 * Beyond the sanitizers, the target aborts on a broken promise: every
 * frame the stack sends must be 14..1514 bytes from our MAC and parse
 * cleanly with our own parsers (valid IPv4 and UDP checksums, an ARP from
 * our address, an echo reply); every input must be counted in rx_frames
 * and in exactly one outcome (net_counters);
 * a socket's semaphore must match its ring; and after time passes every
 * queued frame must be gone (no stuck queue), after draining every ring
 * must be empty.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eth_port.h"
#include "net.h"
#include "port_host.h"

#define IP_US NET_IP4(10, 0, 2, 15)
#define HZ 1000u

static const uint8_t mac_us[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static struct net_stack stack;
static struct net_udp_socket sock[2];
static struct net_udp_slot slots[2][3];
static unsigned inputs;
static struct eth_port eth;
static struct eth_slot port_slots[2];
static const uint8_t *isr_frame;
static size_t isr_len;

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

static void check_sent(const uint8_t *f, size_t len)
{
	struct net_eth e;
	struct net_ipv4 ip;
	struct net_udp u;
	struct net_icmp m;
	struct net_arp a;

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
		} else if (op & 2) {
			send_to(op & 1, data + at, size - at, &used);
		} else {
			echo_one(op & 1);
		}
		at += used;
		check_rings();
	}
	/* Time passes: every frame waiting for an address is sent or dropped. */
	if (net_arp_queue_count(&stack.pending) != 0)
		kt_host_tick(NET_ARP_TRIES * (NET_ARP_RETRY_MS * HZ / 1000u) + 1u);
	CHECK(net_arp_queue_count(&stack.pending) == 0);
	CHECK(!kt_timer_active(&stack.arp_timer));
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
