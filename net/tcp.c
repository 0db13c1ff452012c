/*
 * TCP (tcp.h): the connection state machine, its timers and the socket
 * calls.
 *
 * Sequence space of a connection, send side:
 *
 *     snd_una          snd_nxt            snd_una + tx_len   (+1: FIN)
 *        |  sent, unacked  |  queued, unsent  |
 *
 * The transmit ring holds exactly the bytes from snd_una on; an ACK frees
 * them from its head.  snd_max is the highest sequence ever sent: a
 * retransmission timeout sets snd_nxt back to snd_una (go-back-N, one
 * segment at a time as the congestion window reopens), and ACKs up to
 * snd_max stay acceptable meanwhile.  The SYN takes iss, the FIN the
 * sequence after the last data byte.
 *
 * Receive side: in-order bytes go into the receive ring; its free space
 * is the window offered, and the right edge offered (rcv_adv) never moves
 * left because the space shrinks only as rcv_nxt advances.
 *
 * Input runs in the stack's receive task, which sends its ACKs (and the
 * data an ACK lets out) from its own frame buffer, s->tx; a connection's
 * soft timer retransmits from the connection's frame, never waiting; the
 * owner's calls use that frame too, marked frame_busy while a send of
 * theirs may wait for transmit room, so that a timer firing meanwhile
 * tries again a tick later.  Everything is thread mode in a cooperative
 * kernel: state changes need no lock, and after any send that may have
 * waited the code reads the connection's state afresh.
 */
#include <string.h>

#include "net_impl.h"

#define SEQ_LT(a, b) ((int32_t)((a) - (b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((a) - (b)) <= 0)
#define SEQ_GT(a, b) SEQ_LT(b, a)
#define SEQ_GEQ(a, b) SEQ_LEQ(b, a)
#define MSS_DEFAULT 536u /* RFC 9293 3.7.1: when the peer sends no option */
#define EPHEMERAL_FIRST 49152u
#define IP_TCP_OFF (NET_ETH_HDR + NET_IPV4_HDR)

static uint32_t min32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static uint32_t max32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

static kt_tick_t ticks(const struct net_tcp_conn *c, uint32_t ms)
{
	return net_ms_to_ticks(c->stack->cfg.tick_hz, ms);
}

/* ---- rings -------------------------------------------------------------------- */

static void ring_put(uint8_t *ring, uint32_t cap, uint32_t pos,
		     const uint8_t *src, uint32_t n)
{
	uint32_t first = min32(n, cap - pos);

	memcpy(ring + pos, src, first);
	memcpy(ring, src + first, n - first);
}

static void ring_get(const uint8_t *ring, uint32_t cap, uint32_t pos,
		     uint8_t *dst, uint32_t n)
{
	uint32_t first = min32(n, cap - pos);

	memcpy(dst, ring + pos, first);
	memcpy(dst + first, ring, n - first);
}

static uint32_t ring_pos(uint32_t head, uint32_t off, uint32_t cap)
{
	uint32_t p = head + off;

	return p >= cap ? p - cap : p;
}

/* ---- connections in the stack ----------------------------------------------------- */

static bool synchronized(uint8_t st)
{
	return st >= NET_TCP_ESTABLISHED;
}

static void link_conn(struct net_stack *s, struct net_tcp_conn *c)
{
	c->next = s->conns;
	s->conns = c;
}

static void unlink_conn(struct net_tcp_conn *c)
{
	struct net_tcp_conn **pp;

	for (pp = &c->stack->conns; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	c->next = NULL;
}

static struct net_tcp_conn *find_conn(struct net_stack *s, uint32_t rip,
				      uint16_t rport, uint16_t lport)
{
	for (struct net_tcp_conn *c = s->conns; c != NULL; c = c->next) {
		if (c->rip == rip && c->rport == rport && c->lport == lport)
			return c;
	}
	return NULL;
}

static struct net_tcp_listener *find_listener(struct net_stack *s, uint16_t port)
{
	for (struct net_tcp_listener *l = s->listeners; l != NULL; l = l->next) {
		if (l->port == port)
			return l;
	}
	return NULL;
}

static bool port_used(struct net_stack *s, uint16_t port)
{
	if (find_listener(s, port) != NULL)
		return true;
	for (struct net_tcp_conn *c = s->conns; c != NULL; c = c->next) {
		if (c->lport == port)
			return true;
	}
	return false;
}

static uint16_t ephemeral(struct net_stack *s)
{
	for (unsigned i = 0; i < 65536u - EPHEMERAL_FIRST; i++) {
		uint16_t p = s->tcp_next_port;

		s->tcp_next_port = p >= 65535u ? EPHEMERAL_FIRST :
						 (uint16_t)(p + 1u);
		if (p >= EPHEMERAL_FIRST && !port_used(s, p))
			return p;
	}
	return 0;
}

static uint32_t mix(uint32_t h, uint32_t v)
{
	h ^= v;
	h *= 0x9e3779b1u;
	return h ^ (h >> 15);
}

/*
 * RFC 6528's initial sequence number: a clock that steps every 4 us plus
 * a keyed hash of the connection's addresses, so that an off-path guess
 * of one connection's numbers says nothing about another's.  The key is
 * from net_tcp_seed (a hardware random number, where a board has one).
 */
static uint32_t initial_seq(struct net_stack *s, const struct net_tcp_conn *c)
{
	uint32_t h = mix(mix(mix(s->tcp_secret, c->rip), s->cfg.ip),
			 ((uint32_t)c->lport << 16) | c->rport);
	uint32_t per_tick = 250000u / s->cfg.tick_hz;

	return h + kt_now() * (per_tick != 0 ? per_tick : 1u);
}

/* Everything of a connection that one opening starts afresh. */
static void conn_open(struct net_tcp_conn *c, struct net_stack *s, uint32_t rip,
		      uint16_t rport, uint16_t lport)
{
	c->stack = s;
	c->rip = rip;
	c->rport = rport;
	c->lport = lport;
	c->fin_queued = c->frame_busy = c->in_accept = c->rtt_on = false;
	c->rcv_fin = false;
	c->dupacks = 0;
	c->retries = 0;
	c->err = 0;
	c->mss = MSS_DEFAULT;
	c->tx_head = c->tx_len = 0;
	c->rx_head = c->rx_len = 0;
	c->iss = initial_seq(s, c);
	c->snd_una = c->iss;
	c->snd_nxt = c->snd_max = c->iss + 1; /* the SYN, about to go */
	c->snd_wnd = 0;
	c->snd_wl1 = c->snd_wl2 = 0;
	c->irs = c->rcv_nxt = c->rcv_adv = 0;
	c->srtt8 = c->rttvar4 = 0;
	c->rtt_seen = false;
	c->nearly = 0;
	c->rto = ticks(c, NET_TCP_RTO_INIT_MS);
	c->ssthresh = 65535u;
	memset(&c->stats, 0, sizeof(c->stats));
	kt_event_clear(&c->changed);
	link_conn(s, c);
}

/* The peer's MSS option (or RFC 9293's default), and with it the
 * initial congestion window (RFC 5681 3.1). */
static void set_mss(struct net_tcp_conn *c, uint16_t peer_mss)
{
	uint32_t m = peer_mss != 0 ? peer_mss : MSS_DEFAULT;

	m = min32(m, NET_TCP_MSS_MAX);
	c->mss = (uint16_t)max32(m, 64u);
	c->cwnd = min32(4u * c->mss, max32(2u * c->mss, 4380u));
}

static void changed(struct net_tcp_conn *c)
{
	kt_event_set(&c->changed);
}

/* The connection is over: out of the stack, back to its pool if no task
 * holds it. */
static void to_closed(struct net_tcp_conn *c, int err)
{
	if (c->state == NET_TCP_CLOSED)
		return;
	if (c->err == 0)
		c->err = err;
	c->state = NET_TCP_CLOSED;
	c->in_accept = false;
	if (kt_timer_active(&c->timer))
		kt_timer_stop(&c->timer);
	unlink_conn(c);
	changed(c);
}

static void timer_restart(struct net_tcp_conn *c, kt_tick_t delay)
{
	if (kt_timer_active(&c->timer))
		kt_timer_stop(&c->timer);
	kt_timer_start(&c->timer, delay != 0 ? delay : 1, 0);
}

static void enter_time_wait(struct net_tcp_conn *c)
{
	c->state = NET_TCP_TIME_WAIT;
	timer_restart(c, ticks(c, 2u * NET_TCP_MSL_MS));
	changed(c);
}

/* ---- output -------------------------------------------------------------------- */

static uint32_t rcv_window(const struct net_tcp_conn *c)
{
	return min32(c->rx_cap - c->rx_len, 65535u);
}

/* Our FIN (at fin_seq, once the owner closed) has been acknowledged. */
static bool fin_acked(const struct net_tcp_conn *c)
{
	return c->fin_queued && SEQ_GT(c->snd_una, c->fin_seq);
}

/*
 * Finish the segment h whose n payload bytes are already in fb, behind
 * the header, and send it to rip: checksum, IPv4 and Ethernet headers.
 */
static int xmit_segment(struct net_stack *s, struct net_frame_buf *fb,
			const struct net_tcp *h, uint32_t rip, uint32_t n,
			kt_tick_t timeout)
{
	uint8_t *f = net_frame(fb);
	struct net_ipv4 ip = {
		.proto = NET_IPPROTO_TCP,
		.ttl = NET_IP_TTL,
		.src = s->cfg.ip,
		.dst = rip,
	};
	size_t len = net_tcp_build(f + IP_TCP_OFF, NET_FRAME_MAX - IP_TCP_OFF,
				   ip.src, ip.dst, h, n);

	ip.id = net_ip_next_id(s);
	if (len == 0 || net_ipv4_build(f + NET_ETH_HDR,
				       NET_FRAME_MAX - NET_ETH_HDR, &ip, len) == 0)
		return -EMSGSIZE; /* cannot happen: n <= the MSS */
	net_eth_build(f, NET_FRAME_MAX, net_mac_broadcast, s->cfg.mac,
		      NET_ETHERTYPE_IPV4);
	if ((h->flags & NET_TCP_RST) != 0)
		s->stats.tcp_rst_tx++;
	s->stats.tcp_tx++;
	return net_ip_output(s, f, IP_TCP_OFF + len, rip, timeout);
}

/*
 * One segment of c: flags at seq, with n bytes of the transmit ring from
 * off bytes past snd_una, built in fb.  The interface's error, or 0.
 */
static int send_segment(struct net_tcp_conn *c, struct net_frame_buf *fb,
			uint8_t flags, uint32_t seq, uint32_t off, uint32_t n,
			kt_tick_t timeout)
{
	struct net_tcp h = {
		.sport = c->lport,
		.dport = c->rport,
		.seq = seq,
		.ack = (flags & NET_TCP_ACK) != 0 ? c->rcv_nxt : 0,
		.flags = flags,
		.wnd = (uint16_t)rcv_window(c),
		.mss = (flags & NET_TCP_SYN) != 0 ? NET_TCP_MSS_MAX : 0,
	};

	if (n != 0)
		ring_get(c->tx, c->tx_cap, ring_pos(c->tx_head, off, c->tx_cap),
			 net_frame(fb) + IP_TCP_OFF + net_tcp_hdr_len(&h), n);
	if ((flags & NET_TCP_ACK) != 0)
		c->rcv_adv = c->rcv_nxt + h.wnd;
	c->stats.segs_out++;
	return xmit_segment(c->stack, fb, &h, c->rip, n, timeout);
}

/* Arm the one timer for what the connection waits for now. */
static void timer_update(struct net_tcp_conn *c)
{
	bool outstanding = c->snd_una != c->snd_max;
	bool blocked = c->snd_wnd == 0 && c->tx_len > c->snd_nxt - c->snd_una;

	if (c->state == NET_TCP_TIME_WAIT || c->state == NET_TCP_CLOSED)
		return;
	if (c->state == NET_TCP_FIN_WAIT_2 && !c->owned) {
		/* Closed by its owner, our FIN acked, the peer's still to
		 * come: a peer that never sends it must not hold the
		 * connection for ever (Linux's tcp_fin_timeout). */
		if (!kt_timer_active(&c->timer))
			kt_timer_start(&c->timer, ticks(c, NET_TCP_FIN_WAIT_2_MS), 0);
		return;
	}
	if (outstanding || blocked) {
		if (!kt_timer_active(&c->timer))
			kt_timer_start(&c->timer, c->rto, 0);
	} else if (kt_timer_active(&c->timer)) {
		kt_timer_stop(&c->timer);
	}
}

/*
 * Send what the windows let out of the transmit ring, and the FIN when it
 * is due; with force, at least one segment (a bare ACK, or the SYN-ACK in
 * SYN-RECEIVED).  Stops at the first send the interface refuses: the
 * retransmission timer covers what did not go.
 */
static void send_window(struct net_tcp_conn *c, struct net_frame_buf *fb,
			kt_tick_t timeout, bool force)
{
	for (;;) {
		uint8_t st = c->state;
		uint32_t off, avail, win, n;
		uint8_t flags = NET_TCP_ACK;
		bool fin;

		if (st == NET_TCP_SYN_RECEIVED) {
			if (force)
				send_segment(c, fb, NET_TCP_SYN | NET_TCP_ACK,
					     c->iss, 0, 0, timeout);
			return;
		}
		if (!synchronized(st)) /* CLOSED; SYN-SENT sends its SYN itself */
			return;
		off = c->snd_nxt - c->snd_una;
		avail = off < c->tx_len ? c->tx_len - off : 0;
		win = min32(c->snd_wnd, c->cwnd);
		n = win > off ? min32(min32(win - off, avail), c->mss) : 0;
		/* RFC 9293 3.8.6.2.1: no runt segment that the window cut
		 * short while an ACK is due to open it further. */
		if (n < c->mss && n < avail && off != 0)
			n = 0;
		fin = c->fin_queued && c->snd_nxt + n == c->fin_seq;
		if (n == 0 && !fin) {
			if (force)
				send_segment(c, fb, NET_TCP_ACK, c->snd_nxt, 0,
					     0, timeout);
			return;
		}
		if (n != 0 && off + n == c->tx_len)
			flags |= NET_TCP_PSH;
		if (fin)
			flags |= NET_TCP_FIN;
		c->snd_nxt += n + (fin ? 1u : 0u);
		if (SEQ_GT(c->snd_nxt, c->snd_max)) {
			if (!c->rtt_on) {
				c->rtt_on = true;
				c->rtt_seq = c->snd_nxt;
				c->rtt_start = kt_now();
			}
			c->snd_max = c->snd_nxt;
		}
		force = false;
		if (send_segment(c, fb, flags, c->snd_nxt - n - (fin ? 1u : 0u),
				 off, n, timeout) != 0 ||
		    fin)
			return;
	}
}

/* send_window, then the timer armed for what is out or held back. */
static void output(struct net_tcp_conn *c, struct net_frame_buf *fb,
		   kt_tick_t timeout, bool force)
{
	send_window(c, fb, timeout, force);
	timer_update(c);
}

/* From a task that owns c: through c's own frame. */
static void owner_output(struct net_tcp_conn *c, bool force)
{
	if (c->frame_busy)
		return; /* the other owner task's send carries the same news */
	c->frame_busy = true;
	output(c, &c->frame, c->stack->tx_wait, force);
	c->frame_busy = false;
}

/* The receive task's ACK (and whatever it lets out). */
static void input_output(struct net_tcp_conn *c, bool force)
{
	output(c, &c->stack->tx, c->stack->tx_wait, force);
}

/*
 * RFC 9293 3.10.7.1: the RST that answers a segment no connection takes.
 * Built in s->tx: only the receive task calls it.
 */
static void reply_rst(struct net_stack *s, const struct net_ipv4 *ip,
		      const struct net_tcp *t)
{
	struct net_tcp h = { .sport = t->dport, .dport = t->sport };

	if ((t->flags & NET_TCP_RST) != 0)
		return;
	if ((t->flags & NET_TCP_ACK) != 0) {
		h.seq = t->ack;
		h.flags = NET_TCP_RST;
	} else {
		h.ack = t->seq + (uint32_t)t->len +
			((t->flags & NET_TCP_SYN) ? 1u : 0u) +
			((t->flags & NET_TCP_FIN) ? 1u : 0u);
		h.flags = NET_TCP_RST | NET_TCP_ACK;
	}
	xmit_segment(s, &s->tx, &h, ip->src, 0, KT_NOWAIT);
}

/* ---- the timer ------------------------------------------------------------------- */

static void timer_fired(void *arg)
{
	struct net_tcp_conn *c = arg;
	struct net_stack *s = c->stack;
	uint32_t flight;

	if (c->state == NET_TCP_TIME_WAIT || c->state == NET_TCP_FIN_WAIT_2) {
		to_closed(c, 0); /* the wait is over, or the peer gone quiet */
		return;
	}
	if (c->state == NET_TCP_CLOSED)
		return;
	if (c->frame_busy) { /* an owner's send waits with the frame */
		kt_timer_start(&c->timer, 1, 0);
		return;
	}
	c->rto = min32(c->rto * 2u, ticks(c, NET_TCP_RTO_MAX_MS));
	if (c->snd_una == c->snd_max) {
		if (c->tx_len == 0)
			return;
		/* Nothing outstanding, the peer's window shut: probe it with
		 * one byte past it, as long as it takes (RFC 9293 3.8.6.1). */
		send_segment(c, &c->frame, NET_TCP_ACK, c->snd_nxt,
			     c->snd_nxt - c->snd_una, 1, KT_NOWAIT);
		kt_timer_start(&c->timer, c->rto, 0);
		return;
	}
	if (++c->retries >
	    (synchronized(c->state) ? NET_TCP_RETRIES : NET_TCP_SYN_RETRIES)) {
		s->stats.tcp_timeouts++;
		if (synchronized(c->state))
			send_segment(c, &c->frame, NET_TCP_RST, c->snd_nxt, 0,
				     0, KT_NOWAIT);
		to_closed(c, -ETIMEDOUT);
		return;
	}
	/* RFC 5681 (4): one segment, ssthresh half the flight (RFC 6298 5.5-5.7). */
	flight = c->snd_max - c->snd_una;
	c->ssthresh = max32(flight / 2u, 2u * c->mss);
	c->cwnd = c->mss;
	c->dupacks = 0;
	c->rtt_on = false; /* Karn: no sample from a retransmitted segment */
	c->stats.retransmits++;
	s->stats.tcp_retransmits++;
	if (c->state == NET_TCP_SYN_SENT || c->state == NET_TCP_SYN_RECEIVED) {
		send_segment(c, &c->frame,
			     c->state == NET_TCP_SYN_SENT ? NET_TCP_SYN :
							    NET_TCP_SYN | NET_TCP_ACK,
			     c->iss, 0, 0, KT_NOWAIT);
	} else {
		c->snd_nxt = c->snd_una;
		output(c, &c->frame, KT_NOWAIT, false);
	}
	if (!kt_timer_active(&c->timer))
		kt_timer_start(&c->timer, c->rto, 0);
}

/* ---- input ----------------------------------------------------------------------- */

/* RFC 6298 2.2-2.4, in ticks, SRTT scaled by 8 and RTTVAR by 4. */
static void rtt_sample(struct net_tcp_conn *c, kt_tick_t r)
{
	kt_tick_t rto;

	if (!c->rtt_seen) {
		c->rtt_seen = true;
		c->srtt8 = r * 8u;
		c->rttvar4 = r * 2u;
	} else {
		kt_tick_t srtt = c->srtt8 / 8u;
		kt_tick_t d = srtt > r ? srtt - r : r - srtt;

		c->rttvar4 = c->rttvar4 - c->rttvar4 / 4u + d;
		c->srtt8 = c->srtt8 - c->srtt8 / 8u + r;
	}
	rto = c->srtt8 / 8u + max32(1u, c->rttvar4);
	c->rto = max32(min32(rto, ticks(c, NET_TCP_RTO_MAX_MS)),
		       ticks(c, NET_TCP_RTO_MIN_MS));
}

/* RFC 9293 3.10.7.4, first: does the segment fall into the window? */
static bool acceptable(const struct net_tcp_conn *c, uint32_t seq, uint32_t seglen)
{
	uint32_t wnd = rcv_window(c);
	uint32_t edge = c->rcv_nxt + wnd;
	bool first_in = SEQ_LEQ(c->rcv_nxt, seq) && SEQ_LT(seq, edge);

	if (seglen == 0)
		return wnd == 0 ? seq == c->rcv_nxt : first_in;
	if (wnd == 0)
		return false;
	return first_in || (SEQ_LEQ(c->rcv_nxt, seq + seglen - 1u) &&
			    SEQ_LT(seq + seglen - 1u, edge));
}

/* RFC 5681 3.2 and RFC 6582's partial ACKs: the third duplicate ACK
 * resends the first segment; recovery ends when all of it is acked. */
static void dup_ack(struct net_tcp_conn *c)
{
	struct net_stack *s = c->stack;

	if (++c->dupacks == 3) {
		c->ssthresh = max32((c->snd_max - c->snd_una) / 2u, 2u * c->mss);
		c->recover = c->snd_max;
		c->stats.fast_retransmits++;
		s->stats.tcp_fast_retransmits++;
		c->rtt_on = false;
		send_segment(c, &s->tx, NET_TCP_ACK, c->snd_una, 0,
			     min32(c->mss, c->tx_len), s->tx_wait);
		c->cwnd = c->ssthresh + 3u * c->mss;
	} else if (c->dupacks > 3) {
		c->cwnd += c->mss; /* another segment has left the network */
	}
}

/* An ACK that moves snd_una forward by acked. */
static void new_ack(struct net_tcp_conn *c, uint32_t ack)
{
	struct net_stack *s = c->stack;
	uint32_t acked = ack - c->snd_una;
	uint32_t data;

	if (c->snd_una == c->iss) { /* the SYN's sequence */
		acked--;
		c->snd_una++;
	}
	data = min32(acked, c->tx_len);
	c->tx_head = ring_pos(c->tx_head, data, c->tx_cap);
	c->tx_len -= data;
	c->snd_una = ack;
	if (SEQ_LT(c->snd_nxt, c->snd_una))
		c->snd_nxt = c->snd_una;
	c->stats.tx_bytes += data;
	if (c->rtt_on && SEQ_GEQ(ack, c->rtt_seq)) {
		c->rtt_on = false;
		rtt_sample(c, kt_now() - c->rtt_start);
	}
	c->retries = 0;
	if (c->dupacks >= 3) {
		if (SEQ_LT(ack, c->recover)) {
			/* A partial ACK: the next hole, at once. */
			send_segment(c, &s->tx, NET_TCP_ACK, c->snd_una, 0,
				     min32(c->mss, c->tx_len), s->tx_wait);
			c->cwnd = c->cwnd > data ? c->cwnd - data + c->mss : c->mss;
			return;
		}
		c->cwnd = c->ssthresh;
	} else if (c->cwnd < c->ssthresh) {
		c->cwnd += min32(data, c->mss);
	} else {
		c->cwnd += max32(1u, (uint32_t)c->mss * c->mss / c->cwnd);
	}
	c->dupacks = 0;
	/* RFC 6298 5.3: the timer restarts for what is still out. */
	if (kt_timer_active(&c->timer))
		kt_timer_stop(&c->timer);
	changed(c);
}

/* A connection from the listener's pool is established: into its accept
 * queue. */
static void to_accept_queue(struct net_tcp_conn *c)
{
	struct net_tcp_listener *l = c->listener;

	if (l == NULL || l->stack == NULL)
		return;
	c->in_accept = true;
	c->accept_order = l->accepts++;
	kt_event_set(&l->ready);
}

/*
 * The ACK field of a segment to a connection past SYN-SENT.  false when
 * the segment is to be dropped here.
 */
static bool ack_input(struct net_tcp_conn *c, const struct net_tcp *t,
		      const struct net_ipv4 *ip)
{
	bool dup;

	if (c->state == NET_TCP_SYN_RECEIVED) {
		if (!SEQ_LT(c->snd_una, t->ack) || SEQ_GT(t->ack, c->snd_max)) {
			reply_rst(c->stack, ip, t);
			return false;
		}
		c->state = NET_TCP_ESTABLISHED;
		c->snd_wnd = t->wnd;
		c->snd_wl1 = t->seq;
		c->snd_wl2 = t->ack;
		to_accept_queue(c);
	}
	/* The byte a zero-window probe sent past snd_max (timer_fired): the
	 * peer took it, so it was sent. */
	if (t->ack == c->snd_max + 1u && c->snd_una == c->snd_max &&
	    c->tx_len != 0 && c->snd_wnd == 0)
		c->snd_nxt = c->snd_max = t->ack;
	if (SEQ_GT(t->ack, c->snd_max)) {
		input_output(c, true); /* acks what we never sent */
		return false;
	}
	dup = t->ack == c->snd_una && t->len == 0 && (t->flags & NET_TCP_FIN) == 0 &&
	      t->wnd == c->snd_wnd && c->snd_una != c->snd_max;
	if (SEQ_GT(t->ack, c->snd_una))
		new_ack(c, t->ack);
	else if (dup)
		dup_ack(c);
	if (SEQ_LT(c->snd_wl1, t->seq) ||
	    (c->snd_wl1 == t->seq && SEQ_LEQ(c->snd_wl2, t->ack))) {
		if (t->wnd > c->snd_wnd)
			changed(c);
		c->snd_wnd = t->wnd;
		c->snd_wl1 = t->seq;
		c->snd_wl2 = t->ack;
	}
	if (fin_acked(c)) {
		switch (c->state) {
		case NET_TCP_FIN_WAIT_1:
			c->state = NET_TCP_FIN_WAIT_2;
			break;
		case NET_TCP_CLOSING:
			enter_time_wait(c);
			break;
		case NET_TCP_LAST_ACK:
			to_closed(c, 0);
			return false;
		default:
			break;
		}
	}
	return true;
}

static bool receiving(const struct net_tcp_conn *c)
{
	return c->state == NET_TCP_ESTABLISHED ||
	       c->state == NET_TCP_FIN_WAIT_1 || c->state == NET_TCP_FIN_WAIT_2;
}

/*
 * Bytes that came early, past a hole: into the receive ring where they
 * belong (past rx_len, inside the window offered), their range noted in
 * one of NET_TCP_EARLY ranges.  When no range is free (or it falls
 * outside the window) it is dropped: it comes again.
 */
static void keep_early(struct net_tcp_conn *c, uint32_t seq, const uint8_t *p,
		       uint32_t n)
{
	uint32_t off = seq - c->rcv_nxt, wnd = rcv_window(c), end;
	unsigned i;

	if (off >= wnd)
		return;
	n = min32(n, wnd - off);
	end = seq + n;
	for (i = 0; i < c->nearly; i++) {
		struct net_tcp_range *r = &c->early[i];

		if (SEQ_LEQ(r->start, end) && SEQ_LEQ(seq, r->end))
			break; /* overlaps or touches: widen it */
	}
	if (i == c->nearly) {
		if (c->nearly == NET_TCP_EARLY)
			return;
		c->early[c->nearly++] = (struct net_tcp_range){ seq, end };
	}
	ring_put(c->rx, c->rx_cap,
		 ring_pos(c->rx_head, c->rx_len + off, c->rx_cap), p, n);
	if (SEQ_LT(seq, c->early[i].start))
		c->early[i].start = seq;
	if (SEQ_GT(end, c->early[i].end))
		c->early[i].end = end;
}

/* rcv_nxt moved: take in the early ranges it reached, forget the old. */
static void join_early(struct net_tcp_conn *c)
{
	bool moved = true;

	while (moved) {
		moved = false;
		for (unsigned i = 0; i < c->nearly; i++) {
			struct net_tcp_range *r = &c->early[i];

			if (SEQ_GT(r->start, c->rcv_nxt))
				continue;
			if (SEQ_GT(r->end, c->rcv_nxt)) {
				uint32_t k = r->end - c->rcv_nxt;

				c->rx_len += k;
				c->rcv_nxt += k;
				c->stats.rx_bytes += k;
				moved = true;
			}
			*r = c->early[--c->nearly];
			i--;
		}
	}
}

/* In-order payload into the receive ring; the FIN after it.  Whether an
 * ACK is owed. */
static bool data_input(struct net_tcp_conn *c, const struct net_tcp *t)
{
	uint32_t seq = t->seq, n = (uint32_t)t->len;
	const uint8_t *p = t->payload;
	bool fin = (t->flags & NET_TCP_FIN) != 0;
	uint32_t take;

	if (SEQ_LT(seq, c->rcv_nxt)) { /* partly old: cut the head */
		uint32_t skip = min32(c->rcv_nxt - seq, n);

		p += skip;
		n -= skip;
		seq += skip;
		if (seq != c->rcv_nxt) /* the FIN is old too */
			return true;
	}
	if (seq != c->rcv_nxt) { /* early: a hole before it */
		c->stats.out_of_order++;
		c->stack->stats.tcp_out_of_order++;
		if (n != 0 && receiving(c))
			keep_early(c, seq, p, n);
		return true; /* a duplicate ACK: the peer resends the hole */
	}
	if (n != 0 && receiving(c)) {
		take = min32(n, rcv_window(c));
		ring_put(c->rx, c->rx_cap,
			 ring_pos(c->rx_head, c->rx_len, c->rx_cap), p, take);
		c->rx_len += take;
		c->rcv_nxt += take;
		c->stats.rx_bytes += take;
		if (take < n)
			fin = false; /* past the window: comes again */
		join_early(c);
		changed(c);
	} else if (n != 0) {
		return true; /* after the peer's FIN: RFC 9293 says ignore */
	}
	if (!fin)
		return n != 0;
	if (!c->rcv_fin) {
		c->rcv_nxt++;
		c->rcv_fin = true;
	}
	changed(c);
	switch (c->state) {
	case NET_TCP_ESTABLISHED:
		c->state = NET_TCP_CLOSE_WAIT;
		break;
	case NET_TCP_FIN_WAIT_1:
		if (fin_acked(c))
			enter_time_wait(c);
		else
			c->state = NET_TCP_CLOSING;
		break;
	case NET_TCP_FIN_WAIT_2:
	case NET_TCP_TIME_WAIT:
		enter_time_wait(c); /* a retransmitted FIN restarts the wait */
		break;
	default:
		break;
	}
	return true;
}

/*
 * RFC 5961's challenge ACK, at most NET_TCP_CHALLENGE_MAX a second for
 * the whole stack (its section 7): a flood of forged RSTs or SYNs must
 * not turn the board into a reflector.  The rest are dropped, counted.
 */
static void challenge(struct net_tcp_conn *c)
{
	struct net_stack *s = c->stack;
	kt_tick_t now = kt_now();

	if (now - s->tcp_challenge_at >= s->cfg.tick_hz) {
		s->tcp_challenge_at = now;
		s->tcp_challenges = 0;
	}
	if (s->tcp_challenges >= NET_TCP_CHALLENGE_MAX) {
		s->stats.tcp_challenge_limited++;
		return;
	}
	s->tcp_challenges++;
	s->stats.tcp_challenge_acks++;
	input_output(c, true);
}

/* A segment for a connection in SYN-RECEIVED or a synchronized state
 * (RFC 9293 3.10.7.4).  0 when taken; -EINVAL when it was not acceptable. */
static int conn_input(struct net_tcp_conn *c, const struct net_tcp *t,
		      const struct net_ipv4 *ip)
{
	struct net_stack *s = c->stack;
	uint8_t fl = t->flags;
	uint32_t seglen = (uint32_t)t->len + ((fl & NET_TCP_SYN) ? 1u : 0u) +
			  ((fl & NET_TCP_FIN) ? 1u : 0u);

	if (!acceptable(c, t->seq, seglen)) {
		if ((fl & NET_TCP_RST) == 0)
			input_output(c, true);
		/* RFC 9293 3.10.7.4: the peer's FIN again (old, so never
		 * acceptable) restarts the wait. */
		if (c->state == NET_TCP_TIME_WAIT && (fl & NET_TCP_FIN) != 0)
			enter_time_wait(c);
		return -EINVAL;
	}
	if ((fl & NET_TCP_RST) != 0) {
		if (t->seq != c->rcv_nxt) { /* RFC 5961 3.2 */
			challenge(c);
			return 0;
		}
		s->stats.tcp_rst_rx++;
		to_closed(c, c->state == NET_TCP_SYN_RECEIVED && c->listener ? 0 :
			     c->state >= NET_TCP_CLOSING ? 0 :
							   -ECONNRESET);
		return 0;
	}
	if ((fl & NET_TCP_SYN) != 0) { /* RFC 5961 4.2 */
		challenge(c);
		return 0;
	}
	if ((fl & NET_TCP_ACK) == 0)
		return -EINVAL;
	if (!ack_input(c, t, ip))
		return 0;
	input_output(c, data_input(c, t));
	return 0;
}

/* SYN-SENT (RFC 9293 3.10.7.3). */
static int syn_sent_input(struct net_tcp_conn *c, const struct net_tcp *t,
			  const struct net_ipv4 *ip)
{
	struct net_stack *s = c->stack;
	uint8_t fl = t->flags;
	bool ack = (fl & NET_TCP_ACK) != 0;

	if (ack && (SEQ_LEQ(t->ack, c->iss) || SEQ_GT(t->ack, c->snd_max))) {
		reply_rst(s, ip, t);
		return -EINVAL;
	}
	if ((fl & NET_TCP_RST) != 0) {
		if (!ack)
			return -EINVAL;
		s->stats.tcp_rst_rx++;
		to_closed(c, -ECONNREFUSED);
		return 0;
	}
	if ((fl & NET_TCP_SYN) == 0)
		return -EINVAL;
	c->irs = t->seq;
	c->rcv_nxt = t->seq + 1u;
	set_mss(c, t->mss);
	c->snd_wnd = t->wnd;
	c->snd_wl1 = t->seq;
	c->snd_wl2 = t->ack;
	if (!ack) { /* simultaneous open */
		c->state = NET_TCP_SYN_RECEIVED;
		input_output(c, true);
		return 0;
	}
	new_ack(c, t->ack);
	c->state = NET_TCP_ESTABLISHED;
	changed(c);
	input_output(c, true);
	return 0;
}

/* A free connection of l's pool: closed and held by no task; failing that
 * one in TIME-WAIT (its wait cut short: the pool is the bound). */
static struct net_tcp_conn *pool_take(struct net_tcp_listener *l)
{
	struct net_tcp_conn *tw = NULL;

	for (uint32_t i = 0; i < l->nconns; i++) {
		struct net_tcp_conn *c = &l->conns[i];

		if (c->owned || c->listener != l)
			continue;
		if (c->state == NET_TCP_CLOSED)
			return c;
		if (c->state == NET_TCP_TIME_WAIT && tw == NULL)
			tw = c;
	}
	if (tw != NULL)
		to_closed(tw, 0);
	return tw;
}

/* A segment to a listening port with no connection (RFC 9293 3.10.7.2). */
static int listen_input(struct net_stack *s, struct net_tcp_listener *l,
			const struct net_tcp *t, const struct net_ipv4 *ip)
{
	struct net_tcp_conn *c;

	if ((t->flags & NET_TCP_RST) != 0)
		return -EINVAL;
	if ((t->flags & NET_TCP_ACK) != 0) {
		reply_rst(s, ip, t);
		return -EINVAL;
	}
	if ((t->flags & NET_TCP_SYN) == 0)
		return -EINVAL;
	c = pool_take(l);
	if (c == NULL) {
		s->stats.tcp_backlog_full++;
		return -ENOBUFS;
	}
	conn_open(c, s, ip->src, t->sport, t->dport);
	c->irs = t->seq;
	c->rcv_nxt = t->seq + 1u; /* data on the SYN is not kept: it comes again */
	set_mss(c, t->mss);
	c->snd_wnd = t->wnd;
	c->snd_wl1 = t->seq;
	c->state = NET_TCP_SYN_RECEIVED;
	c->stats.segs_in++;
	input_output(c, true);
	return 0;
}

int net_tcp_input(struct net_stack *s, const struct net_ipv4 *ip, bool broadcast)
{
	struct net_tcp t;
	struct net_tcp_conn *c;
	struct net_tcp_listener *l;
	int err = net_tcp_parse(ip->payload, ip->len, ip->src, ip->dst, &t);

	if (err != 0 || broadcast || t.sport == 0 || t.dport == 0) {
		if (err == -EBADMSG)
			s->stats.tcp_bad_csum++;
		else
			s->stats.tcp_bad++;
		return err != 0 ? err : -EINVAL;
	}
	c = find_conn(s, ip->src, t.sport, t.dport);
	l = find_listener(s, t.dport);
	if (c != NULL && c->state == NET_TCP_TIME_WAIT && l != NULL &&
	    (t.flags & (NET_TCP_SYN | NET_TCP_ACK | NET_TCP_RST)) == NET_TCP_SYN &&
	    SEQ_GT(t.seq, c->rcv_nxt)) {
		to_closed(c, 0); /* a new incarnation (RFC 9293 3.6.1) */
		c = NULL;
	}
	if (c != NULL) {
		c->stats.segs_in++;
		err = c->state == NET_TCP_SYN_SENT ? syn_sent_input(c, &t, ip) :
						     conn_input(c, &t, ip);
	} else if (l != NULL) {
		err = listen_input(s, l, &t, ip);
		if (err == -ENOBUFS)
			return err;
	} else {
		s->stats.tcp_no_conn++;
		reply_rst(s, ip, &t);
		return -ENOENT;
	}
	if (err != 0)
		s->stats.tcp_unacceptable++;
	else
		s->stats.tcp_rx++;
	return err;
}

/* ---- the calls ------------------------------------------------------------------- */

void net_tcp_seed(struct net_stack *s, uint32_t seed)
{
	if (s == NULL)
		return;
	s->tcp_secret = mix(s->tcp_secret, seed);
	s->tcp_next_port = (uint16_t)(EPHEMERAL_FIRST + (s->tcp_secret & 0x3fffu));
}

int net_tcp_conn_init(struct net_tcp_conn *c, void *rx, size_t rx_cap, void *tx,
		      size_t tx_cap)
{
	if (c == NULL || rx == NULL || tx == NULL || rx_cap == 0 ||
	    rx_cap > 65535u || tx_cap == 0 || tx_cap > 0x7fffffffu)
		return -EINVAL;
	if (c->state != NET_TCP_CLOSED || c->owned || c->listener != NULL)
		return -EBUSY;
	memset(c, 0, offsetof(struct net_tcp_conn, frame));
	c->rx = rx;
	c->rx_cap = (uint32_t)rx_cap;
	c->tx = tx;
	c->tx_cap = (uint32_t)tx_cap;
	kt_timer_init(&c->timer, timer_fired, c);
	kt_event_init(&c->changed);
	return 0;
}

int net_tcp_listen(struct net_stack *s, struct net_tcp_listener *l,
		   uint16_t port, struct net_tcp_conn *conns, size_t n)
{
	if (s == NULL || l == NULL || conns == NULL || n == 0 || n > 65535u ||
	    port == 0 || l->stack != NULL)
		return -EINVAL;
	if (port_used(s, port))
		return -EADDRINUSE;
	for (size_t i = 0; i < n; i++) {
		if (conns[i].rx == NULL || conns[i].owned ||
		    conns[i].state != NET_TCP_CLOSED || conns[i].listener != NULL)
			return -EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		conns[i].listener = l;
	l->stack = s;
	l->conns = conns;
	l->nconns = (uint32_t)n;
	l->accepts = 0;
	l->port = port;
	kt_event_init(&l->ready);
	l->next = s->listeners;
	s->listeners = l;
	return 0;
}

static void reset(struct net_tcp_conn *c)
{
	if (synchronized(c->state) && !c->frame_busy)
		send_segment(c, &c->frame, NET_TCP_RST, c->snd_nxt, 0, 0, KT_NOWAIT);
	to_closed(c, -ECONNABORTED);
}

int net_tcp_unlisten(struct net_tcp_listener *l)
{
	struct net_tcp_listener **pp;

	if (l == NULL || l->stack == NULL)
		return -EINVAL;
	for (pp = &l->stack->listeners; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	}
	for (uint32_t i = 0; i < l->nconns; i++) {
		struct net_tcp_conn *c = &l->conns[i];

		if (!c->owned && c->state != NET_TCP_CLOSED)
			reset(c);
		c->listener = NULL;
	}
	l->stack = NULL;
	l->port = 0;
	return 0;
}

/* Wait on e for what is left of timeout since start. */
static int wait_on(struct kt_event *e, kt_tick_t start, kt_tick_t timeout)
{
	kt_tick_t left = timeout;

	if (kt_self() == NULL)
		return -EAGAIN;
	if (timeout != KT_FOREVER) {
		kt_tick_t gone = kt_now() - start;

		if (gone >= timeout)
			return -ETIMEDOUT;
		left = timeout - gone;
	}
	kt_event_clear(e);
	return kt_event_wait(e, left);
}

int net_tcp_accept(struct net_tcp_listener *l, struct net_tcp_conn **out,
		   kt_tick_t timeout)
{
	kt_tick_t start = kt_now();

	if (l == NULL || out == NULL || l->stack == NULL)
		return -EINVAL;
	for (;;) {
		struct net_tcp_conn *best = NULL;
		int err;

		for (uint32_t i = 0; i < l->nconns; i++) {
			struct net_tcp_conn *c = &l->conns[i];

			if (c->in_accept &&
			    (best == NULL ||
			     SEQ_LT(c->accept_order, best->accept_order)))
				best = c;
		}
		if (best != NULL) {
			best->in_accept = false;
			best->owned = true;
			*out = best;
			return 0;
		}
		err = wait_on(&l->ready, start, timeout);
		if (err != 0)
			return err;
		if (l->stack == NULL)
			return -EINVAL;
	}
}

int net_tcp_connect(struct net_stack *s, struct net_tcp_conn *c, uint32_t ip,
		    uint16_t port, kt_tick_t timeout)
{
	kt_tick_t start = kt_now();
	uint16_t lport;
	int err;

	if (s == NULL || c == NULL || c->rx == NULL || ip == 0 || port == 0 ||
	    c->listener != NULL)
		return -EINVAL;
	if (c->state != NET_TCP_CLOSED || c->owned)
		return -EBUSY;
	lport = ephemeral(s);
	if (lport == 0)
		return -EAGAIN;
	conn_open(c, s, ip, port, lport);
	set_mss(c, 0);
	c->owned = true;
	c->state = NET_TCP_SYN_SENT;
	c->frame_busy = true;
	err = send_segment(c, &c->frame, NET_TCP_SYN, c->iss, 0, 0, s->tx_wait);
	c->frame_busy = false;
	if (err == -ENETUNREACH || err == -EINVAL) {
		to_closed(c, err);
		c->owned = false;
		return err;
	}
	timer_update(c);
	for (;;) {
		if (synchronized(c->state))
			return 0;
		if (c->state == NET_TCP_CLOSED) {
			c->owned = false;
			return c->err != 0 ? c->err : -ECONNRESET;
		}
		err = wait_on(&c->changed, start, timeout);
		if (err != 0) {
			if (c->state != NET_TCP_CLOSED)
				reset(c);
			c->owned = false;
			return err == -EAGAIN ? -EINVAL : err;
		}
	}
}

static int ended(const struct net_tcp_conn *c)
{
	return c->err == -ECONNRESET ? -ECONNRESET : -EPIPE;
}

int net_tcp_send(struct net_tcp_conn *c, const void *data, size_t len, kt_tick_t timeout)
{
	kt_tick_t start = kt_now();
	const uint8_t *p = data;
	size_t done = 0;

	if (c == NULL || (data == NULL && len != 0) || len > 0x7fffffffu)
		return -EINVAL;
	if (!c->owned || c->fin_queued)
		return -EPIPE;
	if (c->state == NET_TCP_SYN_SENT || c->state == NET_TCP_SYN_RECEIVED)
		return -ENOTCONN;
	while (done < len) {
		uint32_t room;
		int err;

		if (c->state != NET_TCP_ESTABLISHED && c->state != NET_TCP_CLOSE_WAIT)
			return done != 0 ? (int)done : ended(c);
		room = c->tx_cap - c->tx_len;
		if (room != 0) {
			uint32_t k = min32(room, (uint32_t)(len - done));

			ring_put(c->tx, c->tx_cap,
				 ring_pos(c->tx_head, c->tx_len, c->tx_cap),
				 p + done, k);
			c->tx_len += k;
			done += k;
			owner_output(c, false);
			continue;
		}
		err = wait_on(&c->changed, start, timeout);
		if (err != 0)
			return done != 0 ? (int)done : err;
	}
	return (int)done;
}

int net_tcp_recv(struct net_tcp_conn *c, void *buf, size_t len, kt_tick_t timeout)
{
	kt_tick_t start = kt_now();

	if (c == NULL || buf == NULL || len == 0)
		return -EINVAL;
	for (;;) {
		int err;

		if (c->rx_len != 0) {
			uint32_t k = c->rx_len < len ? c->rx_len : (uint32_t)len;
			uint32_t offered = c->rcv_adv - c->rcv_nxt;

			ring_get(c->rx, c->rx_cap, c->rx_head, buf, k);
			c->rx_head = ring_pos(c->rx_head, k, c->rx_cap);
			c->rx_len -= k;
			/* RFC 9293 3.8.6.2.2: tell the peer once the window
			 * has grown by a segment or half the ring - when what
			 * it was offered is under half the ring (else its
			 * next ACK from us says it soon enough). */
			if (c->state >= NET_TCP_ESTABLISHED &&
			    c->state <= NET_TCP_FIN_WAIT_2 && !c->rcv_fin &&
			    offered < c->rx_cap / 2u &&
			    rcv_window(c) - offered >= min32(c->mss, c->rx_cap / 2u))
				owner_output(c, true);
			return (int)k;
		}
		if (c->rcv_fin)
			return 0;
		if (c->state == NET_TCP_CLOSED)
			return c->err == -ECONNRESET ? -ECONNRESET :
			       c->err != 0           ? c->err :
						       -ENOTCONN;
		if (!synchronized(c->state))
			return -ENOTCONN;
		err = wait_on(&c->changed, start, timeout);
		if (err != 0)
			return err;
	}
}

int net_tcp_close(struct net_tcp_conn *c)
{
	if (c == NULL || !c->owned)
		return -EINVAL;
	c->owned = false;
	if (c->rx_len != 0) {
		reset(c); /* unread data: the peer must know it was lost */
		return 0;
	}
	switch (c->state) {
	case NET_TCP_SYN_SENT:
	case NET_TCP_SYN_RECEIVED:
		reset(c);
		return 0;
	case NET_TCP_ESTABLISHED:
		c->state = NET_TCP_FIN_WAIT_1;
		break;
	case NET_TCP_CLOSE_WAIT:
		c->state = NET_TCP_LAST_ACK;
		break;
	default:
		return 0; /* already closing, or over */
	}
	c->fin_queued = true;
	c->fin_seq = c->snd_una + c->tx_len;
	owner_output(c, false); /* the FIN (or the owner's send under way does) */
	return 0;
}

int net_tcp_abort(struct net_tcp_conn *c)
{
	if (c == NULL || !c->owned)
		return -EINVAL;
	c->owned = false;
	if (c->state != NET_TCP_CLOSED)
		reset(c);
	return 0;
}

size_t net_tcp_readable(const struct net_tcp_conn *c)
{
	return c != NULL ? c->rx_len : 0;
}

size_t net_tcp_writable(const struct net_tcp_conn *c)
{
	return c != NULL ? c->tx_cap - c->tx_len : 0;
}

enum net_tcp_state net_tcp_state(const struct net_tcp_conn *c)
{
	return c != NULL ? (enum net_tcp_state)c->state : NET_TCP_CLOSED;
}

const char *net_tcp_state_name(enum net_tcp_state st)
{
	static const char *const names[] = {
		"CLOSED",     "SYN-SENT",   "SYN-RECEIVED", "ESTABLISHED",
		"FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT",   "CLOSING",
		"LAST-ACK",   "TIME-WAIT",
	};

	return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st] : "?";
}
