/*
 * The measuring loop that apps/bench (make bench) and tests/bench/switch_cost.c
 * (make guard-cost, every board) share, so that both count the same yield:
 * the empty loop, a ring member that counts and yields, and instructions
 * per operation from a reading of board_cycles().  Under qemu -icount
 * shift=3 every guest instruction takes exactly 8 ns of virtual time.
 * Included once per image: its definitions are static.
 */
#ifndef BENCH_YIELD_RING_H
#define BENCH_YIELD_RING_H

#include <stdint.h>

#include "board.h"
#include "kettle.h"

#ifndef N
/* iterations of every measured loop (a profile build sets fewer) */
#define N 20000u
#endif

static volatile uint32_t sink;
static uint32_t t_start, t_end;

/* Instructions x100 per operation, from a reading over ops operations. */
static uint32_t per_op_x100(uint32_t counts, uint32_t ops)
{
	uint64_t ns_x100 = (uint64_t)counts * 100u * 1000000000u / board_cycles_hz();

	return (uint32_t)((ns_x100 / 8u + ops / 2) / ops); /* 8 ns each */
}

/* The empty loop, in a task as the workloads are. */
static int empty_loop(void *arg)
{
	(void)arg;
	t_start = board_cycles();
	for (uint32_t i = 0; i < N; i++)
		sink = i;
	t_end = board_cycles();
	return 0;
}

/* One of a ring of tasks of one priority, each counting and yielding. */
static int ring_member(void *arg)
{
	if (arg != NULL)
		t_start = board_cycles();
	for (uint32_t i = 0; i < N; i++) {
		sink = i;
		kt_yield();
	}
	t_end = board_cycles();
	return 0;
}

#endif
