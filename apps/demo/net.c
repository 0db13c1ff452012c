/*
 * The demo's network: on a board with Ethernet it answers ping and runs a
 * UDP echo service on port 7, next to the demo's other tasks.
 *
 * Three tasks: the stack's receive task ("net"), which answers ARP and
 * ping itself, "udp-echo", which owns the socket on port 7 and sends
 * every datagram back to where it came from, and "dhcp", the DHCP client
 * (net/dhcp.h), which gets the address.  All block while nothing comes;
 * the Ethernet receive interrupt wakes them.  QEMU's user networking
 * answers DHCP with 10.0.2.15/24, gateway 10.0.2.2; with no server the
 * client falls back to that same address after DEMO_DHCP_TRIES
 * DISCOVERs (4 s, then 8 s apart: RFC 2131's back-off).  The console's
 * "ip" command stops the client and sets an address by hand (the network
 * tests put the demo on a TAP link that way), and "net" shows the
 * counters.  On a board without Ethernet
 * BOARD_HAS_ETH is 0 and all of this, buffers included, compiles away.
 */
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "board_eth.h"
#include "demo.h"
#include "dhcp.h"
#include "net.h"
#include "web.h"

#define STACK 2048
#define ECHO_PORT 7
#define DEFAULT_IP NET_IP4(10, 0, 2, 15)
#define DEFAULT_MASK NET_IP4(255, 255, 255, 0)
#define DEFAULT_GW NET_IP4(10, 0, 2, 2)
#ifndef DEMO_DHCP_TRIES
#define DEMO_DHCP_TRIES 2
#endif
#define DHCP_STACK 1536

static struct net_stack stack;
static struct kt_task net_task, udp_echo_task;
static uint8_t net_task_stack[STACK], udp_echo_stack[STACK];
static struct net_udp_socket echo_sock;
static struct net_udp_slot echo_slots[4];
static bool up;
static struct net_dhcp dhcp;
static struct kt_task dhcp_task;
static uint8_t dhcp_stack[DHCP_STACK];

static int udp_echo(void *arg)
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
		net_udp_sendto(&echo_sock, ip, port, buf, (size_t)n, KT_TICK_HZ / 10);
	}
}

static void show_addr(void)
{
	struct net_config c;
	char ip[16], mask[16], gw[16];

	net_get_config(&stack, &c);
	shell_printf("net: %s netmask %s gateway %s, MAC %02x:%02x:%02x:%02x:%02x:%02x\n",
		     net_ip_format(c.ip, ip), net_ip_format(c.netmask, mask),
		     net_ip_format(c.gateway, gw), c.mac[0], c.mac[1], c.mac[2],
		     c.mac[3], c.mac[4], c.mac[5]);
}

/* The client's news, on its task. */
static void dhcp_changed(const struct net_dhcp *c, void *arg)
{
	char ip[16], srv[16];
	(void)arg;

	switch (net_dhcp_state(c)) {
	case NET_DHCP_BOUND:
		shell_printf("net: dhcp: bound %s from %s, lease %lu s\n",
			     net_ip_format(c->ip, ip), net_ip_format(c->server, srv),
			     (unsigned long)c->lease_s);
		break;
	case NET_DHCP_FALLBACK:
		shell_printf("net: dhcp: no server answered; static address\n");
		break;
	default:
		shell_printf("net: dhcp: lease lost (%s)\n",
			     c->stats.naks ? "NAK" : "expired");
		break;
	}
	show_addr();
}

static void show_dhcp(void)
{
	const struct net_dhcp_stats *d = &dhcp.stats;

	/* Two lines: one would be cut at BOARD_PRINTF_MAX. */
	shell_printf("dhcp: %s, lease %lu s left; %lu discovers, %lu requests, "
		     "%lu offers, %lu acks, %lu naks\n",
		     kt_task_cancelled(&dhcp_task) ? "stopped" :
						     net_dhcp_state_name(dhcp.state),
		     (unsigned long)net_dhcp_lease_left(&dhcp),
		     (unsigned long)d->discovers, (unsigned long)d->requests,
		     (unsigned long)d->offers, (unsigned long)d->acks,
		     (unsigned long)d->naks);
	shell_printf("dhcp dropped: %lu malformed, %lu wrong xid, %lu unexpected, "
		     "%lu bad offers\n",
		     (unsigned long)(d->malformed + d->oversize),
		     (unsigned long)(d->wrong_xid + d->wrong_chaddr),
		     (unsigned long)d->unexpected, (unsigned long)d->bad_offer);
}

void demo_net_start(void)
{
	const struct net_dhcp_config dcfg = {
		.fallback_ip = DEFAULT_IP,
		.fallback_mask = DEFAULT_MASK,
		.fallback_gw = DEFAULT_GW,
		.fallback_after = DEMO_DHCP_TRIES,
		.changed = dhcp_changed,
	};
	const struct net_if nif = { board_eth_send, board_eth_recv };
	struct net_config cfg = {
		.ip = DEFAULT_IP,
		.netmask = DEFAULT_MASK,
		.gateway = DEFAULT_GW,
		.tick_hz = KT_TICK_HZ,
	};
	int err = BOARD_HAS_ETH ? board_eth_init() : -ENODEV;

	if (err != 0) {
		shell_printf("net: no Ethernet on this board (%d)\n", err);
		return;
	}
	board_eth_mac(cfg.mac);
	if (net_init(&stack, &cfg, &nif) != 0 ||
	    net_udp_bind(&stack, &echo_sock, ECHO_PORT, echo_slots, 4) != 0 ||
	    net_dhcp_init(&dhcp, &stack, &dcfg) != 0 ||
	    net_start(&stack, &net_task, net_task_stack, STACK, 5) != 0 ||
	    kt_task_spawn(&dhcp_task, "dhcp", net_dhcp_task, &dhcp, dhcp_stack,
			  DHCP_STACK, 4) != 0 ||
	    kt_task_spawn(&udp_echo_task, "udp-echo", udp_echo, NULL,
			  udp_echo_stack, STACK, 4) != 0) {
		shell_printf("net: could not start the stack\n");
		return;
	}
	demo_tcp_shell_start(&stack);
	err = demo_web_start(&stack);
	if (err != 0)
		shell_printf("net: no TCP services (%d)\n", err);
	up = true;
	shell_printf("net: asking DHCP for an address (10.0.2.15 if no server answers)\n");
	/* In pieces: one call's output is cut at BOARD_PRINTF_MAX. */
	shell_printf("net: answers ping; UDP echo on port %u.  Under `make run` QEMU\n"
		     "     forwards a host UDP port to it (the port make printed):\n",
		     ECHO_PORT);
	shell_printf(
		"     nc -u 127.0.0.1 <port>.  Ping needs a TAP link (README,\n"
		"     Network); \"ip A.B.C.D/N [GW]\" sets the address, \"net\" counts.\n");
}

/* "192.0.2.2/24 192.0.2.1": address, prefix length (24 if none), gateway. */
static int parse_addr(const char *arg, uint32_t *ip, uint32_t *mask, uint32_t *gw)
{
	char head[16];
	size_t n = strcspn(arg, "/ ");
	const char *p = arg + n;
	unsigned bits = 24, digits = 0;

	if (n == 0 || n >= sizeof(head))
		return -EINVAL;
	memcpy(head, arg, n);
	head[n] = '\0';
	if (net_ip_parse(head, ip) != 0)
		return -EINVAL;
	if (*p == '/') {
		for (bits = 0, p++; *p >= '0' && *p <= '9' && digits < 3;
		     p++, digits++)
			bits = bits * 10u + (unsigned)(*p - '0');
		if (digits == 0 || bits > 32)
			return -EINVAL;
	}
	*mask = bits == 0 ? 0 : 0xffffffffu << (32u - bits);
	*gw = 0;
	if (*p == ' ')
		return net_ip_parse(p + 1, gw);
	return *p == '\0' ? 0 : -EINVAL;
}

static void set_addr(const char *arg)
{
	uint32_t ip, mask, gw;

	if (parse_addr(arg, &ip, &mask, &gw) != 0) {
		shell_printf("usage: ip A.B.C.D[/N] [GATEWAY]\n");
		return;
	}
	/* By hand wins: the DHCP client must not change it later. */
	if (kt_task_cancel(&dhcp_task) == 0)
		kt_task_join(&dhcp_task, NULL, KT_TICK_HZ / 10);
	net_set_addr(&stack, ip, mask, gw);
	show_addr();
}

/*
 * One line per group of counters: a counter's group is its name up to
 * the first '_' ("arp_rx" is rx in group arp).  Driven by the tables
 * (net_counters, board_eth_counters), so a counter added to a struct and
 * its table shows here with no change; kt-net (tools/kettle_net_gdb.py)
 * prints the same lines from a halted target.
 */
static void show_group_line(const char *prefix, const char *const *names,
			    const uint32_t *values, unsigned n)
{
	char line[160];
	const char *group = NULL;
	size_t at = 0, glen = 0;

	for (unsigned i = 0; i < n; i++) {
		const char *us = strchr(names[i], '_');
		size_t g = us != NULL ? (size_t)(us - names[i]) : strlen(names[i]);
		const char *label = us != NULL ? us + 1 : "";
		bool same = group != NULL && g == glen &&
			    strncmp(names[i], group, g) == 0;

		if (!same || at > sizeof(line) - 32) {
			if (at != 0)
				shell_printf("%s\n", line);
			at = (size_t)snprintf(line, sizeof(line), "%s %.*s:", prefix,
					      (int)g, names[i]);
			group = names[i];
			glen = g;
		} else {
			at += (size_t)snprintf(line + at, sizeof(line) - at, ",");
		}
		at += (size_t)snprintf(line + at, sizeof(line) - at, "%s%s %lu",
				       *label != '\0' ? " " : "", label,
				       (unsigned long)values[i]);
	}
	if (at != 0)
		shell_printf("%s\n", line);
}

/* The stack's outcomes summed: rx_frames when every frame is accounted
 * for (net.h). */
static uint32_t outcomes(const struct net_stats *s)
{
	uint32_t sum = 0;

	for (unsigned i = 0; i < net_ncounters; i++)
		if (net_counters[i].outcome)
			sum += net_counter_value(s, &net_counters[i]);
	return sum;
}

static void show_counters(void)
{
	static const char *names[64];
	static uint32_t values[64];
	struct board_eth_stats e;
	struct net_stats s;
	unsigned n;

	board_eth_stats(&e);
	net_get_stats(&stack, &s);
	for (n = 0; n < board_eth_ncounters && n < 64; n++) {
		names[n] = board_eth_counters[n].name;
		memcpy(&values[n],
		       (const uint8_t *)&e + board_eth_counters[n].offset, 4);
	}
	show_group_line("eth", names, values, n);
	for (n = 0; n < net_ncounters && n < 64; n++) {
		names[n] = net_counters[n].name;
		values[n] = net_counter_value(&s, &net_counters[n]);
	}
	show_group_line("net", names, values, n);
	shell_printf("net: %lu frames in, %lu counted once by outcome\n",
		     (unsigned long)s.rx_frames, (unsigned long)outcomes(&s));
}

bool demo_net_command(const char *line)
{
	if (!BOARD_HAS_ETH)
		return false; /* and the linker drops what follows */
	if (strcmp(line, "net") == 0) {
		if (up) {
			show_counters();
			show_dhcp();
		} else
			shell_printf("net: not running\n");
		return true;
	}
	if (strcmp(line, "ip") == 0 || strncmp(line, "ip ", 3) == 0) {
		if (!up)
			shell_printf("net: not running\n");
		else if (line[2] == '\0')
			show_addr();
		else
			set_addr(line + 3);
		return true;
	}
	return false;
}
