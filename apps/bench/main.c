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

/* 3. mutex lock + unlock, uncontended */
static struct kt_mutex mtx;
static uint32_t op_t0, op_t1;

static int mutex_alone(void *arg)
{
	(void)arg;
	op_t0 = board_cycles();
	for (uint32_t i = 0; i < N; i++) {
		sink = i;
		kt_mutex_lock(&mtx, KT_FOREVER);
		kt_mutex_unlock(&mtx);
	}
	op_t1 = board_cycles();
	return 0;
}

/* 4. contended: two tasks take turns, each unlock hands to the other */
static int mutex_contender(void *arg)
{
	if (arg != NULL)
		op_t0 = board_cycles();
	for (uint32_t i = 0; i < N; i++) {
		sink = i;
		kt_mutex_lock(&mtx, KT_FOREVER);
		kt_yield(); /* the other task comes and waits */
		kt_mutex_unlock(&mtx);
	}
	op_t1 = board_cycles();
	return 0;
}

/* 5. semaphore give + take */
static struct kt_sem sem;

static int sem_loop(void *arg)
{
	(void)arg;
	op_t0 = board_cycles();
	for (uint32_t i = 0; i < N; i++) {
		sink = i;
		kt_sem_give(&sem);
		kt_sem_take(&sem, KT_FOREVER);
	}
	op_t1 = board_cycles();
	return 0;
}

/* 6. 16-byte message queue put + get */
static struct kt_queue queue;
static uint32_t queue_store[8][4];

static int queue_loop(void *arg)
{
	uint32_t in[4] = { 1, 2, 3, 4 }, out[4];

	(void)arg;
	op_t0 = board_cycles();
	for (uint32_t i = 0; i < N; i++) {
		in[0] = i;
		kt_queue_put(&queue, in, KT_FOREVER);
		kt_queue_get(&queue, out, KT_FOREVER);
	}
	op_t1 = board_cycles();
	sink = out[0];
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

	kt_mutex_init(&mtx);
	run_pair(mutex_alone, NULL, 1, NULL, NULL, 0);
	report("mutex-lock-unlock", per_op_x100(op_t1 - op_t0, N) - empty_x100);

	/* Each iteration of each task: lock (blocking half the time), yield,
	 * unlock handing over: 2N hand-offs in all. */
	run_pair(mutex_contender, (void *)1, 1, mutex_contender, NULL, 1);
	report("mutex-handoff", per_op_x100(op_t1 - op_t0, 2 * N) - empty_x100);

	kt_sem_init(&sem, 0, 1);
	run_pair(sem_loop, NULL, 1, NULL, NULL, 0);
	report("sem-give-take", per_op_x100(op_t1 - op_t0, N) - empty_x100);

	kt_queue_init(&queue, queue_store, 16, 8);
	run_pair(queue_loop, NULL, 1, NULL, NULL, 0);
	report("queue-put-get-16B", per_op_x100(op_t1 - op_t0, N) - empty_x100);

	board_tick_enable(true);
	printf("bench done\n");
	board_exit(0);
}
