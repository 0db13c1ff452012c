/*
 * What a task switch costs, on every board: apps/bench's yield workload
 * alone, in an image small enough for the micro:bit's 16 KiB.  Five tasks
 * of one priority yield in a ring, each yield one switch; the result is
 * instructions per yield minus the same loop without the yield.  Under
 * qemu -icount shift=3 an instruction takes 8 ns of virtual time, and
 * board_cycles() counts at the board's CPU clock, so the count is exact
 * and repeats to the instruction.  mk/fault.mk builds it with and
 * without the stack guards (make guard-cost): the difference is what the
 * guard adds to a switch.  Output, for tests/qemu/bench.py: "bench yield
 * <instructions> instr".
 */
#include <stdio.h>

#include "board.h"
#include "kettle.h"
#include "../../apps/bench/yield_ring.h"

#define RING 5
/* Room for the frame guard's reserve too (make FRAME_GUARD=1: 607 bytes). */
#define STACK 1024

static struct kt_task tasks[RING];
static uint8_t stacks[RING][STACK] __attribute__((aligned(8)));

int main(void)
{
	uint32_t empty, yield;

	kt_init(0);
	board_tick_enable(false);
	kt_task_spawn(&tasks[0], "empty", empty_loop, NULL, stacks[0], STACK, 1);
	kt_run_until_idle();
	empty = per_op_x100(t_end - t_start, N);
	for (int i = 0; i < RING; i++)
		kt_task_spawn(&tasks[i], "ring", ring_member,
			      i == 0 ? &tasks[0] : NULL, stacks[i], STACK, 1);
	kt_run_until_idle();
	yield = per_op_x100(t_end - t_start, RING * N) - empty;
	printf("bench yield %lu.%02lu instr\n", (unsigned long)(yield / 100),
	       (unsigned long)(yield % 100));
	board_exit(0);
}
