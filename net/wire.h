/*
 * The wire formats: pure parsers and builders over byte buffers.
 *
 * Nothing here knows about boards, tasks or time: each function reads or
 * writes the bytes it is given and nothing else, so host tests and the
 * fuzzer call them directly.  Every multi-byte field is read and written
 * a byte at a time in network order, so buffers need no alignment (a
 * Cortex-M0 faults on unaligned words) and the host's byte order never
 * shows.  Addresses are uint32_t in host order (NET_IP4(10,0,2,15)).
 *
 * Parsers check every length before they read: a parser given len bytes
 * reads only p[0..len), and a header field that claims more than is there
 * is an error, never a read past the end.  On success they fill a view
 * whose pointers point into the caller's buffer.  Errors, throughout:
 *   -EINVAL       truncated, or a length field that lies, or a malformed
 *                 field (version, sizes, opcode)
 *   -EBADMSG      a checksum does not match
 *   -E2BIG        larger than this stack takes (an Ethernet frame over
 *                 NET_FRAME_MAX)
 *   -ENOPROTOOPT  IPv4 options
 *   -EMSGSIZE     an IPv4 fragment (part of a bigger datagram)
 *   -EPROTONOSUPPORT  ARP for another hardware or protocol type
 * Builders take a capacity and return the bytes written, or 0 when the
 * result would not fit (nothing useful is written then).
 */
#ifndef NET_WIRE_H
#define NET_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_IP4(a, b, c, d) \
	(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | \
	 ((uint32_t)(c) << 8) | (uint32_t)(d))
#define NET_IP_BROADCAST 0xffffffffu

#define NET_MAC_LEN 6
#define NET_ETH_HDR 14
#define NET_FRAME_MAX 1514 /* Ethernet header + 1500, no FCS */
#define NET_ETH_MTU 1500
#define NET_ETHERTYPE_IPV4 0x0800u
#define NET_ETHERTYPE_ARP 0x0806u

#define NET_ARP_LEN 28
#define NET_ARP_REQUEST 1u
#define NET_ARP_REPLY 2u

#define NET_IPV4_HDR 20
#define NET_IPPROTO_ICMP 1u
#define NET_IPPROTO_TCP 6u
#define NET_IPPROTO_UDP 17u
#define NET_IP_TTL 64u

#define NET_ICMP_HDR 8
#define NET_ICMP_ECHO_REPLY 0u
#define NET_ICMP_ECHO_REQUEST 8u

#define NET_UDP_HDR 8
/* A UDP payload that fits one unfragmented frame: 1500 - 20 - 8. */
#define NET_UDP_PAYLOAD_MAX (NET_ETH_MTU - NET_IPV4_HDR - NET_UDP_HDR)
/* Where a UDP payload starts in a frame. */
#define NET_UDP_PAYLOAD_OFF (NET_ETH_HDR + NET_IPV4_HDR + NET_UDP_HDR)

/*
 * Storage for one frame whose IPv4 header - 14 bytes in - is word-aligned:
 * the frame starts 2 bytes into word storage (net_frame()), so the UDP
 * payload (42 bytes in) is word-aligned too, and copies between such
 * buffers and payloads take memcpy's word path instead of its byte loop.
 */
struct net_frame_buf {
	uint32_t words[(NET_FRAME_MAX + 2 + 3) / 4];
};

static inline uint8_t *net_frame(struct net_frame_buf *b)
{
	return (uint8_t *)b->words + 2;
}

/*
 * memcpy for frames and payloads: when dst and src are misaligned by the
 * same amount (two frames 2 bytes into words) it copies the head bytes
 * itself so that memcpy gets aligned pointers.  Regions must not overlap.
 */
void net_copy(void *dst, const void *src, size_t n);

/* ---- bytes in network order ---------------------------------------------- */

static inline uint16_t net_get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t net_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static inline void net_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void net_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ---- the Internet checksum (RFC 1071) ---------------------------------------- */

/*
 * Add p[0..len) to a running sum as 16-bit big-endian words; an odd last
 * byte is padded with zero, so only the last piece of a sum may be odd.
 */
uint32_t net_csum_add(uint32_t sum, const uint8_t *p, size_t len);
/* The checksum field for a finished sum: its folded one's complement. */
uint16_t net_csum_fold(uint32_t sum);
/* The checksum of one buffer: 0 over data that carries a correct one. */
uint16_t net_csum(const uint8_t *p, size_t len);

/* ---- addresses -------------------------------------------------------------- */

extern const uint8_t net_mac_broadcast[NET_MAC_LEN];

static inline bool net_mac_is_multicast(const uint8_t *mac)
{
	return (mac[0] & 1u) != 0; /* broadcast included */
}

bool net_mac_equal(const uint8_t *a, const uint8_t *b);
/* A station's own address: not multicast (nor broadcast), not all zero. */
bool net_mac_is_unicast(const uint8_t *mac);

/*
 * "a.b.c.d" to an address: 0, or -EINVAL for anything else (parts over
 * 255, missing or extra parts, leading junk or trailing text).  text ends
 * at NUL or at the first space.
 */
int net_ip_parse(const char *text, uint32_t *ip);
/* ip as "a.b.c.d" in buf (at least 16 bytes); returns buf. */
char *net_ip_format(uint32_t ip, char *buf);

/* ---- Ethernet ------------------------------------------------------------------ */

struct net_eth {
	const uint8_t *dst, *src;
	uint16_t type;
	const uint8_t *payload;
	size_t len; /* payload bytes (with any padding the sender added) */
};

/* -EINVAL under 14 bytes, -E2BIG over NET_FRAME_MAX. */
int net_eth_parse(const uint8_t *f, size_t len, struct net_eth *out);
size_t net_eth_build(uint8_t *buf, size_t cap, const uint8_t *dst,
		     const uint8_t *src, uint16_t type);

/* ---- ARP (RFC 826), Ethernet and IPv4 only ------------------------------------ */

struct net_arp {
	uint16_t op;
	uint8_t sha[NET_MAC_LEN];
	uint32_t spa;
	uint8_t tha[NET_MAC_LEN];
	uint32_t tpa;
};

/*
 * p is the frame's payload.  -EINVAL when short or the opcode is not a
 * request or reply, -EPROTONOSUPPORT for other hardware/protocol types
 * or address sizes.  Bytes past the 28 of the packet (padding) are
 * ignored.
 */
int net_arp_parse(const uint8_t *p, size_t len, struct net_arp *out);
size_t net_arp_build(uint8_t *buf, size_t cap, const struct net_arp *a);

/* ---- IPv4 (RFC 791) ---------------------------------------------------------------- */

struct net_ipv4 {
	uint8_t proto;
	uint8_t ttl;
	uint16_t id;
	uint32_t src, dst;
	const uint8_t *payload;
	size_t len; /* payload bytes, from the total length: padding cut */
};

/*
 * p is the frame's payload.  -EINVAL: shorter than a header, version not
 * 4, header length under 20, total length under the header or over len;
 * -EBADMSG: header checksum; -ENOPROTOOPT: options (header over 20 bytes,
 * after the checksum is verified); -EMSGSIZE: a fragment (more-fragments
 * set or an offset).
 */
int net_ipv4_parse(const uint8_t *p, size_t len, struct net_ipv4 *out);
/*
 * A 20-byte header for payload_len bytes of h->proto from h->src to
 * h->dst, with h->id and h->ttl, don't-fragment set and the checksum
 * filled in (h->payload and h->len are not used).  0 when it does not
 * fit or the datagram would exceed 65535 bytes.
 */
size_t net_ipv4_build(uint8_t *buf, size_t cap, const struct net_ipv4 *h,
		      size_t payload_len);

/* ---- ICMP (RFC 792): echo ------------------------------------------------------------ */

struct net_icmp {
	uint8_t type, code;
	uint16_t id, seq;    /* meaningful for echo messages */
	const uint8_t *data; /* after the 8-byte header */
	size_t len;
};

/* p is the IPv4 payload.  -EINVAL under 8 bytes, -EBADMSG checksum. */
int net_icmp_parse(const uint8_t *p, size_t len, struct net_icmp *out);
/*
 * An echo reply to req (a parsed echo request): its header and data, with
 * type 0 and a new checksum.  0 when it does not fit.
 */
size_t net_icmp_echo_reply_build(uint8_t *buf, size_t cap,
				 const struct net_icmp *req);

/* ---- UDP (RFC 768) -------------------------------------------------------------- */

struct net_udp {
	uint16_t sport, dport;
	const uint8_t *payload;
	size_t len;
};

/*
 * p is the IPv4 payload, src and dst the addresses of its header (for the
 * pseudo-header).  -EINVAL under 8 bytes, or a length field under 8 or
 * over len (bytes past the length field are ignored); -EBADMSG when the
 * checksum is not zero (none) and does not match.
 */
int net_udp_parse(const uint8_t *p, size_t len, uint32_t src, uint32_t dst,
		  struct net_udp *out);
/*
 * An 8-byte header and the payload (copied to buf + 8, memmove: it may
 * already be there), checksummed with the pseudo-header.  0 when it does
 * not fit or exceeds 65535 bytes.
 */
size_t net_udp_build(uint8_t *buf, size_t cap, uint32_t src, uint32_t dst,
		     uint16_t sport, uint16_t dport, const void *payload,
		     size_t len);

/* ---- TCP (RFC 9293): the segment format -------------------------------------- */

#define NET_TCP_HDR 20
#define NET_TCP_HDR_MAX 60
#define NET_TCP_FIN 0x01u
#define NET_TCP_SYN 0x02u
#define NET_TCP_RST 0x04u
#define NET_TCP_PSH 0x08u
#define NET_TCP_ACK 0x10u
#define NET_TCP_URG 0x20u
/* The MSS of one unfragmented Ethernet frame: 1500 - 20 - 20. */
#define NET_TCP_MSS_MAX (NET_ETH_MTU - NET_IPV4_HDR - NET_TCP_HDR)
/* Where a segment's payload starts in a frame, without options. */
#define NET_TCP_PAYLOAD_OFF (NET_ETH_HDR + NET_IPV4_HDR + NET_TCP_HDR)

struct net_tcp {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags; /* NET_TCP_FIN .. NET_TCP_URG; the rest are ignored */
	uint16_t wnd;
	uint16_t mss;           /* the MSS option; 0 when absent */
	const uint8_t *payload; /* after the header and its options */
	size_t len;
};

/*
 * p is the IPv4 payload, src and dst the addresses of its header.
 * -EINVAL under 20 bytes, a data offset under 5 or past len, or an option
 * whose length runs past the header (or is under 2); -EBADMSG when the
 * checksum does not match.  Options other than MSS are skipped; an MSS
 * option of the wrong length is -EINVAL.
 */
int net_tcp_parse(const uint8_t *p, size_t len, uint32_t src, uint32_t dst,
		  struct net_tcp *out);
/* The header length net_tcp_build writes for h: 24 with an MSS option. */
static inline size_t net_tcp_hdr_len(const struct net_tcp *h)
{
	return h->mss != 0 ? NET_TCP_HDR + 4 : NET_TCP_HDR;
}
/*
 * The header for h (h->payload is not used), with an MSS option when
 * h->mss is not 0, in front of payload_len bytes the caller has already
 * put at buf + net_tcp_hdr_len(h); checksummed with the pseudo-header.
 * Returns header + payload length; 0 when it does not fit.
 */
size_t net_tcp_build(uint8_t *buf, size_t cap, uint32_t src, uint32_t dst,
		     const struct net_tcp *h, size_t payload_len);

#endif
