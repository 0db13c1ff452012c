/*
 * The wire formats (net/wire.h): every parser on good input, on each kind
 * of bad input (truncated, lying lengths, bad checksums, unsupported
 * features), and every builder against known bytes and its own parser.
 * Parsers get exactly-sized heap copies, so AddressSanitizer reports a
 * read of even one byte past what they were given.
 */
#include <stdlib.h>
#include <string.h>

#include "kt_test.h"
#include "wire.h"

static const uint8_t mac_a[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t mac_b[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };
#define IP_A NET_IP4(10, 0, 2, 15)
#define IP_B NET_IP4(10, 0, 2, 2)

/* A heap copy of exactly len bytes (ASan catches overreads). */
static uint8_t *exact(const uint8_t *p, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);

	assert_non_null(c);
	memcpy(c, p, len);
	return c;
}

/* ---- checksum ------------------------------------------------------------------- */

static void checksum_rfc1071_example(void **state)
{
	/* RFC 1071 section 3's words: sum 0xddf2, checksum ~0xddf2. */
	static const uint8_t d[] = { 0x00, 0x01, 0xf2, 0x03,
				     0xf4, 0xf5, 0xf6, 0xf7 };
	(void)state;
	assert_int_equal(net_csum(d, sizeof(d)), (uint16_t)~0xddf2);
	/* Odd length: the last byte is the high half of a word. */
	assert_int_equal(net_csum((const uint8_t *)"\x01", 1), (uint16_t)~0x0100);
	assert_int_equal(net_csum(d, 0), 0xffff);
}

static void checksum_pieces_equal_whole(void **state)
{
	uint8_t buf[1501];
	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 37 + 11);
	for (size_t cut = 0; cut <= 64; cut += 2) {
		uint32_t sum = net_csum_add(0, buf, cut);

		sum = net_csum_add(sum, buf + cut, sizeof(buf) - cut);
		assert_int_equal(net_csum_fold(sum), net_csum(buf, sizeof(buf)));
	}
	/* Every alignment and length: the word path equals the plain sum. */
	for (size_t off = 0; off < 8; off++) {
		for (size_t len = 0; len < 80; len++) {
			uint32_t ref = 0;

			for (size_t i = 0; i < len; i++)
				ref += i % 2 ? buf[off + i] :
					       (uint32_t)buf[off + i] << 8;
			while (ref >> 16)
				ref = (ref & 0xffff) + (ref >> 16);
			assert_int_equal(net_csum(buf + off, len), (uint16_t)~ref);
		}
	}
	/* All 0xff: the sum folds to 0xffff without overflowing. */
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(net_csum(buf, 1500), 0);
}

/* ---- addresses ------------------------------------------------------------------ */

static void ip_text(void **state)
{
	uint32_t ip = 0;
	char buf[16];
	(void)state;
	assert_int_equal(net_ip_parse("10.0.2.15", &ip), 0);
	assert_int_equal(ip, IP_A);
	assert_int_equal(net_ip_parse("255.255.255.255", &ip), 0);
	assert_int_equal(ip, 0xffffffffu);
	assert_int_equal(net_ip_parse("192.0.2.1 rest", &ip), 0);
	assert_int_equal(ip, NET_IP4(192, 0, 2, 1));
	assert_int_equal(net_ip_parse("256.0.0.1", &ip), -EINVAL);
	assert_int_equal(net_ip_parse("1.2.3", &ip), -EINVAL);
	assert_int_equal(net_ip_parse("1.2.3.4.5", &ip), -EINVAL);
	assert_int_equal(net_ip_parse("1..3.4", &ip), -EINVAL);
	assert_int_equal(net_ip_parse("0001.2.3.4", &ip), -EINVAL);
	assert_int_equal(net_ip_parse("a.b.c.d", &ip), -EINVAL);
	assert_int_equal(net_ip_parse("", &ip), -EINVAL);
	assert_int_equal(net_ip_parse(NULL, &ip), -EINVAL);
	assert_string_equal(net_ip_format(IP_A, buf), "10.0.2.15");
	assert_string_equal(net_ip_format(0, buf), "0.0.0.0");
	assert_string_equal(net_ip_format(0xffffffffu, buf), "255.255.255.255");
	assert_string_equal(net_ip_format(NET_IP4(192, 100, 9, 10), buf),
			    "192.100.9.10");
	assert_true(net_mac_is_multicast(net_mac_broadcast));
	assert_false(net_mac_is_multicast(mac_a));
}

/* ---- Ethernet ------------------------------------------------------------------- */

static void eth_build_and_parse(void **state)
{
	uint8_t f[NET_FRAME_MAX + 1];
	struct net_eth e;
	uint8_t *c;
	(void)state;
	memset(f, 0xaa, sizeof(f));
	assert_int_equal(net_eth_build(f, 13, mac_b, mac_a, 0x0800), 0);
	assert_int_equal(net_eth_build(f, sizeof(f), mac_b, mac_a, 0x0806), 14);
	assert_memory_equal(f, mac_b, 6);
	assert_memory_equal(f + 6, mac_a, 6);
	assert_int_equal(f[12], 0x08);
	assert_int_equal(f[13], 0x06);

	c = exact(f, 14);
	assert_int_equal(net_eth_parse(c, 14, &e), 0);
	assert_int_equal(e.type, NET_ETHERTYPE_ARP);
	assert_int_equal(e.len, 0);
	assert_ptr_equal(e.dst, c);
	assert_ptr_equal(e.src, c + 6);
	free(c);
	c = exact(f, NET_FRAME_MAX);
	assert_int_equal(net_eth_parse(c, NET_FRAME_MAX, &e), 0);
	assert_int_equal(e.len, NET_FRAME_MAX - 14);
	free(c);
	for (size_t n = 0; n < 14; n++) {
		c = exact(f, n);
		assert_int_equal(net_eth_parse(c, n, &e), -EINVAL);
		free(c);
	}
	assert_int_equal(net_eth_parse(f, NET_FRAME_MAX + 1, &e), -E2BIG);
}

/* ---- ARP ------------------------------------------------------------------------ */

static void arp_build_and_parse(void **state)
{
	struct net_arp a = { .op = NET_ARP_REQUEST, .spa = IP_A, .tpa = IP_B }, b;
	static const uint8_t want[28] = {
		0x00, 0x01, 0x08, 0x00, 6,  4, 0x00, 0x01, 0x52, 0x54,
		0x00, 0x12, 0x34, 0x56, 10, 0, 2,    15,   0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 10, 0, 2,    2,
	};
	uint8_t p[64], *c;
	(void)state;
	memcpy(a.sha, mac_a, 6);
	memset(a.tha, 0, 6);
	assert_int_equal(net_arp_build(p, 27, &a), 0);
	assert_int_equal(net_arp_build(p, sizeof(p), &a), 28);
	assert_memory_equal(p, want, 28);

	c = exact(p, 28);
	assert_int_equal(net_arp_parse(c, 28, &b), 0);
	assert_int_equal(b.op, NET_ARP_REQUEST);
	assert_memory_equal(b.sha, mac_a, 6);
	assert_int_equal(b.spa, IP_A);
	assert_int_equal(b.tpa, IP_B);
	free(c);
	/* Padding after the packet is ignored. */
	memset(p + 28, 0x55, 18);
	assert_int_equal(net_arp_parse(p, 46, &b), 0);
	for (size_t n = 0; n < 28; n++) {
		c = exact(p, n);
		assert_int_equal(net_arp_parse(c, n, &b), -EINVAL);
		free(c);
	}
	p[1] = 6; /* IEEE 802 hardware */
	assert_int_equal(net_arp_parse(p, 28, &b), -EPROTONOSUPPORT);
	p[1] = 1;
	p[2] = 0x86; /* IPv6 */
	assert_int_equal(net_arp_parse(p, 28, &b), -EPROTONOSUPPORT);
	p[2] = 0x08;
	p[4] = 8;
	assert_int_equal(net_arp_parse(p, 28, &b), -EPROTONOSUPPORT);
	p[4] = 6;
	p[5] = 16;
	assert_int_equal(net_arp_parse(p, 28, &b), -EPROTONOSUPPORT);
	p[5] = 4;
	p[7] = 3; /* RARP */
	assert_int_equal(net_arp_parse(p, 28, &b), -EINVAL);
	p[7] = 2;
	assert_int_equal(net_arp_parse(p, 28, &b), 0);
	assert_int_equal(b.op, NET_ARP_REPLY);
}

/* ---- IPv4 ------------------------------------------------------------------------ */

/* A valid IPv4 header + payload_len bytes of payload in p; returns the length. */
static size_t ipv4_packet(uint8_t *p, size_t payload_len, uint8_t proto)
{
	struct net_ipv4 h = { .proto = proto,
			      .ttl = 64,
			      .id = 0x1234,
			      .src = IP_B,
			      .dst = IP_A };

	for (size_t i = 0; i < payload_len; i++)
		p[20 + i] = (uint8_t)(i + 1);
	assert_int_equal(net_ipv4_build(p, 20 + payload_len, &h, payload_len), 20);
	return 20 + payload_len;
}

static void refresh_ip_csum(uint8_t *p, size_t ihl)
{
	net_put16(p + 10, 0);
	net_put16(p + 10, net_csum(p, ihl));
}

static void ipv4_build_and_parse(void **state)
{
	uint8_t p[1600], *c;
	struct net_ipv4 ip;
	size_t n = ipv4_packet(p, 100, NET_IPPROTO_UDP);
	(void)state;
	assert_int_equal(p[0], 0x45);
	assert_int_equal(net_get16(p + 2), 120);
	assert_int_equal(net_get16(p + 6), 0x4000); /* DF */
	assert_int_equal(net_csum(p, 20), 0);

	c = exact(p, n);
	assert_int_equal(net_ipv4_parse(c, n, &ip), 0);
	assert_int_equal(ip.proto, NET_IPPROTO_UDP);
	assert_int_equal(ip.ttl, 64);
	assert_int_equal(ip.id, 0x1234);
	assert_int_equal(ip.src, IP_B);
	assert_int_equal(ip.dst, IP_A);
	assert_ptr_equal(ip.payload, c + 20);
	assert_int_equal(ip.len, 100);
	free(c);

	/* Ethernet padding after the datagram is cut by the total length. */
	assert_int_equal(net_ipv4_parse(p, n + 30, &ip), 0);
	assert_int_equal(ip.len, 100);

	/* Truncated anywhere: the total length lies or the header is cut. */
	for (size_t len = 0; len < n; len++) {
		c = exact(p, len);
		assert_int_equal(net_ipv4_parse(c, len, &ip), -EINVAL);
		free(c);
	}
	/* The builder refuses what does not fit. */
	{
		struct net_ipv4 h = { .proto = 17 };
		assert_int_equal(net_ipv4_build(p, 19, &h, 0), 0);
		assert_int_equal(net_ipv4_build(p, 20, &h, 65516), 0);
	}
}

static void ipv4_rejects(void **state)
{
	uint8_t p[200], q[200];
	struct net_ipv4 ip;
	size_t n = ipv4_packet(p, 40, NET_IPPROTO_ICMP);
	(void)state;

	memcpy(q, p, n);
	q[0] = 0x65; /* version 6 */
	refresh_ip_csum(q, 20);
	assert_int_equal(net_ipv4_parse(q, n, &ip), -EINVAL);

	memcpy(q, p, n);
	q[0] = 0x44; /* header of 16 bytes */
	assert_int_equal(net_ipv4_parse(q, n, &ip), -EINVAL);

	memcpy(q, p, n);
	net_put16(q + 2, 19); /* total under the header */
	refresh_ip_csum(q, 20);
	assert_int_equal(net_ipv4_parse(q, n, &ip), -EINVAL);

	memcpy(q, p, n);
	net_put16(q + 2, (uint16_t)(n + 1)); /* total over what came */
	refresh_ip_csum(q, 20);
	assert_int_equal(net_ipv4_parse(q, n, &ip), -EINVAL);

	memcpy(q, p, n);
	q[12] ^= 1; /* source changed, checksum not */
	assert_int_equal(net_ipv4_parse(q, n, &ip), -EBADMSG);

	/* Options: 24-byte header, checksum right. */
	memcpy(q, p, 20);
	q[0] = 0x46;
	q[20] = 1;
	q[21] = 1;
	q[22] = 1;
	q[23] = 0; /* NOPs, EOL */
	memcpy(q + 24, p + 20, n - 20);
	net_put16(q + 2, (uint16_t)(n + 4));
	refresh_ip_csum(q, 24);
	assert_int_equal(net_ipv4_parse(q, n + 4, &ip), -ENOPROTOOPT);
	/* An IHL that claims more than there is. */
	q[0] = 0x4f;
	assert_int_equal(net_ipv4_parse(q, 40, &ip), -EINVAL);

	/* Fragments: more-fragments, or an offset. */
	memcpy(q, p, n);
	net_put16(q + 6, 0x2000);
	refresh_ip_csum(q, 20);
	assert_int_equal(net_ipv4_parse(q, n, &ip), -EMSGSIZE);
	net_put16(q + 6, 0x0001);
	refresh_ip_csum(q, 20);
	assert_int_equal(net_ipv4_parse(q, n, &ip), -EMSGSIZE);
	net_put16(q + 6, 0x4000);
	refresh_ip_csum(q, 20);
	assert_int_equal(net_ipv4_parse(q, n, &ip), 0);
}

/* ---- ICMP ------------------------------------------------------------------------- */

static void icmp_echo(void **state)
{
	uint8_t req[64], rep[64], *c;
	struct net_icmp m, r;
	(void)state;
	req[0] = NET_ICMP_ECHO_REQUEST;
	req[1] = 0;
	net_put16(req + 2, 0);
	net_put16(req + 4, 0xbeef);
	net_put16(req + 6, 7);
	for (int i = 8; i < 64; i++)
		req[i] = (uint8_t)i;
	net_put16(req + 2, net_csum(req, 64));

	c = exact(req, 64);
	assert_int_equal(net_icmp_parse(c, 64, &m), 0);
	assert_int_equal(m.type, NET_ICMP_ECHO_REQUEST);
	assert_int_equal(m.id, 0xbeef);
	assert_int_equal(m.seq, 7);
	assert_int_equal(m.len, 56);
	assert_int_equal(net_icmp_echo_reply_build(rep, 63, &m), 0);
	assert_int_equal(net_icmp_echo_reply_build(rep, 64, &m), 64);
	free(c);
	assert_int_equal(rep[0], NET_ICMP_ECHO_REPLY);
	assert_memory_equal(rep + 4, req + 4, 60);
	assert_int_equal(net_csum(rep, 64), 0);
	assert_int_equal(net_icmp_parse(rep, 64, &r), 0);
	assert_int_equal(r.type, NET_ICMP_ECHO_REPLY);

	/* Built in place, over the request itself. */
	memcpy(rep, req, 64);
	assert_int_equal(net_icmp_parse(rep, 64, &m), 0);
	assert_int_equal(net_icmp_echo_reply_build(rep, 64, &m), 64);
	assert_int_equal(net_csum(rep, 64), 0);
	assert_memory_equal(rep + 8, req + 8, 56);

	for (size_t n = 0; n < 8; n++) {
		c = exact(req, n);
		assert_int_equal(net_icmp_parse(c, n, &m), -EINVAL);
		free(c);
	}
	req[40] ^= 0x10;
	assert_int_equal(net_icmp_parse(req, 64, &m), -EBADMSG);
	/* A cut message fails its checksum, not a bounds check. */
	req[40] ^= 0x10;
	assert_int_equal(net_icmp_parse(req, 63, &m), -EBADMSG);
}

/* ---- UDP -------------------------------------------------------------------------- */

static void udp_build_and_parse(void **state)
{
	uint8_t p[NET_UDP_HDR + NET_UDP_PAYLOAD_MAX], data[NET_UDP_PAYLOAD_MAX];
	struct net_udp u;
	uint8_t *c;
	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13 + 5);
	for (size_t len = 0; len <= NET_UDP_PAYLOAD_MAX; len += len < 20 ? 1 : 97) {
		size_t n = net_udp_build(p, sizeof(p), IP_A, IP_B, 7, 40000,
					 data, len);

		assert_int_equal(n, 8 + len);
		assert_int_equal(net_get16(p), 7);
		assert_int_equal(net_get16(p + 2), 40000);
		assert_int_equal(net_get16(p + 4), n);
		assert_int_not_equal(net_get16(p + 6), 0);
		c = exact(p, n);
		assert_int_equal(net_udp_parse(c, n, IP_A, IP_B, &u), 0);
		assert_int_equal(u.sport, 7);
		assert_int_equal(u.dport, 40000);
		assert_int_equal(u.len, len);
		assert_memory_equal(u.payload, data, len);
		/* The pseudo-header counts: other addresses, other sum. */
		assert_int_equal(net_udp_parse(c, n, IP_A, IP_A, &u), -EBADMSG);
		free(c);
	}
	assert_int_equal(net_udp_build(p, 7, IP_A, IP_B, 1, 2, NULL, 0), 0);
	assert_int_equal(net_udp_build(p, 20, IP_A, IP_B, 1, 2, data, 13), 0);
	/* Payload already in place. */
	memcpy(p + 8, "hello", 5);
	assert_int_equal(net_udp_build(p, sizeof(p), IP_A, IP_B, 1, 2, p + 8, 5), 13);
	assert_memory_equal(p + 8, "hello", 5);
}

static void udp_rejects(void **state)
{
	uint8_t p[64], *c;
	struct net_udp u;
	size_t n;
	(void)state;
	n = net_udp_build(p, sizeof(p), IP_B, IP_A, 5000, 7, "abcdefgh", 8);
	assert_int_equal(n, 16);
	for (size_t len = 0; len < 16; len++) {
		c = exact(p, len);
		assert_int_equal(net_udp_parse(c, len, IP_B, IP_A, &u), -EINVAL);
		free(c);
	}
	/* Bytes after the length field (IP padding) are ignored. */
	p[16] = 0x99;
	assert_int_equal(net_udp_parse(p, 17, IP_B, IP_A, &u), 0);
	assert_int_equal(u.len, 8);
	/* A length field under the header. */
	net_put16(p + 4, 7);
	assert_int_equal(net_udp_parse(p, 16, IP_B, IP_A, &u), -EINVAL);
	net_put16(p + 4, 16);
	/* A wrong checksum, then none at all (0: accepted). */
	p[10] ^= 0xff;
	assert_int_equal(net_udp_parse(p, 16, IP_B, IP_A, &u), -EBADMSG);
	net_put16(p + 6, 0);
	assert_int_equal(net_udp_parse(p, 16, IP_B, IP_A, &u), 0);
}

static void udp_checksum_zero_goes_out_as_ffff(void **state)
{
	uint8_t p[32];
	(void)state;
	/*
	 * Find a 2-byte payload whose checksum computes to 0; the builder
	 * must send 0xffff (0 means "no checksum"), which still verifies.
	 */
	for (uint32_t v = 0; v < 0x10000; v++) {
		uint8_t d[2] = { (uint8_t)(v >> 8), (uint8_t)v };

		net_udp_build(p, sizeof(p), IP_A, IP_B, 1, 2, d, 2);
		if (net_get16(p + 6) == 0xffff) {
			struct net_udp u;

			assert_int_equal(net_udp_parse(p, 10, IP_A, IP_B, &u), 0);
			return;
		}
	}
	fail_msg("no 2-byte payload sums to 0: the search is wrong");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(checksum_rfc1071_example),
		cmocka_unit_test(checksum_pieces_equal_whole),
		cmocka_unit_test(ip_text),
		cmocka_unit_test(eth_build_and_parse),
		cmocka_unit_test(arp_build_and_parse),
		cmocka_unit_test(ipv4_build_and_parse),
		cmocka_unit_test(ipv4_rejects),
		cmocka_unit_test(icmp_echo),
		cmocka_unit_test(udp_build_and_parse),
		cmocka_unit_test(udp_rejects),
		cmocka_unit_test(udp_checksum_zero_goes_out_as_ffff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
