/*
 * The soak protocol's data (tests/qemu/sc_soak.c), mirrored by the
 * runner's tests/qemu/soak.py: change both together.
 *
 *   firmware -> "soak: ready\n"
 *   runner   -> with the network: hello datagrams until one is acked
 *   runner   -> header: duration in ticks, seed, flags (little-endian u32
 *               each; flag SOAK_FLAG_NET: the network floods too)
 *   runner   -> frames, as fast as the firmware's reports of what reached
 *               its UART ("soak: rx N read M dropped D\n") let it keep at
 *               most a window in flight, until the firmware says
 *               "soak: stop\n"
 *   runner   -> once all it sent reached the UART and was read or dropped
 *               (N = what it sent = M + D: the ring is empty and the
 *               reader no longer pauses, so nothing can drop it), the
 *               trailer: how many frames and bytes it sent
 *   firmware -> its report and summary, and exits
 *
 * A frame is 32 bytes: 'S', its sequence number (u32), 23 bytes of
 * payload made from the number and the seed, and the CRC-32 of the first
 * 28 bytes (zlib's).  The trailer has 'E', the frame count, the frame
 * bytes, zeros, and the CRC.  A reader finds frames again after lost
 * bytes by trying every 'S' in turn: a frame that lost none of its bytes
 * is always found.
 *
 * The network (boards with Ethernet, QEMU's user networking forwarding a
 * host UDP port to SOAK_NET_PORT): datagrams from the runner, each 'S',
 * its sequence number, soak_net_len(seq) - 9 bytes made from the number
 * and the seed, and the CRC-32 of everything before it.  First a hello
 * ('H', the seed, CRC), sent until acked; then the flood, never more
 * than a window of frame bytes ahead of what the firmware's acks say
 * reached its Ethernet driver; at the end the trailer ('E', datagrams and
 * bytes sent, CRC), sent until acked.  An ack ('A', then u32s: flags,
 * frames that reached the driver, frames the receive task took that were
 * not flood datagrams, datagrams accepted, the next sequence number
 * expected; CRC) goes back from the firmware every tick that saw a frame
 * reach the driver.
 */
#ifndef SOAK_PROTO_H
#define SOAK_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SOAK_READY "soak: ready\n"
#define SOAK_STOP "soak: stop\n"
#define SOAK_HEADER 12
#define SOAK_FLAG_NET 1u
#define SOAK_FRAME 32
#define SOAK_PAYLOAD 23
#define SOAK_MAGIC 'S'
#define SOAK_TRAILER 'E'

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32), a nibble at a time. */
static inline uint32_t soak_crc32(const uint8_t *p, size_t n)
{
	static const uint32_t t[16] = {
		0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu,
		0x76dc4190u, 0x6b6b51f4u, 0x4db26158u, 0x5005713cu,
		0xedb88320u, 0xf00f9344u, 0xd6d6a3e8u, 0xcb61b38cu,
		0x9b64c2b0u, 0x86d3d2d4u, 0xa00ae278u, 0xbdbdf21cu,
	};
	uint32_t c = 0xffffffffu;

	while (n-- > 0) {
		c ^= *p++;
		c = (c >> 4) ^ t[c & 15u];
		c = (c >> 4) ^ t[c & 15u];
	}
	return ~c;
}

#define SOAK_NET_PORT 7
#define SOAK_NET_MIN 9    /* magic, sequence number, CRC */
#define SOAK_NET_MAX 1472 /* a whole UDP payload in one 1514-byte frame */
#define SOAK_NET_SALT 0x6e657421u /* the datagrams' seed is seed ^ this */
#define SOAK_NET_HELLO 'H'
#define SOAK_NET_ACK 'A'
#define SOAK_ACK_LEN 25
#define SOAK_ACK_HELLO 1u   /* ack flags: the hello came */
#define SOAK_ACK_TRAILER 2u /* the trailer came */

/* Frame seq's payload: xorshift32 from the seed and the number. */
static inline void soak_payload(uint32_t seq, uint32_t seed, uint8_t *out)
{
	uint32_t x = seed ^ (seq * 0x9e3779b9u);

	if (x == 0)
		x = 1;
	for (int i = 0; i < SOAK_PAYLOAD; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		out[i] = (uint8_t)(x >> 24);
	}
}

/*
 * Datagram seq's payload is bytes base, base + 1, ... (mod 65536) of a
 * sequence of 65536 bytes that the seed picks: each a hash of its index,
 * so the firmware computes any byte on its own and the runner slices a
 * table it made once.  base is a hash of seq.
 */
static inline uint8_t soak_net_byte(uint32_t seed, uint32_t j)
{
	uint32_t x = ((j & 0xffffu) ^ seed) * 0x9e3779b1u;

	x ^= x >> 15;
	x *= 0x85ebca77u;
	x ^= x >> 13;
	return (uint8_t)(x >> 24);
}

static inline uint32_t soak_net_base(uint32_t seq)
{
	return (seq * 0x9e3779b9u) >> 16;
}

/* Whether p[0..n) is datagram seq's payload. */
static inline bool soak_net_matches(uint32_t seq, uint32_t seed,
				    const uint8_t *p, size_t n)
{
	uint32_t j = soak_net_base(seq);
	uint8_t diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= p[i] ^ soak_net_byte(seed, j + (uint32_t)i);
	return diff == 0;
}

/* Datagram seq's length: SOAK_NET_MIN..SOAK_NET_MAX, spread by a hash. */
static inline uint32_t soak_net_len(uint32_t seq, uint32_t seed)
{
	uint32_t x = (seq + 1u) * 0x9e3779b9u ^ seed;

	x ^= x >> 15;
	x *= 0x2c1b3c6du;
	x ^= x >> 12;
	return SOAK_NET_MIN + x % (SOAK_NET_MAX - SOAK_NET_MIN + 1u);
}

static inline uint32_t soak_le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline void soak_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

#endif
