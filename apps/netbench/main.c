/*
 * The network benchmark image: instructions per UDP echo, frame in to
 * frame out, and echoes per second, under qemu -icount (make bench).
 *
 * The PHY loops back, so the board talks to itself with no host in the
 * loop and the numbers are exact and repeatable.  One datagram is put in
 * flight from our address and port 7 to our address and port 7; the echo
 * task answers it, which sends it to itself again, and so on: each round
 * is exactly one frame in (the receive interrupt fills a ring slot, the
 * stack's task parses it and fills the socket's ring, the echo task wakes
 * and takes it) and one frame out (the echo task builds the reply, the
 * driver writes it to the MAC), with no idle time in between.  Under
 * -icount shift=3 each instruction is 8 ns of virtual time, so the
 * cycle counter gives instructions exactly: instr = cycles x 125 MHz /
 * board_cycles_hz().  The tick is off while it measures.
 *
 * For scale, the same measurement for the bare driver: a task sends a
 * frame and receives it back.
 *
 * TCP: a connection from the board to itself (a client task connects to
 * our own address, port 9, where a listener's task reads and discards)
 * carries TCP_BYTES; reported are bytes per second of guest time, the
 * instructions per segment (all of them, data and ACKs, both ends: the
 * segments the stack sent in that time), and the RAM a connection takes.
 *
 * Output, read by tests/qemu/bench.py: "bench <name> <value> <unit>".
 */
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "board_eth.h"
#include "net.h"

#define STACK 2048
#define ROUNDS 2000u
#define WARMUP 16u
#define IP_US NET_IP4(192, 0, 2, 10)
#define ECHO_PORT 7
#define INSTR_HZ 125000000u /* -icount shift=3: 8 ns per instruction */

static struct kt_task net_task, echo_task, driver_task;
static uint8_t net_task_stack[STACK], echo_stack[STACK], driver_stack[STACK];
static struct net_stack stack;
static struct net_udp_socket sock;
static struct net_udp_slot slots[2];
static uint8_t buf[NET_UDP_PAYLOAD_MAX];
static volatile uint32_t rounds, t0, t1;

#define SINK_PORT 9
#define TCP_BYTES (4u << 20)
#define TCP_RING 8192
static struct kt_task client_task, sink_task;
static uint8_t client_stack[STACK], sink_stack[STACK];
static struct net_tcp_listener sink_l;
static struct net_tcp_conn sink_conn, client_conn;
static uint8_t sink_rx[TCP_RING], sink_tx[512], client_rx[512], client_tx[TCP_RING];
static volatile uint32_t sunk;

static void report(const char *name, uint32_t cycles, uint32_t n, size_t bytes)
{
	uint64_t instr_x100 = (uint64_t)cycles * (INSTR_HZ / 1000u) * 100u /
			      (board_cycles_hz() / 1000u) / n;
	uint64_t per_s = (uint64_t)n * board_cycles_hz() / cycles;

	printf("bench %s-%uB %lu.%02lu instr\n", name, (unsigned)bytes,
	       (unsigned long)(instr_x100 / 100),
	       (unsigned long)(instr_x100 % 100));
	printf("bench %s-%uB-rate %lu /s\n", name, (unsigned)bytes,
	       (unsigned long)per_s);
}

/* Echo everything back to where it came from, timing ROUNDS of it. */
static int echo(void *arg)
{
	(void)arg;
	for (;;) {
		uint32_t ip;
		uint16_t port;
		int n = net_udp_recv(&sock, buf, sizeof(buf), &ip, &port, KT_FOREVER);

		if (n < 0)
			return n;
		rounds++;
		if (rounds == WARMUP)
			t0 = board_cycles();
		if (rounds == WARMUP + ROUNDS) {
			t1 = board_cycles();
			return 0; /* the datagram stops here */
		}
		net_udp_sendto(&sock, ip, port, buf, (size_t)n, KT_FOREVER);
	}
}

static void udp_echo(size_t bytes)
{
	rounds = 0;
	memset(buf, 0x5a, bytes);
	kt_task_spawn(&echo_task, "echo", echo, NULL, echo_stack, STACK, 4);
	net_udp_sendto(&sock, IP_US, ECHO_PORT, buf, bytes, KT_FOREVER);
	kt_task_join(&echo_task, NULL, KT_FOREVER);
	report("udp-echo", t1 - t0, ROUNDS, bytes);
}

/* The bare driver: send a frame, take it back. */
static volatile size_t frame_len;

static int driver_loop(void *arg)
{
	static uint8_t f[BOARD_ETH_FRAME_MAX], g[BOARD_ETH_FRAME_MAX];
	uint8_t mac[6];
	(void)arg;

	board_eth_mac(mac);
	net_eth_build(f, sizeof(f), mac, mac, 0x88b5u);
	for (uint32_t i = 0; i < WARMUP + ROUNDS; i++) {
		if (i == WARMUP)
			t0 = board_cycles();
		board_eth_send(f, frame_len, KT_FOREVER);
		board_eth_recv(g, sizeof(g), KT_FOREVER);
	}
	t1 = board_cycles();
	return 0;
}

static void driver_round_trip(size_t len)
{
	frame_len = len;
	kt_task_spawn(&driver_task, "driver", driver_loop, NULL, driver_stack,
		      STACK, 4);
	kt_task_join(&driver_task, NULL, KT_FOREVER);
	report("eth-send-recv", t1 - t0, ROUNDS, len);
}

static int sink(void *arg)
{
	struct net_tcp_conn *c;
	int n;
	(void)arg;

	if (net_tcp_accept(&sink_l, &c, KT_FOREVER) != 0)
		return -1;
	while ((n = net_tcp_recv(c, buf, sizeof(buf), KT_FOREVER)) > 0) {
		sunk += (uint32_t)n;
		if (sunk == TCP_BYTES)
			t1 = board_cycles();
	}
	net_tcp_close(c);
	return n;
}

static int client(void *arg)
{
	int err = net_tcp_connect(&stack, &client_conn, IP_US, SINK_PORT, KT_FOREVER);
	(void)arg;

	if (err != 0)
		return err;
	t0 = board_cycles();
	for (uint32_t sent = 0; sent < TCP_BYTES; sent += NET_TCP_MSS_MAX) {
		size_t n = TCP_BYTES - sent < NET_TCP_MSS_MAX ? TCP_BYTES - sent :
								NET_TCP_MSS_MAX;

		if (net_tcp_send(&client_conn, buf, n, KT_FOREVER) != (int)n)
			return -1;
	}
	return net_tcp_close(&client_conn);
}

static void tcp_stream(void)
{
	static struct net_stats a, b; /* static: the frame stays small */
	uint32_t cycles, segs;
	uint64_t instr, per_s;

	net_tcp_conn_init(&sink_conn, sink_rx, sizeof(sink_rx), sink_tx,
			  sizeof(sink_tx));
	net_tcp_conn_init(&client_conn, client_rx, sizeof(client_rx), client_tx,
			  sizeof(client_tx));
	net_tcp_listen(&stack, &sink_l, SINK_PORT, &sink_conn, 1);
	memset(buf, 0xa5, NET_TCP_MSS_MAX);
	kt_task_spawn(&sink_task, "sink", sink, NULL, sink_stack, STACK, 4);
	kt_task_spawn(&client_task, "client", client, NULL, client_stack, STACK, 3);
	net_get_stats(&stack, &a);
	kt_task_join(&client_task, NULL, KT_FOREVER);
	kt_task_join(&sink_task, NULL, KT_FOREVER);
	net_get_stats(&stack, &b);
	cycles = t1 - t0;
	segs = b.tcp_tx - a.tcp_tx;
	instr = (uint64_t)cycles * (INSTR_HZ / 1000u) / (board_cycles_hz() / 1000u);
	per_s = (uint64_t)TCP_BYTES * board_cycles_hz() / cycles;
	printf("bench tcp-stream-bytes %lu B\n", (unsigned long)sunk);
	printf("bench tcp-stream-rate %lu B/s\n", (unsigned long)per_s);
	printf("bench tcp-segment %lu instr\n", (unsigned long)(instr / segs));
	printf("bench tcp-segments %lu segs\n", (unsigned long)segs);
	printf("bench tcp-retransmits %lu segs\n",
	       (unsigned long)(b.tcp_retransmits - a.tcp_retransmits +
			       b.tcp_fast_retransmits - a.tcp_fast_retransmits));
	printf("bench tcp-conn-ram %lu B\n",
	       (unsigned long)sizeof(struct net_tcp_conn));
}

static int run(void *arg)
{
	const struct net_if nif = { board_eth_send, board_eth_recv };
	struct net_config cfg = { .ip = IP_US,
				  .netmask = NET_IP4(255, 255, 255, 0),
				  .tick_hz = KT_TICK_HZ };
	(void)arg;

	if (board_eth_init() != 0 || board_eth_loopback(true) != 0) {
		printf("netbench: this board cannot loop its Ethernet back\n");
		board_exit(1);
	}
	board_tick_enable(false);
	driver_round_trip(60);
	driver_round_trip(1514);
	board_eth_mac(cfg.mac);
	net_init(&stack, &cfg, &nif);
	net_udp_bind(&stack, &sock, ECHO_PORT, slots, 2);
	net_start(&stack, &net_task, net_task_stack, STACK, 5);
	udp_echo(18); /* the smallest frame: 60 bytes */
	udp_echo(NET_UDP_PAYLOAD_MAX);
	net_udp_close(&sock);
	tcp_stream();
	board_tick_enable(true);
	printf("netbench done\n");
	board_exit(0);
}

static struct kt_task main_task;
static uint8_t main_stack[STACK];

int main(void)
{
	kt_init(0);
	printf("kettle netbench: %u rounds per workload\n", ROUNDS);
	kt_task_spawn(&main_task, "main", run, NULL, main_stack, STACK, 2);
	kt_run();
}
