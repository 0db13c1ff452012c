/*
 * A DHCP client (RFC 2131, options from RFC 2132) over the stack's UDP
 * sockets: it gets an address, netmask and router from a server, applies
 * them with net_set_addr(), renews the lease at T1 (unicast to the
 * server) and rebinds at T2 (broadcast), drops the address when the lease
 * runs out, and after a configurable number of unanswered DISCOVERs falls
 * back to a static address.
 *
 * Two layers.  The wire format - net_dhcp_parse() and net_dhcp_build() -
 * is pure, like wire.h: host tests and the fuzzer call it directly.  The
 * client, struct net_dhcp, is a state machine that one task runs with
 * net_dhcp_run(): it owns a socket on port 68, blocks in receive with the
 * retransmission deadline as its timeout and never touches the stack
 * from anywhere else.  Cancel that task to stop the client (the address
 * it set stays).  Every reply is validated - op, hardware type and
 * length, magic cookie, every option's length, xid, chaddr, message type
 * for the state, server identifier, a usable yiaddr and a lease - and one
 * that fails is counted under its reason and dropped.
 *
 * Not done: ARP probing of the offered address before use (RFC 2131
 * 2.2, a SHOULD; so no DECLINE), DHCPINFORM, RELEASE, relays' giaddr
 * handling beyond ignoring it, and the initial 1-10 s random delay of
 * 4.4.1 (a board that boots alone needs none; start_delay_ms sets one).
 */
#ifndef NET_DHCP_H
#define NET_DHCP_H

#include <stdint.h>

#include "net.h"

#define NET_DHCP_SERVER_PORT 67
#define NET_DHCP_CLIENT_PORT 68
/* A client must take messages of 576 bytes of IP datagram (RFC 2131 2);
 * it asks for no more, so 548 bytes of UDP payload; a little room kept
 * to tell an oversized one from one that fits. */
#define NET_DHCP_MSG_MAX 576
/* The fixed BOOTP header before the options and its magic cookie. */
#define NET_DHCP_HDR 236
#define NET_DHCP_COOKIE 0x63825363u

/* Message types, option 53 (RFC 2132 9.6). */
enum {
	NET_DHCP_DISCOVER = 1,
	NET_DHCP_OFFER,
	NET_DHCP_REQUEST,
	NET_DHCP_DECLINE,
	NET_DHCP_ACK,
	NET_DHCP_NAK,
	NET_DHCP_RELEASE,
	NET_DHCP_INFORM,
};

/* A parsed message: the header fields and the options that matter.  have
 * says which options were present (NET_DHCP_HAVE_*). */
#define NET_DHCP_HAVE_MASK 0x01u
#define NET_DHCP_HAVE_ROUTER 0x02u
#define NET_DHCP_HAVE_LEASE 0x04u
#define NET_DHCP_HAVE_SERVER 0x08u
#define NET_DHCP_HAVE_T1 0x10u
#define NET_DHCP_HAVE_T2 0x20u
#define NET_DHCP_HAVE_REQ_IP 0x40u

struct net_dhcp_msg {
	uint8_t op;   /* 1 BOOTREQUEST, 2 BOOTREPLY */
	uint8_t type; /* option 53 */
	uint16_t flags;
	uint32_t xid;
	uint32_t ciaddr, yiaddr, siaddr;
	uint8_t chaddr[NET_MAC_LEN];
	uint32_t have;
	uint32_t netmask, router, lease, t1, t2, server_id, requested_ip;
};

/*
 * Parse p[0..len), a DHCP message (the UDP payload).  Pure.  0; -EINVAL
 * when shorter than the header and cookie, hardware type not Ethernet or
 * length not 6, a wrong cookie, an option running past its field, an
 * address option whose length is not 4, no message type or one outside
 * 1..8.  Options are read from the options field and, when option 52
 * says so, from file and sname (RFC 2131 4.1); for an option given
 * twice the last wins (a split long option, RFC 3396, is not joined:
 * none of those read here is long).
 */
int net_dhcp_parse(const uint8_t *p, size_t len, struct net_dhcp_msg *out);

/* What a client sends; zero fields are left out. */
struct net_dhcp_req {
	uint8_t type; /* DISCOVER or REQUEST (DECLINE, RELEASE too) */
	uint32_t xid;
	uint16_t secs;
	bool broadcast;        /* ask for broadcast replies (no address yet) */
	uint32_t ciaddr;       /* our address, when renewing or rebinding */
	uint32_t requested_ip; /* option 50 */
	uint32_t server_id;    /* option 54 */
	uint8_t mac[NET_MAC_LEN];
};

/*
 * Build req into buf: the header, cookie, message type, client id (type
 * 1, the MAC), the parameter request list (mask, router, lease, server,
 * T1, T2), requested IP and server id when set, end, padded to the 300
 * bytes BOOTP relays expect (RFC 1542 2.1).  Pure.  Returns the length,
 * 0 when cap is too small.
 */
size_t net_dhcp_build(uint8_t *buf, size_t cap, const struct net_dhcp_req *req);

/* ---- the client ------------------------------------------------------------------- */

enum net_dhcp_state {
	NET_DHCP_INIT,       /* about to discover */
	NET_DHCP_SELECTING,  /* DISCOVER sent, waiting for an OFFER */
	NET_DHCP_REQUESTING, /* REQUEST sent for an offer */
	NET_DHCP_BOUND,
	NET_DHCP_RENEWING,  /* past T1: unicast REQUESTs to the server */
	NET_DHCP_REBINDING, /* past T2: broadcast REQUESTs */
	NET_DHCP_FALLBACK,  /* gave up; the static address is set */
};

struct net_dhcp;

struct net_dhcp_config {
	/* The static address after fallback_after DISCOVERs went unanswered
	 * (0: never fall back, keep discovering). */
	uint32_t fallback_ip, fallback_mask, fallback_gw;
	unsigned fallback_after;
	/* Retransmission (RFC 2131 4.1): the first wait, doubled each time
	 * up to the maximum, each randomised by +-jitter.  0s: the RFC's
	 * 4000, 64000 and 1000 ms.  Tests shorten them. */
	uint32_t retry_ms, retry_max_ms, jitter_ms;
	/* REQUESTs for an offer before starting over (0: 4, i.e. 4, 8, 16,
	 * 32 s as the RFC's back-off gives). */
	unsigned request_tries;
	/* The shortest wait between REQUESTs when renewing or rebinding (RFC
	 * 2131 4.4.5: 60 s; 0 gives that). */
	uint32_t renew_min_ms;
	/* A wait before the first DISCOVER, up to this (4.4.1); 0: none. */
	uint32_t start_delay_ms;
	/* A seed for xids and jitter, mixed with the MAC; any value. */
	uint32_t seed;
	/* Told about every change of the address (bound, renewed, expired,
	 * fell back), on the client's task; NULL: no one. */
	void (*changed)(const struct net_dhcp *c, void *arg);
	void *arg;
};

/* Every reply counted once: accepted or under why it was dropped. */
struct net_dhcp_stats {
	uint32_t discovers, requests; /* sent, retransmissions included */
	uint32_t offers, acks, naks;  /* accepted */
	uint32_t malformed; /* net_dhcp_parse refused it, or not a reply */
	uint32_t oversize;  /* over NET_DHCP_MSG_MAX */
	uint32_t wrong_xid, wrong_chaddr;
	uint32_t unexpected; /* a type or server this state does not take */
	uint32_t bad_offer;  /* no server id or lease, or an unusable yiaddr */
	uint32_t bound, renewed, rebound, expired, fallbacks;
	uint32_t send_errors;
};

/* The client; its fields are its own, read them with the calls below. */
struct net_dhcp {
	struct net_stack *stack;
	struct net_dhcp_config cfg;
	enum net_dhcp_state state;
	uint32_t xid, rng;
	uint32_t ip, netmask, router, server; /* the lease (or the offer) */
	uint32_t lease_s, t1_s, t2_s;
	uint64_t bound_at;   /* kt_uptime64() when the lease began */
	uint64_t started;    /* when this exchange began, for secs */
	unsigned unanswered; /* DISCOVERs without an OFFER in a row */
	struct net_dhcp_stats stats;
	struct net_udp_socket sock;
	struct net_udp_slot slots[2];
	uint8_t buf[NET_DHCP_MSG_MAX];
};

/*
 * Set c up on stack s with cfg (copied; NULL: all defaults) and bind port
 * 68.  Sets the stack's address to 0 (RFC 2131 4.1: a client without a
 * lease sends from 0.0.0.0).  thread.  0; -EINVAL; the errors of
 * net_udp_bind (-EADDRINUSE).
 */
int net_dhcp_init(struct net_dhcp *c, struct net_stack *s,
		  const struct net_dhcp_config *cfg);

/*
 * Run the client: never returns but when cancelled (-ECANCELED; the
 * socket is closed, the address stays) or when the socket fails.  task.
 * A task entry point fits: kt_task_spawn(t, "dhcp", net_dhcp_task, c...).
 */
int net_dhcp_run(struct net_dhcp *c);
int net_dhcp_task(void *c);

enum net_dhcp_state net_dhcp_state(const struct net_dhcp *c);
const char *net_dhcp_state_name(enum net_dhcp_state st);
/* Seconds left on the lease (0 when none).  thread. */
uint32_t net_dhcp_lease_left(const struct net_dhcp *c);

#endif
