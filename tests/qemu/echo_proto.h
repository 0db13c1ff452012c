/*
 * The uart_echo protocol's data, shared by the scenarios that speak it
 * (sc_uart_echo.c, sc_uart_echo_queue.c) and mirrored by tests/qemu/run.py
 * (payload(), burst_data()): change all of them together.
 */
#ifndef ECHO_PROTO_H
#define ECHO_PROTO_H

#include <stdint.h>

#define ECHO_READY "uart_echo: ready\n"
#define ECHO_BURST "uart_echo: burst\n"
#define ECHO_HEADER 12 /* payload length, seed, burst length: LE u32 each */

/* The runner's payload(): byte i of the stream from seed. */
struct gen {
	uint32_t i, x;
};

static inline uint8_t gen_next(struct gen *g)
{
	uint32_t i = g->i++;

	if (i < 256)
		return (uint8_t)(i * 167u + 13u); /* every value once */
	g->x ^= g->x << 13;
	g->x ^= g->x >> 17;
	g->x ^= g->x << 5;
	return (uint8_t)(g->x >> 24);
}

/* Burst byte i: a pattern the runner knows too. */
static inline uint8_t burst_byte(uint32_t i)
{
	return (uint8_t)(i * 7u + 3u);
}

static inline uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

#endif
