/*
 * Ethernet and ARP on the wire, and the address helpers (wire.h).
 *
 * Pure functions over the caller's bytes: see wire.h for the conventions.
 * An Ethernet frame here is what a MAC hands over once it has stripped
 * the FCS: 14 bytes of header and up to 1500 of payload, possibly padded
 * to the 60-byte minimum, which is why the payload views keep the padding
 * and the layers above cut it by their own length fields.
 */
#include <errno.h>
#include <string.h>

#include "wire.h"

const uint8_t net_mac_broadcast[NET_MAC_LEN] = { 0xff, 0xff, 0xff,
						 0xff, 0xff, 0xff };

void net_copy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *p = src;

	if ((((uintptr_t)d ^ (uintptr_t)p) & 3u) == 0) {
		while (n != 0 && ((uintptr_t)d & 3u) != 0) {
			*d++ = *p++;
			n--;
		}
	}
	if (n != 0)
		memcpy(d, p, n);
}

bool net_mac_equal(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, NET_MAC_LEN) == 0;
}

bool net_mac_is_unicast(const uint8_t *mac)
{
	static const uint8_t zero[NET_MAC_LEN];

	return !net_mac_is_multicast(mac) && memcmp(mac, zero, NET_MAC_LEN) != 0;
}

/* ---- text addresses ----------------------------------------------------------- */

int net_ip_parse(const char *text, uint32_t *ip)
{
	uint32_t v = 0;

	if (text == NULL || ip == NULL)
		return -EINVAL;
	for (int part = 0; part < 4; part++) {
		uint32_t n = 0;
		int digits = 0;

		if (part > 0 && *text++ != '.')
			return -EINVAL;
		while (*text >= '0' && *text <= '9' && digits < 4) {
			n = n * 10u + (uint32_t)(*text++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || n > 255)
			return -EINVAL;
		v = (v << 8) | n;
	}
	if (*text != '\0' && *text != ' ')
		return -EINVAL;
	*ip = v;
	return 0;
}

char *net_ip_format(uint32_t ip, char *buf)
{
	char *p = buf;

	for (int shift = 24; shift >= 0; shift -= 8) {
		unsigned b = (ip >> shift) & 0xffu;

		if (b >= 100)
			*p++ = (char)('0' + b / 100);
		if (b >= 10)
			*p++ = (char)('0' + b / 10 % 10);
		*p++ = (char)('0' + b % 10);
		if (shift > 0)
			*p++ = '.';
	}
	*p = '\0';
	return buf;
}

/* ---- Ethernet --------------------------------------------------------------------- */

int net_eth_parse(const uint8_t *f, size_t len, struct net_eth *out)
{
	if (len < NET_ETH_HDR)
		return -EINVAL;
	if (len > NET_FRAME_MAX)
		return -E2BIG;
	out->dst = f;
	out->src = f + 6;
	out->type = net_get16(f + 12);
	out->payload = f + NET_ETH_HDR;
	out->len = len - NET_ETH_HDR;
	return 0;
}

size_t net_eth_build(uint8_t *buf, size_t cap, const uint8_t *dst,
		     const uint8_t *src, uint16_t type)
{
	if (cap < NET_ETH_HDR)
		return 0;
	memcpy(buf, dst, NET_MAC_LEN);
	memcpy(buf + 6, src, NET_MAC_LEN);
	net_put16(buf + 12, type);
	return NET_ETH_HDR;
}

/* ---- ARP -------------------------------------------------------------------------- */

#define ARP_HTYPE_ETHERNET 1u

int net_arp_parse(const uint8_t *p, size_t len, struct net_arp *out)
{
	uint16_t op;

	if (len < NET_ARP_LEN)
		return -EINVAL;
	if (net_get16(p) != ARP_HTYPE_ETHERNET ||
	    net_get16(p + 2) != NET_ETHERTYPE_IPV4 || p[4] != NET_MAC_LEN ||
	    p[5] != 4)
		return -EPROTONOSUPPORT;
	op = net_get16(p + 6);
	if (op != NET_ARP_REQUEST && op != NET_ARP_REPLY)
		return -EINVAL;
	out->op = op;
	memcpy(out->sha, p + 8, NET_MAC_LEN);
	out->spa = net_get32(p + 14);
	memcpy(out->tha, p + 18, NET_MAC_LEN);
	out->tpa = net_get32(p + 24);
	return 0;
}

size_t net_arp_build(uint8_t *buf, size_t cap, const struct net_arp *a)
{
	if (cap < NET_ARP_LEN)
		return 0;
	net_put16(buf, ARP_HTYPE_ETHERNET);
	net_put16(buf + 2, NET_ETHERTYPE_IPV4);
	buf[4] = NET_MAC_LEN;
	buf[5] = 4;
	net_put16(buf + 6, a->op);
	memcpy(buf + 8, a->sha, NET_MAC_LEN);
	net_put32(buf + 14, a->spa);
	memcpy(buf + 18, a->tha, NET_MAC_LEN);
	net_put32(buf + 24, a->tpa);
	return NET_ARP_LEN;
}
