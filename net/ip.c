/*
 * IPv4, ICMP echo and UDP on the wire, and the Internet checksum (wire.h).
 *
 * Pure functions over the caller's bytes.  Each parser trusts nothing in
 * the packet: every length field is checked against the bytes actually
 * there before anything past the fixed header is read, and a view's
 * length comes from the field (cutting Ethernet padding), never from
 * what the caller passed.  The IPv4 checksum is verified before the
 * header is believed any further; options and fragments are refused
 * rather than half-handled, since this stack reassembles nothing.
 *
 * The checksum adds 16-bit big-endian words in a 32-bit accumulator and
 * folds the carries at the end of each piece, so a sum over several
 * pieces (pseudo-header, header, payload) never overflows; only the last
 * piece may have an odd length.  Headers and payloads sit word-aligned in
 * the stack's frame buffers (wire.h), where it sums a word per load.
 */
#include <errno.h>
#include <string.h>

#include "wire.h"

#define IP_FLAG_MF 0x2000u
#define IP_FLAG_DF 0x4000u
#define IP_FRAG_OFFSET 0x1fffu
#define IP_TOTAL_MAX 65535u

/* ---- checksum ------------------------------------------------------------------ */

static uint32_t fold(uint32_t sum)
{
	sum = (sum & 0xffffu) + (sum >> 16);
	return (sum & 0xffffu) + (sum >> 16);
}

/*
 * The sum of 4-aligned p[0..len & ~3) taken as little-endian 16-bit
 * halves, folded and byte-swapped: the one's complement sum does not care
 * about byte order (RFC 1071, 2(B)), so this equals the big-endian sum of
 * the same bytes, at one load per 4 bytes.  Little-endian hosts only.
 */
static uint32_t sum_words_le(const uint8_t *p, size_t len)
{
	uint32_t acc = 0;

	for (; len >= 4; p += 4, len -= 4) {
		uint32_t w;

		memcpy(&w, p, 4); /* one aligned load, no aliasing games */
		acc += (w & 0xffffu) + (w >> 16);
		if (acc & 0x80000000u)
			acc = fold(acc);
	}
	acc = fold(acc);
	return ((acc & 0xffu) << 8) | (acc >> 8);
}

uint32_t net_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	uint32_t acc = 0;

	if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ &&
	    ((uintptr_t)p & 3u) == 0 && len >= 4) {
		acc = sum_words_le(p, len);
		p += len & ~(size_t)3;
		len &= 3;
	}
	/* 8 bytes a round: fewer loop branches, same byte-wise loads. */
	while (len >= 8) {
		acc += (uint32_t)((p[0] << 8) | p[1]) +
		       (uint32_t)((p[2] << 8) | p[3]) +
		       (uint32_t)((p[4] << 8) | p[5]) +
		       (uint32_t)((p[6] << 8) | p[7]);
		p += 8;
		len -= 8;
		if (acc & 0x80000000u)
			acc = fold(acc); /* only after 2^15 rounds; stays exact */
	}
	while (len >= 2) {
		acc += (uint32_t)((p[0] << 8) | p[1]);
		p += 2;
		len -= 2;
	}
	if (len != 0)
		acc += (uint32_t)p[0] << 8;
	return fold(fold(sum) + fold(acc));
}

uint16_t net_csum_fold(uint32_t sum)
{
	return (uint16_t)~fold(sum);
}

uint16_t net_csum(const uint8_t *p, size_t len)
{
	return net_csum_fold(net_csum_add(0, p, len));
}

/* memmove where the regions overlap, else the aligned copy. */
static void move(uint8_t *dst, const uint8_t *src, size_t n)
{
	uintptr_t d = (uintptr_t)dst, p = (uintptr_t)src;

	if (d < p + n && p < d + n)
		memmove(dst, src, n);
	else
		net_copy(dst, src, n);
}

/* The pseudo-header's sum for UDP. */
static uint32_t pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, size_t len)
{
	return (src >> 16) + (src & 0xffffu) + (dst >> 16) + (dst & 0xffffu) +
	       proto + (uint32_t)len;
}

/* ---- IPv4 ------------------------------------------------------------------------ */

int net_ipv4_parse(const uint8_t *p, size_t len, struct net_ipv4 *out)
{
	size_t ihl, total;
	uint16_t frag;

	if (len < NET_IPV4_HDR || (p[0] >> 4) != 4)
		return -EINVAL;
	ihl = (size_t)(p[0] & 0x0fu) * 4u;
	if (ihl < NET_IPV4_HDR || ihl > len)
		return -EINVAL;
	total = net_get16(p + 2);
	if (total < ihl || total > len)
		return -EINVAL;
	if (net_csum(p, ihl) != 0)
		return -EBADMSG;
	if (ihl != NET_IPV4_HDR)
		return -ENOPROTOOPT;
	frag = net_get16(p + 6);
	if ((frag & IP_FLAG_MF) || (frag & IP_FRAG_OFFSET))
		return -EMSGSIZE;
	out->id = net_get16(p + 4);
	out->ttl = p[8];
	out->proto = p[9];
	out->src = net_get32(p + 12);
	out->dst = net_get32(p + 16);
	out->payload = p + ihl;
	out->len = total - ihl;
	return 0;
}

size_t net_ipv4_build(uint8_t *buf, size_t cap, const struct net_ipv4 *h,
		      size_t payload_len)
{
	if (cap < NET_IPV4_HDR || payload_len > IP_TOTAL_MAX - NET_IPV4_HDR)
		return 0;
	buf[0] = 0x45; /* version 4, 5 words */
	buf[1] = 0;
	net_put16(buf + 2, (uint16_t)(NET_IPV4_HDR + payload_len));
	net_put16(buf + 4, h->id);
	net_put16(buf + 6, IP_FLAG_DF);
	buf[8] = h->ttl;
	buf[9] = h->proto;
	net_put16(buf + 10, 0);
	net_put32(buf + 12, h->src);
	net_put32(buf + 16, h->dst);
	net_put16(buf + 10, net_csum(buf, NET_IPV4_HDR));
	return NET_IPV4_HDR;
}

/* ---- ICMP ------------------------------------------------------------------------ */

int net_icmp_parse(const uint8_t *p, size_t len, struct net_icmp *out)
{
	if (len < NET_ICMP_HDR)
		return -EINVAL;
	if (net_csum(p, len) != 0)
		return -EBADMSG;
	out->type = p[0];
	out->code = p[1];
	out->id = net_get16(p + 4);
	out->seq = net_get16(p + 6);
	out->data = p + NET_ICMP_HDR;
	out->len = len - NET_ICMP_HDR;
	return 0;
}

size_t net_icmp_echo_reply_build(uint8_t *buf, size_t cap, const struct net_icmp *req)
{
	size_t n = NET_ICMP_HDR + req->len;

	if (cap < NET_ICMP_HDR || req->len > cap - NET_ICMP_HDR)
		return 0;
	if (req->data != buf + NET_ICMP_HDR)
		move(buf + NET_ICMP_HDR, req->data, req->len);
	buf[0] = NET_ICMP_ECHO_REPLY;
	buf[1] = 0;
	net_put16(buf + 2, 0);
	net_put16(buf + 4, req->id);
	net_put16(buf + 6, req->seq);
	net_put16(buf + 2, net_csum(buf, n));
	return n;
}

/* ---- UDP ------------------------------------------------------------------------- */

int net_udp_parse(const uint8_t *p, size_t len, uint32_t src, uint32_t dst,
		  struct net_udp *out)
{
	size_t ulen;

	if (len < NET_UDP_HDR)
		return -EINVAL;
	ulen = net_get16(p + 4);
	if (ulen < NET_UDP_HDR || ulen > len)
		return -EINVAL;
	if (net_get16(p + 6) != 0 &&
	    net_csum_fold(net_csum_add(pseudo_sum(src, dst, NET_IPPROTO_UDP, ulen),
				       p, ulen)) != 0)
		return -EBADMSG;
	out->sport = net_get16(p);
	out->dport = net_get16(p + 2);
	out->payload = p + NET_UDP_HDR;
	out->len = ulen - NET_UDP_HDR;
	return 0;
}

size_t net_udp_build(uint8_t *buf, size_t cap, uint32_t src, uint32_t dst,
		     uint16_t sport, uint16_t dport, const void *payload, size_t len)
{
	size_t n = NET_UDP_HDR + len;
	uint16_t sum;

	if (cap < NET_UDP_HDR || len > cap - NET_UDP_HDR ||
	    len > IP_TOTAL_MAX - NET_IPV4_HDR - NET_UDP_HDR)
		return 0;
	if (len != 0 && payload != buf + NET_UDP_HDR)
		move(buf + NET_UDP_HDR, payload, len);
	net_put16(buf, sport);
	net_put16(buf + 2, dport);
	net_put16(buf + 4, (uint16_t)n);
	net_put16(buf + 6, 0);
	sum = net_csum_fold(
		net_csum_add(pseudo_sum(src, dst, NET_IPPROTO_UDP, n), buf, n));
	net_put16(buf + 6, sum != 0 ? sum : 0xffffu); /* 0 means "none" */
	return n;
}

/* ---- TCP ------------------------------------------------------------------------- */

/* The options p[0..n): the MSS when there is one (else 0); -EINVAL when
 * an option's length runs past them. */
static int tcp_options(const uint8_t *p, size_t n, uint16_t *mss)
{
	size_t i = 0;

	*mss = 0;
	while (i < n) {
		size_t olen;

		if (p[i] == 0) /* end of options */
			break;
		if (p[i] == 1) { /* no-op */
			i++;
			continue;
		}
		if (n - i < 2)
			return -EINVAL;
		olen = p[i + 1];
		if (olen < 2 || olen > n - i)
			return -EINVAL;
		if (p[i] == 2) {
			if (olen != 4)
				return -EINVAL;
			*mss = net_get16(p + i + 2);
		}
		i += olen;
	}
	return 0;
}

int net_tcp_parse(const uint8_t *p, size_t len, uint32_t src, uint32_t dst,
		  struct net_tcp *out)
{
	size_t hlen;

	if (len < NET_TCP_HDR)
		return -EINVAL;
	hlen = (size_t)(p[12] >> 4) * 4u;
	if (hlen < NET_TCP_HDR || hlen > len)
		return -EINVAL;
	if (net_csum_fold(net_csum_add(pseudo_sum(src, dst, NET_IPPROTO_TCP, len),
				       p, len)) != 0)
		return -EBADMSG;
	if (tcp_options(p + NET_TCP_HDR, hlen - NET_TCP_HDR, &out->mss) != 0)
		return -EINVAL;
	out->sport = net_get16(p);
	out->dport = net_get16(p + 2);
	out->seq = net_get32(p + 4);
	out->ack = net_get32(p + 8);
	out->flags = p[13] & 0x3fu;
	out->wnd = net_get16(p + 14);
	out->payload = p + hlen;
	out->len = len - hlen;
	return 0;
}

size_t net_tcp_build(uint8_t *buf, size_t cap, uint32_t src, uint32_t dst,
		     const struct net_tcp *h, size_t payload_len)
{
	size_t hlen = net_tcp_hdr_len(h);
	size_t n = hlen + payload_len;

	if (cap < hlen || payload_len > cap - hlen ||
	    payload_len > IP_TOTAL_MAX - NET_IPV4_HDR - hlen)
		return 0;
	net_put16(buf, h->sport);
	net_put16(buf + 2, h->dport);
	net_put32(buf + 4, h->seq);
	net_put32(buf + 8, h->ack);
	buf[12] = (uint8_t)((hlen / 4u) << 4);
	buf[13] = h->flags;
	net_put16(buf + 14, h->wnd);
	net_put16(buf + 16, 0);
	net_put16(buf + 18, 0); /* urgent pointer: never sent */
	if (h->mss != 0) {
		buf[20] = 2;
		buf[21] = 4;
		net_put16(buf + 22, h->mss);
	}
	net_put16(buf + 16,
		  net_csum_fold(net_csum_add(pseudo_sum(src, dst, NET_IPPROTO_TCP, n),
					     buf, n)));
	return n;
}
