/*
 * kettle's network stack: Ethernet, ARP, IPv4, ICMP echo and UDP, for
 * tasks.
 *
 * The stack is one struct net_stack in the caller's memory and runs in
 * tasks only: its receive task takes frames from the network interface
 * (board_eth_recv, or any function with its contract), parses them and
 * answers ARP and ping itself; UDP datagrams go into the receive rings of
 * bound sockets, whose owner tasks block in net_udp_recv() until one
 * arrives.  Interrupts only complete (the driver's ring), never touch
 * the stack.  No heap: sockets, their rings and the stack's frame
 * buffers all live in the caller's (static) memory.
 *
 * Addresses are uint32_t in host order; NET_IP4(10, 0, 2, 15) writes one.
 * Errors are negative errno values.  Contexts as in kettle.h: task,
 * thread, any.
 */
#ifndef NET_H
#define NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arp.h"
#include "kettle.h"
#include "tcp.h"
#include "wire.h"

/* Ticks the stack itself waits for transmit room before it drops a reply. */
#define NET_TX_WAIT_MS 100u
/* ARP: entries live this long; a request is repeated every NET_ARP_RETRY_MS,
 * NET_ARP_TRIES times in all, before the waiting frames are dropped. */
#define NET_ARP_TTL_S 60u
#define NET_ARP_RETRY_MS 250u
#define NET_ARP_TRIES 3u

/* The network interface: board_eth_send/board_eth_recv fit. */
struct net_if {
	int (*send)(const void *frame, size_t len, kt_tick_t timeout);
	int (*recv)(void *buf, size_t len, kt_tick_t timeout);
};

struct net_config {
	uint8_t mac[NET_MAC_LEN];
	uint32_t ip;      /* 0: none yet (answers nothing but broadcast UDP) */
	uint32_t netmask; /* e.g. NET_IP4(255, 255, 255, 0) */
	uint32_t gateway; /* 0: none (off-link destinations are unreachable) */
	uint32_t tick_hz; /* the kernel's tick rate, for the ARP timers */
};

/* Every frame that comes in is counted once in rx_frames and, unless it
 * was delivered or answered, once more under the reason it was dropped. */
struct net_stats {
	uint32_t rx_frames;
	uint32_t eth_runt;       /* under 14 bytes */
	uint32_t eth_oversize;   /* over NET_FRAME_MAX */
	uint32_t eth_not_for_us; /* another unicast or a multicast address */
	uint32_t eth_bad_src;    /* a multicast or all-zero source address */
	uint32_t eth_unknown_type;
	uint32_t arp_rx;          /* well-formed ARP packets */
	uint32_t arp_bad;         /* truncated, unknown types or opcodes, a
				     * sender MAC that is not a station's */
	uint32_t arp_unsolicited; /* of arp_rx, what the cache refused: a
				     * reply to no request of ours, a claim
				     * moving a cached address (stack.c) */
	uint32_t arp_replies_sent;
	uint32_t arp_requests_sent;
	uint32_t arp_queue_full; /* a frame found the resolution queue full */
	uint32_t arp_unresolved; /* frames dropped after the last request */
	uint32_t ip_rx;          /* well-formed IPv4 for us */
	uint32_t ip_bad;         /* truncated, lying lengths, bad version */
	uint32_t ip_bad_csum;
	uint32_t ip_options;
	uint32_t ip_fragments;
	uint32_t ip_not_for_us;
	uint32_t ip_bad_src; /* broadcast or multicast source */
	uint32_t ip_unknown_proto;
	uint32_t ip_no_route; /* to send: off-link and no gateway */
	uint32_t icmp_bad;    /* truncated or bad checksum */
	uint32_t icmp_echo_replied;
	uint32_t icmp_other; /* other types, or echo to a broadcast */
	uint32_t udp_rx;     /* delivered to a socket */
	uint32_t udp_bad;    /* truncated or a lying length */
	uint32_t udp_bad_csum;
	uint32_t udp_no_port;
	uint32_t udp_queue_full; /* the socket's ring was full */
	uint32_t udp_tx;
	uint32_t tcp_rx;  /* segments a connection or listener took */
	uint32_t tcp_bad; /* truncated, bad offset or options, port 0,
				  * to a broadcast address */
	uint32_t tcp_bad_csum;
	uint32_t tcp_no_conn;      /* no connection or listener: RST sent */
	uint32_t tcp_unacceptable; /* outside the window or wrong for the
				    * state: answered as RFC 9293 says */
	uint32_t tcp_backlog_full; /* a SYN found the listener's pool in use */
	uint32_t tcp_out_of_order; /* of tcp_rx: data past a hole, dropped */
	uint32_t tcp_challenge_acks;    /* RFC 5961: RST or SYN in the window */
	uint32_t tcp_challenge_limited; /* such a challenge not sent: over
					 * NET_TCP_CHALLENGE_MAX a second */
	uint32_t tcp_rst_rx;            /* resets that ended a connection */
	uint32_t tcp_rst_tx;
	uint32_t tcp_tx;          /* segments sent */
	uint32_t tcp_retransmits; /* on a timeout */
	uint32_t tcp_fast_retransmits;
	uint32_t tcp_timeouts; /* connections given up after their retries */
	uint32_t tx_frames;
	uint32_t tx_errors; /* the interface refused or timed out */
};

struct net_udp_socket;

/* The stack.  Treat as opaque: the fields are its own. */
struct net_stack {
	struct net_config cfg;
	struct net_if nif;
	struct net_arp_cache arp;
	struct net_arp_queue pending;
	struct kt_timer arp_timer;
	struct net_udp_socket *sockets;
	struct net_tcp_listener *listeners;
	struct net_tcp_conn *conns; /* live TCP connections */
	uint32_t tcp_secret;
	kt_tick_t tcp_challenge_at; /* the second the challenge count is of */
	uint32_t tcp_challenges;
	uint16_t tcp_next_port;
	kt_tick_t arp_retry;
	kt_tick_t tx_wait;
	uint16_t ip_id;
	uint16_t next_port;
	struct net_stats stats;
	struct net_frame_buf rx; /* the receive task's frame */
	struct net_frame_buf tx; /* replies the receive task builds */
};

/*
 * Set s up with cfg and the interface nif (both copied).  thread, after
 * kt_init().  0; -EINVAL for NULL, a multicast MAC, a zero tick rate or an
 * interface without send or recv.
 */
int net_init(struct net_stack *s, const struct net_config *cfg,
	     const struct net_if *nif);

/*
 * Change the address, netmask and gateway.  The ARP cache is flushed and
 * frames waiting for resolution are dropped (counted as unresolved).
 * thread.  0; -EINVAL.
 */
int net_set_addr(struct net_stack *s, uint32_t ip, uint32_t netmask, uint32_t gateway);

/*
 * Start the receive task t on the caller's stack (at least 1 KiB) at
 * priority prio: it waits in nif.recv and hands every frame to
 * net_input().  thread.  The errors of kt_task_spawn.  The task ends only
 * when cancelled or when recv fails with something other than a timeout
 * or an oversized frame (its return value says what).
 */
int net_start(struct net_stack *s, struct kt_task *t, void *stack,
	      size_t stack_size, unsigned prio);

/*
 * The receive path, for the receive task (and host tests and the fuzzer):
 * parse frame[0..len) (only read, never written), answer ARP requests and
 * pings, learn addresses, deliver UDP to sockets, send frames whose
 * address just resolved.  thread (task: replies may wait for transmit
 * room).  0 when the frame was used; otherwise the frame is dropped,
 * counted in the stats, and the return value is the parser's error
 * (wire.h), or -ENOENT (not for us / no socket on the port), -ENOBUFS
 * (the socket's ring is full), -EPROTONOSUPPORT (unknown EtherType,
 * protocol or ICMP type).
 */
int net_input(struct net_stack *s, const uint8_t *frame, size_t len);

/*
 * The ARP timers: repeat requests that are due and drop frames whose
 * resolution failed.  Returns ticks until it is due again (KT_FOREVER:
 * nothing waits).  The stack runs it from a soft timer; tests may call it
 * too.  Time is kt_now() throughout the stack.  thread.
 */
kt_tick_t net_poll(struct net_stack *s);

/* A snapshot of the counters.  thread. */
void net_get_stats(const struct net_stack *s, struct net_stats *out);

/*
 * Every field of struct net_stats by name, in the struct's order (stats.c):
 * what the shell's `net` prints.  A host test checks that it names every
 * field once, so a counter added to the struct must be added there too.
 * The outcomes partition rx_frames: every frame that came in is counted
 * in exactly one of them (delivered, answered, looked at, or dropped for
 * that reason) - except an echo request whose reply the interface
 * refused, which is in tx_errors.  The fuzzer checks the sum.
 */
struct net_counter {
	const char *name;
	uint16_t offset; /* of the uint32_t in struct net_stats */
	bool outcome;    /* one of rx_frames' outcomes */
};
extern const struct net_counter net_counters[];
extern const unsigned net_ncounters;

/* The value of counter c in *st. */
static inline uint32_t net_counter_value(const struct net_stats *st,
					 const struct net_counter *c)
{
	uint32_t v;

	memcpy(&v, (const uint8_t *)st + c->offset, sizeof(v));
	return v;
}
/* The address configuration now.  thread. */
void net_get_config(const struct net_stack *s, struct net_config *out);

/* ---- UDP sockets ------------------------------------------------------------------ */

/* One received datagram. */
struct net_udp_slot {
	uint32_t ip;
	uint16_t port;
	uint16_t len;
	uint8_t data[NET_UDP_PAYLOAD_MAX];
};

/*
 * A bound UDP port.  Its owner task receives from it and sends through
 * it; one task sends on a socket at a time (sends build the frame in the
 * socket's own buffer).  Several tasks may each own a socket.
 */
struct net_udp_socket {
	struct net_udp_socket *next;
	struct net_stack *stack; /* NULL: not bound */
	struct net_udp_slot *slots;
	uint32_t nslots;
	uint32_t head, tail; /* datagrams ever delivered / taken */
	struct kt_sem ready; /* one unit per datagram waiting */
	uint16_t port;
	uint32_t rx, tx, dropped, truncated;
	struct net_frame_buf frame; /* where sends build their frame */
};

/*
 * Bind u to port (0: a free one from 49152 up) with a receive ring of
 * nslots datagrams in slots.  thread.  0; -EADDRINUSE; -EINVAL for NULL,
 * nslots 0 or over 65535, or u already bound; -EAGAIN when no ephemeral
 * port is free.
 */
int net_udp_bind(struct net_stack *s, struct net_udp_socket *u, uint16_t port,
		 struct net_udp_slot *slots, size_t nslots);
/*
 * Unbind u; datagrams still in its ring are discarded.  Not while a task
 * waits in net_udp_recv on it.  thread.  0; -EINVAL when not bound.
 */
int net_udp_close(struct net_udp_socket *u);
/* The bound port (0 when not bound).  any. */
uint16_t net_udp_port(const struct net_udp_socket *u);

/*
 * Take the oldest datagram: its payload into buf (up to len bytes; the
 * rest of a longer one is discarded and counted in truncated), its source
 * into *ip and *port (either may be NULL).  task: waits up to timeout
 * ticks; outside a task it never blocks (-EAGAIN when none is there).
 * Returns the bytes copied; -ETIMEDOUT; -ECANCELED; -EINVAL (NULL buf with
 * len > 0, or u not bound).
 */
int net_udp_recv(struct net_udp_socket *u, void *buf, size_t len, uint32_t *ip,
		 uint16_t *port, kt_tick_t timeout);

/*
 * Send len bytes (0..NET_UDP_PAYLOAD_MAX) to ip:port.  The datagram goes
 * out at once when the next hop's address is known; otherwise it is
 * queued, an ARP request goes out, and it leaves when the answer comes
 * (or is dropped after NET_ARP_TRIES requests, counted).  task: waits up
 * to timeout ticks for transmit room.  Returns len (sent or queued);
 * -EMSGSIZE; -EINVAL (NULL data with len > 0, address or port 0, u not
 * bound); -ENETUNREACH (off-link, no gateway); -ENOBUFS (the resolution
 * queue is full); or the interface's error (-ETIMEDOUT, -ECANCELED).
 */
int net_udp_sendto(struct net_udp_socket *u, uint32_t ip, uint16_t port,
		   const void *data, size_t len, kt_tick_t timeout);

#endif
