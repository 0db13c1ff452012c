/*
 * The board's Ethernet and the stack on the target, with no peer: the
 * PHY loops every frame sent back into the receive path.
 *
 * Driver: frames of every awkward size (14 bytes, around the 60-byte
 * minimum, odd lengths, 1514) come back byte-exact (short ones padded
 * with zeros to 60, as a wire does); every frame sent is
 * reported by a transmit-complete interrupt; a broadcast passes the MAC's
 * filter and another station's unicast does not; twelve frames into an
 * eight-slot ring drop the last four (counted) and deliver the first
 * eight in order, after which the ring works as before; a receiver blocks
 * (no CPU) until the receive interrupt completes its wait, times out, and
 * is cancelled; a buffer too small and bad lengths are refused.
 *
 * Stack: two tasks each own a UDP socket and get their own datagrams
 * (sent to our own address, which needs no ARP), up to 1472 bytes
 * byte-exact; a ping to ourselves is answered; bad frames injected
 * through the driver are dropped under their counters and the stack
 * still works after them.
 */
#include <stdio.h>
#include <string.h>

#include "board_eth.h"
#include "net.h"
#include "scenario.h"

#define STACK 2048
#define IP_US NET_IP4(192, 0, 2, 10)
#define ETHERTYPE_TEST 0x88b5u /* IEEE local experimental */

static struct kt_task main_task, helper_task, net_task, owner_tasks[2];
static uint8_t main_stack[STACK], helper_stack[STACK], net_stack_mem[STACK];
static uint8_t owner_stacks[2][STACK];
static uint8_t mac[6];
static uint8_t tx[BOARD_ETH_FRAME_MAX + 1], rx[BOARD_ETH_FRAME_MAX + 1];

static size_t test_frame(const uint8_t *dst, uint32_t seq, size_t len)
{
	net_eth_build(tx, sizeof(tx), dst, mac, ETHERTYPE_TEST);
	for (size_t i = 14; i < len; i++)
		tx[i] = (uint8_t)(seq * 7u + i * 13u);
	if (len >= 18)
		net_put32(tx + 14, seq);
	return len;
}

/* The counters now, in one static copy: a struct per call would put one
 * on the caller's frame each time, past the frame limit. */
static const struct board_eth_stats *stats(void)
{
	static struct board_eth_stats s;

	board_eth_stats(&s);
	return &s;
}

/* ---- helpers run as tasks ------------------------------------------------------ */

static volatile int helper_result;
static volatile kt_tick_t helper_woke;

static int blocked_receiver(void *arg)
{
	static uint8_t b[BOARD_ETH_FRAME_MAX];

	helper_result = board_eth_recv(b, sizeof(b), (kt_tick_t)(uintptr_t)arg);
	helper_woke = kt_now();
	return helper_result;
}

static void driver_tests(void)
{
	static const size_t sizes[] = { 14, 15, 16, 17,  59,   60,   61,
					62, 63, 64, 100, 1000, 1513, 1514 };
	static const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x77 };
	struct board_eth_stats s0, s1;
	kt_tick_t t0;
	int n;

	s0 = *stats();
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t len = test_frame(mac, (uint32_t)i, sizes[i]);

		/* The link pads short frames to the 60-byte minimum. */
		size_t want = len < 60 ? 60 : len;

		SC_CHECK_EQ(board_eth_send(tx, len, 10), (int)len);
		n = board_eth_recv(rx, sizeof(rx), 10);
		SC_CHECK_EQ(n, (int)want);
		SC_CHECK(n == (int)want && memcmp(rx, tx, len) == 0);
		for (size_t j = len; j < want; j++)
			SC_CHECK_EQ(rx[j], 0);
	}
	s1 = *stats();
	SC_CHECK_EQ(s1.tx_frames - s0.tx_frames, 14);
	SC_CHECK_EQ(s1.rx_frames - s0.rx_frames, 14);
	SC_CHECK_EQ(s1.tx_done - s0.tx_done, 14); /* one completion interrupt each */
	SC_CHECK(s1.irqs - s0.irqs >= 14);
	SC_CHECK_EQ(s1.rx_errors + s1.tx_errors + s1.rx_dropped, 0);

	/* The MAC's filter: broadcast in, another station's unicast out. */
	test_frame(net_mac_broadcast, 100, 60);
	SC_CHECK_EQ(board_eth_send(tx, 60, 10), 60);
	SC_CHECK_EQ(board_eth_recv(rx, sizeof(rx), 10), 60);
	s0 = *stats();
	test_frame(other, 101, 60);
	SC_CHECK_EQ(board_eth_send(tx, 60, 10), 60);
	SC_CHECK_EQ(board_eth_recv(rx, sizeof(rx), 5), -ETIMEDOUT);
	s1 = *stats();
	/* Filtered where the MAC tells (LAN9118); else the stack's to drop. */
	SC_CHECK_EQ(s1.rx_filtered - s0.rx_filtered + s1.rx_frames - s0.rx_frames, 1);

	/* Twelve into eight slots: the first eight stay, in order. */
	s0 = *stats();
	for (uint32_t i = 0; i < 12; i++) {
		test_frame(mac, 200 + i, 100);
		SC_CHECK_EQ(board_eth_send(tx, 100, 10), 100);
	}
	s1 = *stats();
	SC_CHECK_EQ(s1.rx_dropped - s0.rx_dropped, 4);
	for (uint32_t i = 0; i < 8; i++) {
		SC_CHECK_EQ(board_eth_recv(rx, sizeof(rx), 0), 100);
		SC_CHECK_EQ(net_get32(rx + 14), 200 + i);
	}
	SC_CHECK_EQ(board_eth_recv(rx, sizeof(rx), 0), -ETIMEDOUT);
	test_frame(mac, 300, 1514);
	SC_CHECK_EQ(board_eth_send(tx, 1514, 10), 1514);
	SC_CHECK_EQ(board_eth_recv(rx, sizeof(rx), 10), 1514);
	SC_CHECK_EQ(net_get32(rx + 14), 300);

	/* Refusals. */
	test_frame(mac, 400, 200);
	board_eth_send(tx, 200, 10);
	SC_CHECK_EQ(board_eth_recv(rx, 100, 10), -EMSGSIZE);
	SC_CHECK_EQ(stats()->rx_short_buf, 1);
	SC_CHECK_EQ(stats()->rx_errors, 0);
	SC_CHECK_EQ(board_eth_recv(rx, sizeof(rx), 0), -ETIMEDOUT); /* consumed */
	SC_CHECK_EQ(board_eth_send(tx, 13, 10), -EINVAL);
	SC_CHECK_EQ(board_eth_send(tx, BOARD_ETH_FRAME_MAX + 1, 10), -EINVAL);
	SC_CHECK_EQ(board_eth_send(NULL, 60, 10), -EINVAL);
	SC_CHECK_EQ(board_eth_recv(NULL, 60, 10), -EINVAL);

	/* A receiver blocks, and the receive interrupt wakes it. */
	helper_result = 1;
	SC_CHECK_EQ(kt_task_spawn(&helper_task, "rx", blocked_receiver,
				  (void *)KT_FOREVER, helper_stack, STACK, 5),
		    0);
	kt_sleep(5);
	SC_CHECK_EQ(helper_task.state, KT_BLOCKED);
	SC_CHECK_EQ(helper_task.wait, KT_WAIT_SEM);
	t0 = kt_now();
	test_frame(mac, 500, 77);
	SC_CHECK_EQ(board_eth_send(tx, 77, 10), 77);
	kt_yield(); /* the woken receiver is higher: it runs now */
	SC_CHECK_EQ(helper_result, 77);
	SC_CHECK(helper_woke - t0 <= 1);
	kt_task_join(&helper_task, NULL, 10);

	/* Timeout, then cancel. */
	t0 = kt_now();
	SC_CHECK_EQ(board_eth_recv(rx, sizeof(rx), 7), -ETIMEDOUT);
	SC_CHECK(kt_now() - t0 >= 7);
	kt_task_spawn(&helper_task, "rx", blocked_receiver, (void *)KT_FOREVER,
		      helper_stack, STACK, 5);
	kt_sleep(2);
	SC_CHECK_EQ(kt_task_cancel(&helper_task), 0);
	kt_sleep(1);
	SC_CHECK_EQ(helper_result, -ECANCELED);
	printf("net_loop: driver ok (%lu frames out, %lu in, %lu dropped, %lu irqs)\n",
	       (unsigned long)stats()->tx_frames, (unsigned long)stats()->rx_frames,
	       (unsigned long)stats()->rx_dropped, (unsigned long)stats()->irqs);
}

/* ---- the stack ---------------------------------------------------------------- */

static struct net_stack stack;
static struct net_udp_socket socks[2];
static struct net_udp_slot slots[2][2];
static uint8_t payload[NET_UDP_PAYLOAD_MAX];

struct got {
	int n;
	uint16_t port;
	uint8_t data[NET_UDP_PAYLOAD_MAX];
};
static struct got got[2];

static int owner(void *arg)
{
	int i = (int)(intptr_t)arg;
	uint32_t ip;

	got[i].n = net_udp_recv(&socks[i], got[i].data, sizeof(got[i].data),
				&ip, &got[i].port, KT_TICK_HZ);
	return ip == IP_US ? 0 : -EINVAL;
}

static void send_raw_ping(void)
{
	uint8_t *m = tx + 34;
	struct net_ipv4 h = { .proto = NET_IPPROTO_ICMP,
			      .ttl = 64,
			      .id = 9,
			      .src = IP_US,
			      .dst = IP_US };

	net_eth_build(tx, sizeof(tx), mac, mac, NET_ETHERTYPE_IPV4);
	memset(m, 0, 8);
	m[0] = NET_ICMP_ECHO_REQUEST;
	net_put16(m + 6, 1);
	memcpy(m + 8, "kettle ping", 11);
	net_put16(m + 2, net_csum(m, 19));
	net_ipv4_build(tx + 14, sizeof(tx) - 14, &h, 19);
	SC_CHECK_EQ(board_eth_send(tx, 14 + 20 + 19, 10), 14 + 20 + 19);
}

static void stack_tests(void)
{
	const struct net_if nif = { board_eth_send, board_eth_recv };
	struct net_config cfg = { .ip = IP_US,
				  .netmask = NET_IP4(255, 255, 255, 0),
				  .tick_hz = KT_TICK_HZ };
	static struct net_stats st; /* static: the frame stays small */

	memcpy(cfg.mac, mac, 6);
	SC_CHECK_EQ(net_init(&stack, &cfg, &nif), 0);
	SC_CHECK_EQ(net_start(&stack, &net_task, net_stack_mem, STACK, 4), 0);
	SC_CHECK_EQ(net_udp_bind(&stack, &socks[0], 7, slots[0], 2), 0);
	SC_CHECK_EQ(net_udp_bind(&stack, &socks[1], 9, slots[1], 2), 0);
	for (int i = 0; i < 2; i++)
		kt_task_spawn(&owner_tasks[i], i ? "own9" : "own7", owner,
			      (void *)(intptr_t)i, owner_stacks[i], STACK, 3);
	kt_sleep(2);
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 29u + 3u);
	SC_CHECK_EQ(net_udp_sendto(&socks[1], IP_US, 7, payload, sizeof(payload), 10),
		    (int)sizeof(payload));
	SC_CHECK_EQ(net_udp_sendto(&socks[0], IP_US, 9, "nine", 4, 10), 4);
	SC_CHECK_EQ(kt_task_join(&owner_tasks[0], NULL, 100), 0);
	SC_CHECK_EQ(kt_task_join(&owner_tasks[1], NULL, 100), 0);
	SC_CHECK_EQ(got[0].n, (int)sizeof(payload));
	SC_CHECK(memcmp(got[0].data, payload, sizeof(payload)) == 0);
	SC_CHECK_EQ(got[0].port, 9);
	SC_CHECK_EQ(got[1].n, 4);
	SC_CHECK(memcmp(got[1].data, "nine", 4) == 0);
	SC_CHECK_EQ(got[1].port, 7);

	/* A ping to ourselves: the stack answers, the answer comes back. */
	send_raw_ping();
	kt_sleep(2);
	net_get_stats(&stack, &st);
	SC_CHECK_EQ(st.icmp_echo_replied, 1);
	SC_CHECK_EQ(st.icmp_other, 1); /* our own reply, back through the loop */

	/* Bad frames through the real path: counted, and no harm done. */
	memcpy(rx, tx, 53);
	rx[14 + 12] ^= 1; /* IP checksum */
	board_eth_send(rx, 53, 10);
	memcpy(rx, tx, 53);
	net_put16(rx + 16, 1400); /* total length lies */
	net_put16(rx + 24, 0);
	net_put16(rx + 24, net_csum(rx + 14, 20));
	board_eth_send(rx, 53, 10);
	board_eth_send(rx, 20, 10); /* truncated IPv4 */
	kt_sleep(2);
	net_get_stats(&stack, &st);
	SC_CHECK_EQ(st.ip_bad_csum, 1);
	SC_CHECK_EQ(st.ip_bad, 2);
	SC_CHECK_EQ(net_udp_sendto(&socks[0], IP_US, 7, "after", 5, 10), 5);
	SC_CHECK_EQ(net_udp_recv(&socks[0], got[0].data, sizeof(got[0].data),
				 NULL, NULL, 100),
		    5);
	printf("net_loop: stack ok (%lu frames in, %lu udp delivered)\n",
	       (unsigned long)st.rx_frames, (unsigned long)stack.stats.udp_rx);
}

static int run(void *arg)
{
	(void)arg;
	SC_CHECK_EQ(board_eth_recv(rx, sizeof(rx), 0), -ENODEV);
	SC_CHECK_EQ(board_eth_send(tx, 60, 0), -ENODEV);
	SC_CHECK_EQ(board_eth_init(), 0);
	SC_CHECK_EQ(board_eth_init(), 0);
	board_eth_mac(mac);
	SC_CHECK(net_mac_is_unicast(mac));
	printf("net_loop: MAC %02x:%02x:%02x:%02x:%02x:%02x\n", mac[0], mac[1],
	       mac[2], mac[3], mac[4], mac[5]);
	if (board_eth_loopback(true) == -ENOTSUP) {
		printf("net_loop: SKIP: this board's PHY cannot loop back\n");
		sc_finish();
	}
	driver_tests();
	stack_tests();
	SC_CHECK_EQ(board_eth_loopback(false), 0);
	sc_finish();
}

int main(void)
{
	kt_init(0);
	sc_begin("net_loop");
	sc_watchdog(10 * KT_TICK_HZ);
	kt_task_spawn(&main_task, "main", run, NULL, main_stack, STACK, 2);
	kt_run();
}
