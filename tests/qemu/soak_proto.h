/*
 * The soak protocol's data (tests/qemu/sc_soak.c), mirrored by the
 * runner's tests/qemu/soak.py: change both together.
 *
 *   firmware -> "soak: ready\n"
 *   runner   -> header: duration in ticks, seed (little-endian u32 each)
 *   runner   -> frames, as fast as the firmware's reports of what reached
 *               its UART ("soak: rx N\n") let it keep at most a window in
 *               flight, until the firmware says "soak: stop\n"
 *   runner   -> the trailer: how many frames and bytes it sent
 *   firmware -> its report and summary, and exits
 *
 * A frame is 32 bytes: 'S', its sequence number (u32), 23 bytes of
 * payload made from the number and the seed, and the CRC-32 of the first
 * 28 bytes (zlib's).  The trailer has 'E', the frame count, the frame
 * bytes, zeros, and the CRC.  A reader finds frames again after lost
 * bytes by trying every 'S' in turn: a frame that lost none of its bytes
 * is always found.
 */
#ifndef SOAK_PROTO_H
#define SOAK_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define SOAK_READY "soak: ready\n"
#define SOAK_STOP "soak: stop\n"
#define SOAK_HEADER 8
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

static inline uint32_t soak_le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

#endif
