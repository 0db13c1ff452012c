/*
 * A UDP service: port 7 answers every datagram with its text in upper
 * case, and "quit" with "BYE", after which the board stops (exit 0, for
 * make check).
 *
 * The network is three parts the application puts together: the board's
 * Ethernet driver (board_eth.h), the stack (net.h: one receive task that
 * takes every frame from the driver, answers ARP and ping and delivers UDP
 * to sockets) and a socket with its receive ring, owned by the service
 * task, which blocks in net_udp_recv until a datagram arrives.  The
 * address is static: QEMU's user networking puts the guest at 10.0.2.15
 * (apps/demo asks DHCP instead: net/dhcp.h).
 */
#include <ctype.h>
#include <stdio.h>

#include "board.h"
#include "board_eth.h"
#include "kettle.h"
#include "net.h"

#define PORT 7
#define STACK 2048

static struct net_stack stack;
static struct net_udp_socket sock;
static struct net_udp_slot slots[4];
static struct kt_task net_task, service_task;
static uint8_t net_stack_mem[STACK], service_stack[STACK];

static int service(void *arg)
{
	static char buf[NET_UDP_PAYLOAD_MAX];
	uint32_t ip;
	uint16_t port;

	(void)arg;
	for (;;) {
		int n = net_udp_recv(&sock, buf, sizeof(buf), &ip, &port, KT_FOREVER);
		bool quit;

		if (n < 0)
			return n;
		quit = n == 4 && buf[0] == 'q' && buf[1] == 'u' &&
		       buf[2] == 'i' && buf[3] == 't';
		printf("udp: %d bytes from port %u\n", n, (unsigned)port);
		for (int i = 0; i < n; i++)
			buf[i] = (char)toupper((unsigned char)buf[i]);
		if (quit)
			n = snprintf(buf, sizeof(buf), "BYE");
		net_udp_sendto(&sock, ip, port, buf, (size_t)n, KT_TICK_HZ);
		if (quit) {
			kt_sleep(KT_TICK_HZ / 10); /* the reply leaves the MAC */
			printf("udp: done\n");
			board_exit(0);
		}
	}
}

int main(void)
{
	const struct net_if nif = { board_eth_send, board_eth_recv };
	struct net_config cfg = {
		.ip = NET_IP4(10, 0, 2, 15),
		.netmask = NET_IP4(255, 255, 255, 0),
		.gateway = NET_IP4(10, 0, 2, 2),
		.tick_hz = KT_TICK_HZ,
	};

	kt_init(0);
	if (board_eth_init() != 0) {
		printf("udp: this board has no Ethernet\n");
		return 1;
	}
	board_eth_mac(cfg.mac);
	if (net_init(&stack, &cfg, &nif) != 0 ||
	    net_udp_bind(&stack, &sock, PORT, slots, 4) != 0 ||
	    net_start(&stack, &net_task, net_stack_mem, STACK, 3) != 0 ||
	    kt_task_spawn(&service_task, "service", service, NULL,
			  service_stack, STACK, 2) != 0) {
		printf("udp: could not start the stack\n");
		return 1;
	}
	printf("udp: serving on 10.0.2.15 port %u\n", PORT);
	kt_run();
}
