/*
 * The DHCP client (dhcp.h): the message format and the state machine of
 * RFC 2131 4.4 (figure 5), INIT -> SELECTING -> REQUESTING -> BOUND ->
 * RENEWING -> REBINDING, and back to INIT on a NAK or an expired lease.
 *
 * The parser trusts nothing: it checks the fixed header's size, the
 * hardware type and length and the magic cookie, then walks the options
 * with every length checked against the bytes left in the field before a
 * value is read; an option that runs past its field, or an address
 * option that is not 4 bytes, makes the whole message malformed.  It is
 * a pure function over the caller's bytes, fuzzed on its own.
 *
 * The client runs in one task and only blocks in net_udp_recv() with the
 * next deadline (a retransmission, T1, T2, the end of the lease) as its
 * timeout; a reply that does not belong to the exchange in progress is
 * counted and the wait goes on to the same deadline.  Deadlines are 64-bit
 * ticks of kt_uptime64(): a lease of days does not fit 31 bits of ticks at
 * 1 kHz, so long waits are taken in pieces of at most KT_DELAY_MAX.
 * Time starts at the REQUEST that got the ACK (RFC 2131 4.4.1: the lease
 * runs from when the request was sent, so the client never outlives it).
 */
#include <string.h>

#include "dhcp.h"

#define OP_REQUEST 1u
#define OP_REPLY 2u
#define HTYPE_ETHER 1u
#define FLAG_BROADCAST 0x8000u
#define OPTIONS_OFF 240u /* after the header and the cookie */
#define SNAME_OFF 44u
#define SNAME_LEN 64u
#define FILE_OFF 108u
#define FILE_LEN 128u
#define BOOTP_MIN 300u /* RFC 1542 2.1 */
#define LEASE_INFINITE 0xffffffffu

/* RFC 2132 option codes. */
#define OPT_PAD 0u
#define OPT_MASK 1u
#define OPT_ROUTER 3u
#define OPT_REQ_IP 50u
#define OPT_LEASE 51u
#define OPT_OVERLOAD 52u
#define OPT_TYPE 53u
#define OPT_SERVER 54u
#define OPT_PARAMS 55u
#define OPT_T1 58u
#define OPT_T2 59u
#define OPT_CLIENT_ID 61u
#define OPT_END 255u

/* ---- the wire format ------------------------------------------------------------ */

/* A 4-byte value for option code: 0, or -EINVAL when n is not 4. */
static int opt_u32(uint8_t n, const uint8_t *v, uint32_t *out, uint32_t *have,
		   uint32_t bit)
{
	if (n != 4)
		return -EINVAL;
	*out = net_get32(v);
	*have |= bit;
	return 0;
}

/*
 * Options in p[0..len) into m; *overload gets option 52 where that may
 * appear (the options field only, RFC 2131 4.1), NULL elsewhere.  The
 * field must end with END (4.1: "the last option must always be end").
 */
static int options(const uint8_t *p, size_t len, struct net_dhcp_msg *m,
		   uint8_t *overload)
{
	size_t i = 0;

	while (i < len) {
		uint8_t code = p[i++], n;
		const uint8_t *v;
		int err = 0;

		if (code == OPT_PAD)
			continue;
		if (code == OPT_END)
			return 0;
		if (i >= len)
			return -EINVAL;
		n = p[i++];
		if (n > len - i)
			return -EINVAL;
		v = p + i;
		i += n;
		switch (code) {
		case OPT_TYPE:
			if (n != 1)
				return -EINVAL;
			m->type = v[0];
			break;
		case OPT_OVERLOAD:
			if (n != 1 || v[0] < 1 || v[0] > 3)
				return -EINVAL;
			if (overload != NULL)
				*overload = v[0];
			break;
		case OPT_MASK:
			err = opt_u32(n, v, &m->netmask, &m->have, NET_DHCP_HAVE_MASK);
			break;
		case OPT_ROUTER: /* a list: the first is the preferred one */
			if (n == 0 || n % 4 != 0)
				return -EINVAL;
			m->router = net_get32(v);
			m->have |= NET_DHCP_HAVE_ROUTER;
			break;
		case OPT_LEASE:
			err = opt_u32(n, v, &m->lease, &m->have, NET_DHCP_HAVE_LEASE);
			break;
		case OPT_SERVER:
			err = opt_u32(n, v, &m->server_id, &m->have,
				      NET_DHCP_HAVE_SERVER);
			break;
		case OPT_REQ_IP:
			err = opt_u32(n, v, &m->requested_ip, &m->have,
				      NET_DHCP_HAVE_REQ_IP);
			break;
		case OPT_T1:
			err = opt_u32(n, v, &m->t1, &m->have, NET_DHCP_HAVE_T1);
			break;
		case OPT_T2:
			err = opt_u32(n, v, &m->t2, &m->have, NET_DHCP_HAVE_T2);
			break;
		default:
			break; /* options this client has no use for */
		}
		if (err != 0)
			return err;
	}
	return -EINVAL; /* no END */
}

int net_dhcp_parse(const uint8_t *p, size_t len, struct net_dhcp_msg *out)
{
	uint8_t overload = 0;
	int err;

	if (p == NULL || out == NULL || len < OPTIONS_OFF)
		return -EINVAL;
	if (p[1] != HTYPE_ETHER || p[2] != NET_MAC_LEN ||
	    net_get32(p + NET_DHCP_HDR) != NET_DHCP_COOKIE)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->op = p[0];
	out->xid = net_get32(p + 4);
	out->flags = net_get16(p + 10);
	out->ciaddr = net_get32(p + 12);
	out->yiaddr = net_get32(p + 16);
	out->siaddr = net_get32(p + 20);
	memcpy(out->chaddr, p + 28, NET_MAC_LEN);
	err = options(p + OPTIONS_OFF, len - OPTIONS_OFF, out, &overload);
	/* RFC 2131 4.1: the file field first, then sname. */
	if (err == 0 && (overload & 1u))
		err = options(p + FILE_OFF, FILE_LEN, out, NULL);
	if (err == 0 && (overload & 2u))
		err = options(p + SNAME_OFF, SNAME_LEN, out, NULL);
	if (err != 0)
		return err;
	if (out->type < NET_DHCP_DISCOVER || out->type > NET_DHCP_INFORM)
		return -EINVAL;
	return 0;
}

static uint8_t *put_opt32(uint8_t *o, uint8_t code, uint32_t v)
{
	o[0] = code;
	o[1] = 4;
	net_put32(o + 2, v);
	return o + 6;
}

size_t net_dhcp_build(uint8_t *buf, size_t cap, const struct net_dhcp_req *req)
{
	static const uint8_t params[] = { OPT_MASK,   OPT_ROUTER, OPT_LEASE,
					  OPT_SERVER, OPT_T1,     OPT_T2 };
	uint8_t *o;

	if (buf == NULL || req == NULL || cap < BOOTP_MIN)
		return 0;
	memset(buf, 0, BOOTP_MIN);
	buf[0] = OP_REQUEST;
	buf[1] = HTYPE_ETHER;
	buf[2] = NET_MAC_LEN;
	net_put32(buf + 4, req->xid);
	net_put16(buf + 8, req->secs);
	net_put16(buf + 10, req->broadcast ? FLAG_BROADCAST : 0);
	net_put32(buf + 12, req->ciaddr);
	memcpy(buf + 28, req->mac, NET_MAC_LEN);
	net_put32(buf + NET_DHCP_HDR, NET_DHCP_COOKIE);
	o = buf + OPTIONS_OFF;
	*o++ = OPT_TYPE;
	*o++ = 1;
	*o++ = req->type;
	/* Client id: hardware type and address (RFC 2132 9.14). */
	*o++ = OPT_CLIENT_ID;
	*o++ = 1 + NET_MAC_LEN;
	*o++ = HTYPE_ETHER;
	memcpy(o, req->mac, NET_MAC_LEN);
	o += NET_MAC_LEN;
	*o++ = OPT_PARAMS;
	*o++ = sizeof(params);
	memcpy(o, params, sizeof(params));
	o += sizeof(params);
	if (req->requested_ip != 0)
		o = put_opt32(o, OPT_REQ_IP, req->requested_ip);
	if (req->server_id != 0)
		o = put_opt32(o, OPT_SERVER, req->server_id);
	*o = OPT_END; /* 240 + 36 at most: well inside the 300 */
	return BOOTP_MIN;
}

/* ---- the client ------------------------------------------------------------------ */

static const char *const state_names[] = {
	"init",     "selecting", "requesting", "bound",
	"renewing", "rebinding", "fallback",
};

const char *net_dhcp_state_name(enum net_dhcp_state st)
{
	return (unsigned)st < sizeof(state_names) / sizeof(state_names[0]) ?
		       state_names[st] :
		       "?";
}

enum net_dhcp_state net_dhcp_state(const struct net_dhcp *c)
{
	return c->state;
}

static uint32_t hz(const struct net_dhcp *c)
{
	struct net_config nc;

	net_get_config(c->stack, &nc);
	return nc.tick_hz;
}

static uint64_t ms_ticks(const struct net_dhcp *c, uint32_t ms)
{
	uint64_t t = (uint64_t)hz(c) * ms / 1000u;

	return t != 0 ? t : 1;
}

static uint64_t s_ticks(const struct net_dhcp *c, uint32_t s)
{
	return (uint64_t)hz(c) * s;
}

uint32_t net_dhcp_lease_left(const struct net_dhcp *c)
{
	uint64_t end, now = kt_uptime64();

	if (c->state < NET_DHCP_BOUND || c->state > NET_DHCP_REBINDING)
		return 0;
	if (c->lease_s == LEASE_INFINITE)
		return LEASE_INFINITE;
	end = c->bound_at + s_ticks(c, c->lease_s);
	return now >= end ? 0 : (uint32_t)((end - now) / hz(c));
}

/* xorshift32: xids and jitter need to differ between clients, not be secret. */
static uint32_t rand32(struct net_dhcp *c)
{
	uint32_t x = c->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	c->rng = x;
	return x;
}

/* The k-th retransmission wait (RFC 2131 4.1): retry_ms doubled k times,
 * at most retry_max_ms, plus a uniform -jitter..+jitter; at least 1 ms. */
static uint64_t backoff(struct net_dhcp *c, unsigned k)
{
	uint64_t base = (uint64_t)c->cfg.retry_ms << (k < 16 ? k : 16);
	uint32_t j = c->cfg.jitter_ms;
	int64_t ms;

	if (base > c->cfg.retry_max_ms)
		base = c->cfg.retry_max_ms;
	ms = (int64_t)base;
	if (j != 0)
		ms += (int64_t)(rand32(c) % (2u * (uint64_t)j + 1u)) - (int64_t)j;
	return ms_ticks(c, ms > 1 ? (uint32_t)ms : 1u);
}

static void notify(struct net_dhcp *c)
{
	if (c->cfg.changed != NULL)
		c->cfg.changed(c, c->cfg.arg);
}

static int send_msg(struct net_dhcp *c, uint8_t type, uint32_t dst)
{
	uint64_t secs = (kt_uptime64() - c->started) / hz(c);
	struct net_config nc;
	struct net_dhcp_req r = {
		.type = type,
		.xid = c->xid,
		.secs = (uint16_t)(secs > 0xffffu ? 0xffffu : secs),
	};
	size_t n;
	int err;

	net_get_config(c->stack, &nc);
	memcpy(r.mac, nc.mac, NET_MAC_LEN);
	if (c->state == NET_DHCP_RENEWING || c->state == NET_DHCP_REBINDING) {
		r.ciaddr = c->ip; /* 4.3.2: ciaddr, and neither option */
	} else {
		/* No address yet: ask for broadcast replies (4.1), since the
		 * stack takes unicast only to an address it has. */
		r.broadcast = true;
		if (type == NET_DHCP_REQUEST) {
			r.requested_ip = c->ip;
			r.server_id = c->server;
		}
	}
	n = net_dhcp_build(c->buf, sizeof(c->buf), &r);
	err = net_udp_sendto(&c->sock, dst, NET_DHCP_SERVER_PORT, c->buf, n,
			     (kt_tick_t)ms_ticks(c, 100));
	if (type == NET_DHCP_DISCOVER)
		c->stats.discovers++;
	else
		c->stats.requests++;
	if (err < 0 && err != -ECANCELED)
		c->stats.send_errors++;
	return err == -ECANCELED ? err : 0; /* a lost send is a lost reply */
}

static bool usable(uint32_t ip)
{
	uint32_t a = ip >> 24;

	return a != 0 && a != 127 && a < 224;
}

/* Whether m (parsed) is the reply the exchange in this state waits for;
 * each refusal counted once, under its reason. */
static bool accept(struct net_dhcp *c, const struct net_dhcp_msg *m)
{
	struct net_config nc;
	bool want_offer = c->state == NET_DHCP_SELECTING;

	net_get_config(c->stack, &nc);
	if (m->op != OP_REPLY) {
		c->stats.malformed++;
		return false;
	}
	if (m->xid != c->xid) {
		c->stats.wrong_xid++;
		return false;
	}
	if (memcmp(m->chaddr, nc.mac, NET_MAC_LEN) != 0) {
		c->stats.wrong_chaddr++;
		return false;
	}
	if (c->state == NET_DHCP_BOUND || c->state == NET_DHCP_FALLBACK ||
	    (want_offer && m->type != NET_DHCP_OFFER) ||
	    (!want_offer && m->type != NET_DHCP_ACK && m->type != NET_DHCP_NAK)) {
		c->stats.unexpected++;
		return false;
	}
	/* Table 3: the server id is a MUST in OFFER, ACK and NAK. */
	if (!(m->have & NET_DHCP_HAVE_SERVER)) {
		c->stats.bad_offer++;
		return false;
	}
	/* Selected a server: only its answer counts (4.4.1); renewing asks
	 * it alone too.  Rebinding takes any server's (4.4.5). */
	if ((c->state == NET_DHCP_REQUESTING || c->state == NET_DHCP_RENEWING) &&
	    m->server_id != c->server) {
		c->stats.unexpected++;
		return false;
	}
	if (m->type != NET_DHCP_NAK &&
	    (!usable(m->yiaddr) || !(m->have & NET_DHCP_HAVE_LEASE) || m->lease == 0)) {
		c->stats.bad_offer++;
		return false;
	}
	return true;
}

/*
 * Wait for the reply the state wants until the tick deadline `until`
 * (UINT64_MAX: forever), dropping others.  0 with *m filled; -ETIMEDOUT;
 * the socket's errors (-ECANCELED).
 */
static int wait_reply(struct net_dhcp *c, uint64_t until, struct net_dhcp_msg *m)
{
	for (;;) {
		uint64_t now = kt_uptime64();
		uint32_t truncated = c->sock.truncated;
		uint16_t port = 0;
		kt_tick_t t = KT_DELAY_MAX;
		int n;

		if (until != UINT64_MAX) {
			if (now >= until)
				return -ETIMEDOUT;
			if (until - now < KT_DELAY_MAX)
				t = (kt_tick_t)(until - now);
		}
		n = net_udp_recv(&c->sock, c->buf, sizeof(c->buf), NULL, &port, t);
		if (n == -ETIMEDOUT)
			continue; /* a piece of a long wait; the check above decides */
		if (n < 0)
			return n;
		if (c->sock.truncated != truncated) {
			c->stats.oversize++;
			continue;
		}
		if (port != NET_DHCP_SERVER_PORT ||
		    net_dhcp_parse(c->buf, (size_t)n, m) != 0) {
			c->stats.malformed++;
			continue;
		}
		if (accept(c, m))
			return 0;
	}
}

static uint32_t classful_mask(uint32_t ip)
{
	uint32_t a = ip >> 24;

	if (a < 128)
		return 0xff000000u;
	return a < 192 ? 0xffff0000u : 0xffffff00u;
}

/* An ACK: take the lease from `sent`, the time its REQUEST went out. */
static void bind(struct net_dhcp *c, const struct net_dhcp_msg *m, uint64_t sent)
{
	enum net_dhcp_state was = c->state;
	uint32_t mask = m->have & NET_DHCP_HAVE_MASK ? m->netmask :
						       classful_mask(m->yiaddr);
	uint32_t router = m->have & NET_DHCP_HAVE_ROUTER ? m->router : 0;
	bool changed = c->ip != m->yiaddr || c->netmask != mask ||
		       c->router != router || was == NET_DHCP_REQUESTING;

	c->ip = m->yiaddr;
	c->netmask = mask;
	c->router = router;
	c->server = m->server_id;
	c->lease_s = m->lease;
	/* 4.4.5: T1 defaults to half the lease, T2 to 7/8; times that do
	 * not come in order are the server's mistake, replaced by those. */
	c->t1_s = m->have & NET_DHCP_HAVE_T1 ? m->t1 : m->lease / 2;
	c->t2_s = m->have & NET_DHCP_HAVE_T2 ?
			  m->t2 :
			  (uint32_t)((uint64_t)m->lease * 7 / 8);
	if (c->t1_s > c->t2_s || c->t2_s > c->lease_s) {
		c->t1_s = m->lease / 2;
		c->t2_s = (uint32_t)((uint64_t)m->lease * 7 / 8);
	}
	c->bound_at = sent;
	c->state = NET_DHCP_BOUND;
	if (was == NET_DHCP_RENEWING)
		c->stats.renewed++;
	else if (was == NET_DHCP_REBINDING)
		c->stats.rebound++;
	else
		c->stats.bound++;
	c->stats.acks++;
	if (changed)
		net_set_addr(c->stack, c->ip, c->netmask, c->router);
	notify(c);
}

/* The address is gone (an expired lease, a NAK while bound): to INIT. */
static void unbind(struct net_dhcp *c)
{
	c->ip = c->netmask = c->router = 0;
	c->state = NET_DHCP_INIT;
	net_set_addr(c->stack, 0, 0, 0);
	notify(c);
}

static int selecting(struct net_dhcp *c)
{
	struct net_dhcp_msg m;

	c->xid = rand32(c);
	c->started = kt_uptime64();
	c->state = NET_DHCP_SELECTING;
	for (unsigned k = 0;; k++) {
		int err;

		if (c->cfg.fallback_after != 0 && c->cfg.fallback_ip != 0 &&
		    c->unanswered >= c->cfg.fallback_after) {
			c->state = NET_DHCP_FALLBACK;
			c->stats.fallbacks++;
			net_set_addr(c->stack, c->cfg.fallback_ip,
				     c->cfg.fallback_mask, c->cfg.fallback_gw);
			notify(c);
			return 0;
		}
		err = send_msg(c, NET_DHCP_DISCOVER, NET_IP_BROADCAST);
		if (err != 0)
			return err;
		c->unanswered++;
		err = wait_reply(c, kt_uptime64() + backoff(c, k), &m);
		if (err == -ETIMEDOUT)
			continue;
		if (err != 0)
			return err;
		/* The first acceptable offer (4.4.1 lets the client choose). */
		c->stats.offers++;
		c->unanswered = 0;
		c->ip = m.yiaddr;
		c->server = m.server_id;
		c->state = NET_DHCP_REQUESTING;
		return 0;
	}
}

static int requesting(struct net_dhcp *c)
{
	unsigned tries = c->cfg.request_tries;
	struct net_dhcp_msg m;

	for (unsigned k = 0; k < tries; k++) {
		uint64_t sent = kt_uptime64();
		int err = send_msg(c, NET_DHCP_REQUEST, NET_IP_BROADCAST);

		if (err == 0)
			err = wait_reply(c, sent + backoff(c, k), &m);
		if (err == -ETIMEDOUT)
			continue;
		if (err != 0)
			return err;
		if (m.type == NET_DHCP_ACK) {
			bind(c, &m, sent);
			return 0;
		}
		/* A NAK (3.1 step 5): start over, after a pause so that a
		 * server that always refuses is not asked in a tight loop. */
		c->stats.naks++;
		c->state = NET_DHCP_INIT;
		c->ip = 0;
		err = wait_reply(c, kt_uptime64() + backoff(c, 0), &m);
		return err == -ETIMEDOUT ? 0 : err;
	}
	c->state = NET_DHCP_INIT; /* 3.1 step 5: no answer, start over */
	c->ip = 0;
	return 0;
}

static int bound(struct net_dhcp *c)
{
	struct net_dhcp_msg m;
	uint64_t t1 = c->lease_s == LEASE_INFINITE ?
			      UINT64_MAX :
			      c->bound_at + s_ticks(c, c->t1_s);
	int err = wait_reply(c, t1, &m); /* takes nothing: only drains */

	if (err != -ETIMEDOUT)
		return err;
	c->state = NET_DHCP_RENEWING;
	c->xid = rand32(c);
	c->started = kt_uptime64();
	return 0;
}

/* RENEWING and REBINDING (4.4.5): REQUESTs with ciaddr, to the server
 * until T2, then to everyone until the lease ends; between them half the
 * time left to the next of those, but at least renew_min_ms. */
static int renewing(struct net_dhcp *c)
{
	uint64_t t2 = c->bound_at + s_ticks(c, c->t2_s);
	uint64_t end = c->bound_at + s_ticks(c, c->lease_s);
	struct net_dhcp_msg m;

	for (;;) {
		uint64_t now = kt_uptime64(), limit, wait;
		int err;

		if (now >= end) {
			c->stats.expired++;
			unbind(c);
			return 0;
		}
		if (c->state == NET_DHCP_RENEWING && now >= t2)
			c->state = NET_DHCP_REBINDING;
		limit = c->state == NET_DHCP_RENEWING ? t2 : end;
		wait = (limit - now) / 2;
		if (wait < ms_ticks(c, c->cfg.renew_min_ms))
			wait = ms_ticks(c, c->cfg.renew_min_ms);
		if (now + wait > limit)
			wait = limit - now;
		err = send_msg(c, NET_DHCP_REQUEST,
			       c->state == NET_DHCP_RENEWING ? c->server :
							       NET_IP_BROADCAST);
		if (err == 0)
			err = wait_reply(c, now + wait, &m);
		if (err == -ETIMEDOUT)
			continue;
		if (err != 0)
			return err;
		if (m.type == NET_DHCP_ACK) {
			bind(c, &m, now);
			return 0;
		}
		c->stats.naks++; /* 4.4.5: a NAK ends the lease at once */
		unbind(c);
		return 0;
	}
}

int net_dhcp_init(struct net_dhcp *c, struct net_stack *s,
		  const struct net_dhcp_config *cfg)
{
	struct net_config nc;
	int err;

	if (c == NULL || s == NULL)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	c->stack = s;
	if (cfg != NULL)
		c->cfg = *cfg;
	if (c->cfg.retry_ms == 0)
		c->cfg.retry_ms = 4000;
	if (c->cfg.retry_max_ms == 0)
		c->cfg.retry_max_ms = 64000;
	if (c->cfg.jitter_ms == 0 && (cfg == NULL || cfg->retry_ms == 0))
		c->cfg.jitter_ms = 1000; /* the RFC's, with the RFC's times */
	if (c->cfg.request_tries == 0)
		c->cfg.request_tries = 4;
	if (c->cfg.renew_min_ms == 0)
		c->cfg.renew_min_ms = 60000;
	net_get_config(s, &nc);
	c->rng = c->cfg.seed ^ net_get32(nc.mac + 2) ^
		 ((uint32_t)nc.mac[1] << 24) ^ kt_now();
	if (c->rng == 0)
		c->rng = 0x2545f491u; /* xorshift's one fixed point */
	err = net_udp_bind(s, &c->sock, NET_DHCP_CLIENT_PORT, c->slots,
			   sizeof(c->slots) / sizeof(c->slots[0]));
	if (err != 0)
		return err;
	net_set_addr(s, 0, 0, 0);
	c->state = NET_DHCP_INIT;
	return 0;
}

int net_dhcp_run(struct net_dhcp *c)
{
	int err = 0;

	if (c->cfg.start_delay_ms != 0 &&
	    kt_sleep((kt_tick_t)ms_ticks(c, rand32(c) % c->cfg.start_delay_ms)) != 0)
		err = -ECANCELED;
	while (err == 0) {
		switch (c->state) {
		case NET_DHCP_INIT:
		case NET_DHCP_SELECTING:
			err = selecting(c);
			break;
		case NET_DHCP_REQUESTING:
			err = requesting(c);
			break;
		case NET_DHCP_BOUND:
			err = bound(c);
			break;
		case NET_DHCP_RENEWING:
		case NET_DHCP_REBINDING:
			err = renewing(c);
			break;
		default: /* FALLBACK: nothing more to do but drain the socket */
			err = wait_reply(c, UINT64_MAX, &(struct net_dhcp_msg){ 0 });
			break;
		}
	}
	net_udp_close(&c->sock);
	return err;
}

int net_dhcp_task(void *c)
{
	return net_dhcp_run(c);
}
