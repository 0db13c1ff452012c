/*
 * The benchmark image: instructions per kernel operation.
 *
 * Run under qemu -icount shift=3,sleep=off (make bench): every guest
 * instruction then takes exactly 8 ns of virtual time, and TIMER0 counts
 * the 25 MHz clock (40 ns), so one timer count is exactly 5 instructions.
 * Each workload runs N iterations between two reads of the timer; the
 * result is (counts x 5) / N minus the same loop doing nothing, which is
 * exact to well under one instruction and identical from run to run.  The
 * tick is stopped while a workload runs so that it measures only itself.
 *
 * Output: one line per workload, "bench <name> <instr/op x100>", read by
 * tests/qemu/bench.py.
 */
#include <stdio.h>

#include "board.h"
#include "kettle.h"

#define N 20000u
#define INSTR_PER_COUNT 5u

static struct kt_task ta, tb;
static uint32_t stack_a[256], stack_b[256];
static volatile uint32_t sink;

/* Instructions x100 per iteration, from timer counts over N iterations. */
static uint32_t per_op_x100(uint32_t counts, uint32_t ops)
{
	return (uint32_t)(((uint64_t)counts * INSTR_PER_COUNT * 100u + ops / 2) / ops);
}

static void report(const char *name, uint32_t x100)
{
	printf("bench %s %lu.%02lu\n", name, (unsigned long)(x100 / 100),
	       (unsigned long)(x100 % 100));
}

/* The empty loop, in a task as the workloads are. */
static uint32_t empty_x100;

static int empty_loop(void *arg)
{
	uint32_t t0, t1;

	(void)arg;
	t0 = board_cycles();
	for (uint32_t i = 0; i < N; i++)
		sink = i;
	t1 = board_cycles();
	empty_x100 = per_op_x100(t1 - t0, N);
	return 0;
}

/* 1. yield between two tasks of equal priority */
static uint32_t yield_t0, yield_t1;

static int yielder(void *arg)
{
	if (arg != NULL)
		yield_t0 = board_cycles();
	for (uint32_t i = 0; i < N; i++) {
		sink = i;
		kt_yield();
	}
	yield_t1 = board_cycles();
	return 0;
}

/* 2. interrupt to waiting task */
static struct kt_event irq_event;
static uint32_t wake_t0, wake_t1;

static void soft_irq_handler(void)
{
	kt_event_set_isr(&irq_event);
}

static int wake_waiter(void *arg)
{
	(void)arg;
	for (uint32_t i = 0; i < N; i++) {
		kt_event_wait(&irq_event, KT_FOREVER);
		kt_event_clear(&irq_event);
	}
	wake_t1 = board_cycles();
	return 0;
}

static int wake_kicker(void *arg)
{
	(void)arg;
	wake_t0 = board_cycles();
	for (uint32_t i = 0; i < N; i++) {
		sink = i;
		board_soft_irq_pend(); /* the handler runs here */
		kt_yield();            /* the woken task runs, then blocks */
	}
	return 0;
}

static void run_pair(kt_entry_fn a, void *arg_a, unsigned prio_a,
		     kt_entry_fn b, void *arg_b, unsigned prio_b)
{
	kt_task_spawn(&ta, "a", a, arg_a, stack_a, sizeof(stack_a), prio_a);
	if (b != NULL)
		kt_task_spawn(&tb, "b", b, arg_b, stack_b, sizeof(stack_b), prio_b);
	kt_run_until_idle();
}

int main(void)
{
	uint32_t yield_x100, wake_x100;

	kt_init(0);
	board_tick_enable(false);
	printf("kettle bench: %u iterations per workload\n", N);

	run_pair(empty_loop, NULL, 1, NULL, NULL, 0);
	report("empty-loop", empty_x100);

	/* Two tasks, N yields each: 2N switches. */
	run_pair(yielder, (void *)1, 1, yielder, NULL, 1);
	yield_x100 = per_op_x100(yield_t1 - yield_t0, 2 * N);
	report("yield", yield_x100 - empty_x100);

	/*
	 * Interrupt to task: a low-priority task pends an interrupt whose
	 * handler sets an event; at its next yield the woken high-priority
	 * task runs and waits again.  One iteration: pend, handler, wake,
	 * two switches, the wait.
	 */
	kt_event_init(&irq_event);
	board_soft_irq_set(soft_irq_handler);
	run_pair(wake_waiter, NULL, 2, wake_kicker, NULL, 1);
	wake_x100 = per_op_x100(wake_t1 - wake_t0, N);
	report("isr-to-task", wake_x100 - empty_x100);

	board_tick_enable(true);
	printf("bench done\n");
	board_exit(0);
}
