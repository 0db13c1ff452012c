/*
 * TCP (RFC 9293) for kettle's stack: blocking sockets for tasks, in the
 * caller's memory.
 *
 * A connection (struct net_tcp_conn) is caller storage with two byte
 * rings the caller gives it: received bytes wait in the receive ring
 * (its free space is the window advertised), sent bytes stay in the
 * transmit ring until acknowledged.  A listener owns a fixed pool of such
 * connections: a SYN takes a free one, so the pool bounds how many
 * connections the port holds at once, handshakes included; a SYN that
 * finds none is dropped and counted (the peer retries).  Nothing is
 * allocated; RAM per connection is sizeof(struct net_tcp_conn) (one
 * frame buffer for its own sends, about 1.6 KiB) plus its two rings.
 *
 * What it does: passive and active open (simultaneous open too), the MSS
 * option both ways, a window of the receive ring's free space (at most
 * 65535 bytes: no window scaling), retransmission on an RTO from measured
 * RTT (RFC 6298, Karn's rule, back-off doubling up to NET_TCP_RTO_MAX_MS,
 * give-up after NET_TCP_RETRIES), slow start, congestion avoidance and
 * fast retransmit/recovery on three duplicate ACKs (RFC 5681), zero-window
 * probes, FIN and RST in every state (RFC 5961's challenge ACKs for RSTs
 * and SYNs inside the window), TIME-WAIT for 2 x NET_TCP_MSL_MS.  What it
 * does not: no SACK (bytes that come early, past a hole, are kept in the
 * receive ring, up to NET_TCP_EARLY ranges of them, and a duplicate ACK
 * asks for the hole), no delayed ACKs
 * (every segment with data is acknowledged at once), no Nagle, no urgent
 * data, no timestamps or window scaling, IPv4 only.
 *
 * Who runs what: the stack's receive task runs the input side (and sends
 * ACKs and the data an ACK lets out, from its own frame buffer); a
 * connection's soft timer retransmits (never waiting for transmit room:
 * a segment the interface has no room for counts as lost); the tasks that
 * own a connection send and receive on it.  One task sends on a
 * connection at a time; another may receive meanwhile.
 *
 * Errors are negative errno values: -ETIMEDOUT, -ECANCELED (the task was
 * cancelled while it waited), -ECONNREFUSED (RST to our SYN),
 * -ECONNRESET (RST later), -ENOTCONN, -EPIPE (send after close or after
 * the connection ended), -EINVAL (NULL, unset rings, a connection not in
 * the right state for the call), -EBUSY (a connection still in use),
 * -EADDRINUSE, -EAGAIN (outside a task, where nothing blocks).
 */
#ifndef NET_TCP_H
#define NET_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kettle.h"
#include "wire.h"

#define NET_TCP_RTO_INIT_MS 1000u /* RFC 6298 2.1 */
#define NET_TCP_RTO_MIN_MS 200u   /* below RFC 6298's 1 s, as Linux does */
#define NET_TCP_RTO_MAX_MS 60000u
#define NET_TCP_RETRIES 8u     /* retransmissions of one segment */
#define NET_TCP_SYN_RETRIES 5u /* of a SYN or SYN-ACK */
#ifndef NET_TCP_MSL_MS
#define NET_TCP_MSL_MS 10000u /* TIME-WAIT lasts twice this */
#endif
/* Challenge ACKs (RFC 5961) the stack sends per second, at most. */
#ifndef NET_TCP_CHALLENGE_MAX
#define NET_TCP_CHALLENGE_MAX 10u
#endif
/* A connection its owner closed waits this long in FIN-WAIT-2 for the
 * peer's FIN before it is dropped. */
#ifndef NET_TCP_FIN_WAIT_2_MS
#define NET_TCP_FIN_WAIT_2_MS 30000u
#endif

enum net_tcp_state {
	NET_TCP_CLOSED,
	NET_TCP_SYN_SENT,
	NET_TCP_SYN_RECEIVED,
	NET_TCP_ESTABLISHED,
	NET_TCP_FIN_WAIT_1,
	NET_TCP_FIN_WAIT_2,
	NET_TCP_CLOSE_WAIT,
	NET_TCP_CLOSING,
	NET_TCP_LAST_ACK,
	NET_TCP_TIME_WAIT,
};

struct net_stack;
struct net_tcp_listener;

/* Ranges of bytes that came early, past a hole, kept per connection. */
#ifndef NET_TCP_EARLY
#define NET_TCP_EARLY 4
#endif
struct net_tcp_range {
	uint32_t start, end; /* sequence numbers, end excluded */
};

/* Per connection, since it was opened. */
struct net_tcp_conn_stats {
	uint32_t rx_bytes, tx_bytes; /* payload delivered / acknowledged */
	uint32_t segs_in, segs_out;
	uint32_t retransmits, fast_retransmits;
	uint32_t out_of_order; /* segments dropped for arriving early */
};

/* A connection.  Treat as opaque except through the calls below. */
struct net_tcp_conn {
	struct net_tcp_conn *next; /* the stack's live connections */
	struct net_stack *stack;
	struct net_tcp_listener *listener; /* the pool it is from, or NULL */
	uint8_t state;                     /* enum net_tcp_state */
	bool owned; /* a task holds it: connected or accepted, not closed */
	bool fin_queued; /* closed by its owner: FIN after the data */
	bool frame_busy; /* an owner's send is using frame */
	bool in_accept;  /* established, waiting in the listener's queue */
	bool rtt_on;     /* a segment is being timed */
	bool rcv_fin;    /* the peer's FIN has arrived */
	bool rtt_seen;   /* srtt8 and rttvar4 hold a sample */
	uint8_t dupacks;
	uint8_t retries;
	int err; /* why it ended: 0 (closed), -ECONNRESET, ... */
	uint32_t rip;
	uint16_t lport, rport;
	uint16_t mss; /* the largest segment we send */
	/* the transmit ring: tx_len bytes from snd_una on, at tx[tx_head] */
	uint8_t *tx;
	uint32_t tx_cap, tx_head, tx_len;
	/* the receive ring: rx_len bytes at rx[rx_head] */
	uint8_t *rx;
	uint32_t rx_cap, rx_head, rx_len;
	uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2;
	uint32_t fin_seq; /* our FIN's sequence, once fin_queued */
	uint32_t cwnd, ssthresh, recover;
	uint32_t irs, rcv_nxt, rcv_adv; /* rcv_adv: the right edge we offered */
	struct net_tcp_range early[NET_TCP_EARLY]; /* in the rx ring past rx_len */
	uint8_t nearly;
	uint32_t rtt_seq;
	kt_tick_t rtt_start;
	kt_tick_t srtt8, rttvar4, rto; /* ticks; srtt x 8, rttvar x 4 */
	uint32_t accept_order;
	struct kt_timer timer;   /* retransmit, persist, TIME-WAIT */
	struct kt_event changed; /* set on every change a task may wait for */
	struct net_tcp_conn_stats stats;
	struct net_frame_buf frame; /* where the owner's sends build frames */
};

/* A listening port with its pool of connections. */
struct net_tcp_listener {
	struct net_tcp_listener *next;
	struct net_stack *stack; /* NULL: not listening */
	struct net_tcp_conn *conns;
	uint32_t nconns;
	uint32_t accepts; /* ever queued: orders the accept queue */
	uint16_t port;
	struct kt_event ready; /* set while a connection waits to be accepted */
};

/*
 * Give c its rings: rx_cap bytes at rx (1..65535: the window is at most
 * that) and tx_cap bytes at tx (at least 1).  Once, before c is used or
 * given to a listener; again only while c is CLOSED and not owned.
 * thread.  0; -EINVAL; -EBUSY (in use).
 */
int net_tcp_conn_init(struct net_tcp_conn *c, void *rx, size_t rx_cap, void *tx,
		      size_t tx_cap);

/*
 * Listen on port (1..65535) with the pool conns[0..n), each already given
 * its rings by net_tcp_conn_init.  thread.  0; -EADDRINUSE; -EINVAL.
 */
int net_tcp_listen(struct net_stack *s, struct net_tcp_listener *l,
		   uint16_t port, struct net_tcp_conn *conns, size_t n);
/*
 * Stop listening: connections in their handshake or waiting to be
 * accepted are reset; accepted ones go on.  Not while a task waits in
 * net_tcp_accept on l.  thread.  0; -EINVAL when not listening.
 */
int net_tcp_unlisten(struct net_tcp_listener *l);
/*
 * The oldest established connection on l, now the caller's (it must
 * net_tcp_close it).  task: waits up to timeout ticks.  0; -ETIMEDOUT;
 * -ECANCELED; -EINVAL; -EAGAIN outside a task when none waits.
 */
int net_tcp_accept(struct net_tcp_listener *l, struct net_tcp_conn **out,
		   kt_tick_t timeout);

/*
 * Open c (given its rings, CLOSED and not owned) to ip:port from a free
 * port of 49152..65535.  task: waits up to timeout ticks for the
 * handshake.  0; -ETIMEDOUT (c is reset); -ECONNREFUSED; -ECANCELED (c is
 * reset); -ENETUNREACH; -EBUSY (c in use); -EINVAL; -EAGAIN (no free
 * port).
 */
int net_tcp_connect(struct net_stack *s, struct net_tcp_conn *c, uint32_t ip,
		    uint16_t port, kt_tick_t timeout);

/*
 * Queue data[0..len) for sending; the call returns once all of it is in
 * the transmit ring (the bytes leave as the peer's window allows).  task:
 * waits up to timeout ticks, in all, for room.  Returns len, or what was
 * queued before the wait ran out or the connection failed (when that is
 * more than 0); else -ETIMEDOUT, -ECANCELED, -EPIPE (closed, or the peer
 * reset: then -ECONNRESET), -ENOTCONN (not yet established), -EINVAL.
 */
int net_tcp_send(struct net_tcp_conn *c, const void *data, size_t len,
		 kt_tick_t timeout);
/*
 * Up to len received bytes into buf.  task: waits up to timeout ticks for
 * the first.  Returns the bytes copied (1..len), 0 at the end of the
 * peer's stream (its FIN, once everything before it was read); -ETIMEDOUT;
 * -ECANCELED; -ECONNRESET; -ENOTCONN; -EINVAL (len 0 or NULL buf).
 */
int net_tcp_recv(struct net_tcp_conn *c, void *buf, size_t len, kt_tick_t timeout);

/*
 * Close c: a FIN follows the data still queued, and the connection ends
 * by itself (FIN-WAIT, TIME-WAIT or LAST-ACK run on without the owner);
 * a pooled connection goes back to its listener when it has.  c is no
 * longer the caller's.  Received bytes not read are discarded, and a
 * close with unread bytes resets the connection instead (RFC 9293,
 * 3.6.1 note).  thread.  0; -EINVAL (not owned).
 */
int net_tcp_close(struct net_tcp_conn *c);
/* Reset c now (RST to the peer), and give it up as close does.  thread. */
int net_tcp_abort(struct net_tcp_conn *c);

/*
 * Key the initial sequence numbers and the first ephemeral port with
 * seed (RFC 6528): a hardware random number where the board has one.
 * Without it they are keyed by the MAC address alone.  thread.
 */
void net_tcp_seed(struct net_stack *s, uint32_t seed);

/* Bytes waiting to be read / room in the transmit ring.  any. */
size_t net_tcp_readable(const struct net_tcp_conn *c);
size_t net_tcp_writable(const struct net_tcp_conn *c);
enum net_tcp_state net_tcp_state(const struct net_tcp_conn *c);
const char *net_tcp_state_name(enum net_tcp_state st);

#endif
