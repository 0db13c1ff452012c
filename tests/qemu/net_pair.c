/*
 * Two boards on one link: each runs a UDP echo service on port 7 and a
 * client that sends its peer datagrams and checks every echo byte-exact,
 * so UDP flows both ways at once.  tests/qemu/net_run.py starts two QEMUs
 * joined by a socket netdev (distinct MACs) and talks to each console:
 *
 *   1. firmware -> "net_pair: ready\n"
 *   2. runner   -> "<our address> <peer address>\n"
 *   3. the client sends NET_PAIR_COUNT datagrams, sizes from 1 to 1472,
 *      each carrying its sequence number, waits for each echo and resends
 *      after a timeout (the first frames of a socket link are lost while
 *      the second QEMU connects, and ARP has to resolve first), then
 *      prints "net_pair: client done ..." - the echo service keeps going
 *   4. runner   -> "quit\n" once both clients are done
 *   5. firmware -> its counters and the summary; exits with the failures.
 *
 * A datagram that comes back different, or never after all retries,
 * fails the scenario; so does an echo service that saw nothing.
 */
#include <stdio.h>
#include <string.h>

#include "board_eth.h"
#include "net.h"
#include "scenario.h"

#define STACK 2048
#define NET_PAIR_COUNT 300
#define RETRIES 40
#define ECHO_PORT 7

static struct kt_task main_task, net_task, echo_task;
static uint8_t main_stack[STACK], net_task_stack[STACK], echo_stack[STACK];
static struct net_stack stack;
static struct net_udp_socket echo_sock, client_sock;
static struct net_udp_slot echo_slots[4], client_slots[4];
static uint8_t out[NET_UDP_PAYLOAD_MAX], in[NET_UDP_PAYLOAD_MAX];
static volatile uint32_t echoed;

static int echo_service(void *arg)
{
	static uint8_t buf[NET_UDP_PAYLOAD_MAX];
	(void)arg;

	for (;;) {
		uint32_t ip;
		uint16_t port;
		int n = net_udp_recv(&echo_sock, buf, sizeof(buf), &ip, &port,
				     KT_FOREVER);

		if (n < 0)
			return n;
		if (net_udp_sendto(&echo_sock, ip, port, buf, (size_t)n,
				   KT_TICK_HZ / 10) == n)
			echoed++;
	}
}

/* Read one console line (without its newline) into buf. */
static int read_line(char *buf, size_t cap)
{
	size_t len = 0;

	for (;;) {
		char c;
		int n = board_uart_read(&c, 1, KT_FOREVER);

		if (n < 0)
			return n;
		if (c == '\r')
			continue;
		if (c == '\n') {
			buf[len] = '\0';
			return (int)len;
		}
		if (len + 1 < cap)
			buf[len++] = c;
	}
}

static size_t datagram(uint32_t seq)
{
	size_t len = 1 + (seq * 149u) % NET_UDP_PAYLOAD_MAX; /* 1..1472, spread */

	if (seq == 0)
		len = 1;
	if (seq == NET_PAIR_COUNT - 1)
		len = NET_UDP_PAYLOAD_MAX;
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(seq * 31u + i * 7u);
	memcpy(out, &seq, len < 4 ? len : 4);
	return len;
}

static void client(uint32_t peer)
{
	uint32_t bad = 0, lost = 0, retries = 0;
	kt_tick_t t0 = kt_now();

	for (uint32_t seq = 0; seq < NET_PAIR_COUNT; seq++) {
		size_t len = datagram(seq);
		bool ok = false;

		for (int attempt = 0; attempt < RETRIES && !ok; attempt++) {
			kt_tick_t deadline = kt_now() + KT_TICK_HZ / 5;

			if (attempt > 0)
				retries++;
			net_udp_sendto(&client_sock, peer, ECHO_PORT, out, len,
				       KT_TICK_HZ);
			while (!ok && kt_tick_before(kt_now(), deadline)) {
				uint32_t ip;
				uint16_t port;
				int n = net_udp_recv(&client_sock, in,
						     sizeof(in), &ip, &port,
						     deadline - kt_now());

				if (n < 0)
					break;
				if (n == (int)len && memcmp(in, out, len) == 0) {
					ok = ip == peer && port == ECHO_PORT;
					continue;
				}
				/*
				 * Not this one.  A late echo of an earlier
				 * datagram (resent, so it came back twice) is
				 * skipped; anything else came back corrupt.
				 */
				if (n >= 4) {
					uint32_t was;

					memcpy(&was, in, 4);
					if (was < seq)
						continue;
				} else if (n != (int)len) {
					continue;
				}
				bad++;
			}
		}
		if (!ok)
			lost++;
	}
	SC_CHECK_EQ(bad, 0);
	SC_CHECK_EQ(lost, 0);
	printf("net_pair: client done: %u datagrams echoed byte-exact, %lu resent, "
	       "%lu ms\n",
	       NET_PAIR_COUNT - (unsigned)lost, (unsigned long)retries,
	       (unsigned long)((kt_now() - t0) * 1000u / KT_TICK_HZ));
}

static int run(void *arg)
{
	const struct net_if nif = { board_eth_send, board_eth_recv };
	struct net_config cfg = { .netmask = NET_IP4(255, 255, 255, 0),
				  .tick_hz = KT_TICK_HZ };
	struct board_eth_stats e;
	char line[64];
	uint32_t peer;
	(void)arg;

	SC_CHECK_EQ(board_eth_init(), 0);
	board_eth_mac(cfg.mac);
	printf("net_pair: ready\n");
	if (read_line(line, sizeof(line)) < 0 ||
	    net_ip_parse(line, &cfg.ip) != 0 || strchr(line, ' ') == NULL ||
	    net_ip_parse(strchr(line, ' ') + 1, &peer) != 0) {
		SC_CHECK(!"a line \"<ip> <peer ip>\"");
		sc_finish();
	}
	SC_CHECK_EQ(net_init(&stack, &cfg, &nif), 0);
	SC_CHECK_EQ(net_udp_bind(&stack, &echo_sock, ECHO_PORT, echo_slots, 4), 0);
	SC_CHECK_EQ(net_udp_bind(&stack, &client_sock, 0, client_slots, 4), 0);
	SC_CHECK_EQ(net_start(&stack, &net_task, net_task_stack, STACK, 5), 0);
	SC_CHECK_EQ(kt_task_spawn(&echo_task, "echo", echo_service, NULL,
				  echo_stack, STACK, 4),
		    0);
	printf("net_pair: %s, MAC %02x:%02x:%02x:%02x:%02x:%02x\n", line,
	       cfg.mac[0], cfg.mac[1], cfg.mac[2], cfg.mac[3], cfg.mac[4],
	       cfg.mac[5]);
	client(peer);
	while (read_line(line, sizeof(line)) >= 0 && strcmp(line, "quit") != 0)
		;
	board_eth_stats(&e);
	printf("net_pair: echoed %lu for the peer; eth %lu in, %lu out, %lu dropped, "
	       "%lu errors; ip %lu in\n",
	       (unsigned long)echoed, (unsigned long)e.rx_frames,
	       (unsigned long)e.tx_frames, (unsigned long)e.rx_dropped,
	       (unsigned long)(e.rx_errors + e.tx_errors),
	       (unsigned long)stack.stats.ip_rx);
	SC_CHECK(echoed >= NET_PAIR_COUNT);
	sc_finish();
}

int main(void)
{
	kt_init(0);
	sc_begin("net_pair");
	kt_task_spawn(&main_task, "main", run, NULL, main_stack, STACK, 2);
	kt_run();
}
