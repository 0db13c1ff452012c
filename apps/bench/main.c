/*
 * The benchmark image: instructions per kernel operation.
 *
 * Run under qemu -icount shift=3,sleep=off (make bench): every guest
 * instruction then takes exactly 8 ns of virtual time, and board_cycles()
 * counts the CPU clock (40 ns at 25 MHz), so one count is 125e6 / clock
 * instructions (exactly 5 on mps2).  Each workload runs its loop N times
 * between two readings; the result is instructions per iteration minus the
 * same loop doing nothing.  Over N iterations the reading's granularity is
 * far below one instruction, and runs repeat to the instruction.  The tick
 * is stopped while a workload runs so that it measures only itself (the
 * tick's own cost is a workload of its own).  Interrupt entry and exit are
 * done by the hardware (QEMU) and count as no instructions.
 *
 * Output, read by tests/qemu/bench.py: "bench <name> <value> [unit]",
 * unit "instr" unless given.
 *
 * Built a second time with KT_TRACE=1 (mk/trace.mk), it records the
 * schedule trace through every workload, so that the difference between
 * the two builds' numbers is what recording costs.
 */
#include <stdio.h>

#include "board.h"
#include "kettle.h"
#include "yield_ring.h"

#define STACK_WORDS 256
#define RING 5
#define TIMER_POOL 10000u
#define TRACE_RING 1024u

static struct kt_trace_rec trace_ring[KT_TRACE ? TRACE_RING : 1];

static struct kt_task tasks[RING];
static uint32_t stacks[RING][STACK_WORDS];
static uint32_t empty_x100;

static void report(const char *name, uint32_t x100, const char *unit)
{
	printf("bench %s %lu.%02lu %s\n", name, (unsigned long)(x100 / 100),
	       (unsigned long)(x100 % 100), unit);
}

/* Report a workload: ops operations of a loop measured t_start..t_end. */
static void report_loop(const char *name, uint32_t ops, uint32_t loops)
{
	uint32_t x100 = per_op_x100(t_end - t_start, ops);
	uint32_t loop = (uint32_t)((uint64_t)empty_x100 * loops / ops);

	report(name, x100 > loop ? x100 - loop : 0, "instr");
}

static void spawn(int i, kt_entry_fn fn, void *arg, unsigned prio)
{
	kt_task_spawn(&tasks[i], "bench", fn, arg, stacks[i], sizeof(stacks[i]), prio);
}

/* ---- 2. interrupt to waiting task -------------------------------------- */

static struct kt_event irq_event;
static uint32_t t_irq, latency_sum;

static void soft_irq_handler(void)
{
	t_irq = board_cycles();
	kt_event_set_isr(&irq_event);
}

static int wake_waiter(void *arg)
{
	(void)arg;
	for (uint32_t i = 0; i < N; i++) {
		kt_event_wait(&irq_event, KT_FOREVER);
		latency_sum += board_cycles() - t_irq;
		kt_event_clear(&irq_event);
	}
	t_end = board_cycles();
	return 0;
}

static int wake_kicker(void *arg)
{
	(void)arg;
	t_start = board_cycles();
	for (uint32_t i = 0; i < N; i++) {
		sink = i;
		board_soft_irq_pend(); /* the handler runs here */
		kt_yield();            /* the woken task runs, then blocks */
	}
	return 0;
}

/* ---- 3. mutex ------------------------------------------------------------ */

static struct kt_mutex mtx;

static int mutex_alone(void *arg)
{
	(void)arg;
	t_start = board_cycles();
	for (uint32_t i = 0; i < N; i++) {
		sink = i;
		kt_mutex_lock(&mtx, KT_FOREVER);
		kt_mutex_unlock(&mtx);
	}
	t_end = board_cycles();
	return 0;
}

/* Two tasks take turns: every unlock hands the mutex to the other. */
static int mutex_contender(void *arg)
{
	if (arg != NULL)
		t_start = board_cycles();
	for (uint32_t i = 0; i < N; i++) {
		sink = i;
		kt_mutex_lock(&mtx, KT_FOREVER);
		kt_yield(); /* the other task comes and waits */
		kt_mutex_unlock(&mtx);
	}
	t_end = board_cycles();
	return 0;
}

/* ---- 4. semaphore, 5. queue ------------------------------------------- */

static struct kt_sem sem;
static struct kt_queue queue;
static uint32_t queue_store[8][4];

static int sem_loop(void *arg)
{
	(void)arg;
	t_start = board_cycles();
	for (uint32_t i = 0; i < N; i++) {
		sink = i;
		kt_sem_give(&sem);
		kt_sem_take(&sem, KT_FOREVER);
	}
	t_end = board_cycles();
	return 0;
}

static int queue_loop(void *arg)
{
	uint32_t in[4] = { 1, 2, 3, 4 }, out[4];

	(void)arg;
	t_start = board_cycles();
	for (uint32_t i = 0; i < N; i++) {
		sink = i;
		kt_queue_put(&queue, in, KT_FOREVER);
		kt_queue_get(&queue, out, KT_FOREVER);
	}
	t_end = board_cycles();
	sink = out[0];
	return 0;
}

/* ---- 6. timers among many, sleep among many ------------------------------ */

static struct kt_timer pool[TIMER_POOL], probe;
static uint32_t rng = 12345;

static void nothing(void *arg)
{
	(void)arg;
}

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* Start timers up to n active, at random expiries across every level. */
static void fill_pool(uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (kt_timer_active(&pool[i]))
			continue;
		kt_timer_init(&pool[i], nothing, NULL);
		kt_timer_start(&pool[i], 1000000u + rnd() % 100000000u, 0);
	}
}

static uint32_t pool_size;

static int timer_loop(void *arg)
{
	(void)arg;
	kt_timer_init(&probe, nothing, NULL);
	t_start = board_cycles();
	for (uint32_t i = 0; i < N; i++) {
		sink = i;
		kt_timer_start(&probe, 1u + (i & 0xffffu) * 97u, 0);
		kt_timer_stop(&probe);
	}
	t_end = board_cycles();
	return 0;
}

/*
 * Sleep and wake among many.  A driver task plays the tick: it calls the
 * tick handler itself and yields, so the scheduler advances the wheel and
 * wakes a sleeper whose 1-tick sleep expired, which sleeps again.  The
 * same loop with nobody asleep is subtracted: what is left is one sleep
 * and one wake, with pool_size timers standing for that many other tasks
 * asleep.  No idle time: every instruction is counted.
 */
static volatile bool stop;

static int tick_driver(void *arg)
{
	(void)arg;
	t_start = board_cycles();
	for (uint32_t i = 0; i < N; i++) {
		kt_tick_isr();
		kt_yield(); /* the scheduler runs; a woken sleeper runs */
	}
	t_end = board_cycles();
	stop = true;
	return 0;
}

static int sleeper(void *arg)
{
	(void)arg;
	while (!stop)
		kt_sleep(1);
	return 0;
}

/* ---- 7. the tick with nothing expiring ------------------------------------ */

#define TICK_LOOP (N * 50u)

static int tick_loop(void *arg)
{
	kt_tick_t t0 = kt_now();

	t_start = board_cycles();
	for (uint32_t i = 0; i < TICK_LOOP; i++)
		sink = i;
	t_end = board_cycles();
	*(kt_tick_t *)arg = kt_now() - t0;
	return 0;
}

/*
 * 8. A tick with nothing due, whole: the tick handler plus whatever it
 * makes the next scheduling point do.  One task alternates the tick
 * handler and a yield with nobody else ready, while one soft timer runs
 * far ahead (nothing due); the same loop without the tick is subtracted.
 */
static struct kt_timer far_timer;

static int tick_yield_loop(void *arg)
{
	t_start = board_cycles();
	for (uint32_t i = 0; i < N; i++) {
		sink = i;
		if (arg != NULL)
			kt_tick_isr();
		kt_yield();
	}
	t_end = board_cycles();
	return 0;
}

static void run(void)
{
	kt_run_until_idle();
}

int main(void)
{
	static const uint32_t pools[] = { 10, 100, 1000, 10000 };
	char name[32];

	kt_init(0);
	if (KT_TRACE)
		kt_trace_start(trace_ring, TRACE_RING, board_cycles);
	board_tick_enable(false);
	printf("kettle bench: %u iterations per workload\n", N);

	spawn(0, empty_loop, NULL, 1);
	run();
	empty_x100 = per_op_x100(t_end - t_start, N);
	report("empty-loop", empty_x100, "instr");

	/* RING tasks, N yields each: every yield switches to the next task. */
	for (int i = 0; i < RING; i++)
		spawn(i, ring_member, i == 0 ? (void *)1 : NULL, 1);
	run();
	report_loop("yield", RING * N, RING * N);

	/*
	 * Interrupt to task: a low-priority task pends an interrupt whose
	 * handler sets an event; at its yield the woken high-priority task
	 * runs and waits again.  Round trip: pend, handler, the kicker's
	 * yield, the scheduler taking the posted set, two switches, the wait.
	 * Latency: from the handler's first line to the woken task running.
	 */
	kt_event_init(&irq_event);
	board_soft_irq_set(soft_irq_handler);
	spawn(0, wake_waiter, NULL, 2);
	spawn(1, wake_kicker, NULL, 1);
	run();
	report_loop("isr-to-task-round-trip", N, N);
	report("isr-to-task-latency", per_op_x100(latency_sum, N), "instr");
	board_soft_irq_set(NULL);

	kt_mutex_init(&mtx);
	spawn(0, mutex_alone, NULL, 1);
	run();
	report_loop("mutex-lock-unlock", N, N);

	/* Each task's iteration: lock (blocking every other time), yield,
	 * unlock handing over: 2N hand-offs, each with its switch. */
	spawn(0, mutex_contender, (void *)1, 1);
	spawn(1, mutex_contender, NULL, 1);
	run();
	report_loop("mutex-handoff", 2 * N, 2 * N);

	kt_sem_init(&sem, 0, 1);
	spawn(0, sem_loop, NULL, 1);
	run();
	report_loop("sem-give-take", N, N);

	kt_queue_init(&queue, queue_store, 16, 8);
	spawn(0, queue_loop, NULL, 1);
	run();
	report_loop("queue-put-get-16B", N, N);

	for (unsigned k = 0; k < sizeof(pools) / sizeof(pools[0]); k++) {
		pool_size = pools[k];
		fill_pool(pool_size);
		spawn(0, timer_loop, NULL, 1);
		run();
		snprintf(name, sizeof(name), "timer-start-stop-%lu",
			 (unsigned long)pool_size);
		report_loop(name, N, N);
	}

	/* The tick: the same busy loop with the tick off and on. */
	{
		uint32_t off, on;
		kt_tick_t ticks = 0;

		spawn(0, tick_loop, &ticks, 1);
		run();
		off = t_end - t_start;
		board_tick_enable(true);
		spawn(0, tick_loop, &ticks, 1);
		run();
		on = t_end - t_start;
		board_tick_enable(false);
		report("tick-isr", per_op_x100(on - off, ticks), "instr");
	}

	/* An empty tick and the work it causes at the next yield. */
	{
		uint32_t off;

		kt_timer_init(&far_timer, nothing, NULL);
		kt_timer_start(&far_timer, 100000000u, 0);
		spawn(0, tick_yield_loop, NULL, 1);
		run();
		off = t_end - t_start;
		spawn(0, tick_yield_loop, (void *)1, 1);
		run();
		report("tick-empty-whole",
		       per_op_x100(t_end - t_start - off, N), "instr");
		kt_timer_stop(&far_timer);
	}

	/* Sleep and wake among many, against the same ticks with no sleeper. */
	{
		uint32_t base_x100;

		spawn(0, tick_driver, NULL, 1);
		run();
		base_x100 = per_op_x100(t_end - t_start, N);
		for (unsigned k = 0; k < sizeof(pools) / sizeof(pools[0]); k++) {
			uint32_t x100;

			fill_pool(pools[k]);
			stop = false;
			spawn(0, tick_driver, NULL, 1);
			spawn(1, sleeper, NULL, 2);
			run();
			x100 = per_op_x100(t_end - t_start, N);
			snprintf(name, sizeof(name), "sleep-wake-%lu-asleep",
				 (unsigned long)pools[k]);
			report(name, x100 - base_x100, "instr");
		}
	}

	report("sizeof-task", sizeof(struct kt_task) * 100u, "bytes");
	report("sizeof-mutex", sizeof(struct kt_mutex) * 100u, "bytes");
	report("sizeof-queue", sizeof(struct kt_queue) * 100u, "bytes");
	report("sizeof-timer", sizeof(struct kt_timer) * 100u, "bytes");
	report("sizeof-event", sizeof(struct kt_event) * 100u, "bytes");
	printf("bench done\n");
	board_exit(0);
}
