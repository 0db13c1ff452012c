/*
 * Sleeping on the target, with the clock started 1024 ticks before the
 * 32-bit wrap so that every part crosses it.
 *
 * - steps: kt_sleep(n) for n around the timer wheel's level boundaries
 *   (32 and 1024 ticks) wakes at exactly start + n.
 * - periodic: kt_sleep_until() with a 7-tick period wakes exactly on each
 *   deadline for 200 periods, whatever work the task does in between (no
 *   drift), reports an overrun (1) when it is late, and keeps its phase.
 *   Over those 200 periods board_cycles() (CMSDK TIMER0) must advance by
 *   1400 ticks x 25,000 cycles: SysTick and TIMER0 both count QEMU's
 *   virtual clock, so only the wake-up latency at either end differs.
 * - triple: a third task sleeping 3 ticks 300 times alongside steps, so
 *   timers of several tasks expire on the same ticks.
 * periodic starts when the other two are done: it keeps the CPU busy on
 * purpose, which in a cooperative kernel delays everyone else's wake-up.
 */
#include <stdio.h>

#include "scenario.h"

#define START 0xfffffc00u
#define PERIOD 7u
#define PERIODS 200u
#define STACK 1024

/*
 * Allowed |cycles - ticks x cycles-per-tick| over the 200 periods.  SysTick
 * and TIMER0 count the same virtual clock, and both readings are taken
 * at the same point after a wake-up from the same kind of tick, so only a
 * difference in that wake-up's latency remains: measured -3 cycles, the
 * same on every run (see the "periodic" line of the output).  250 cycles
 * (1% of a tick) leaves room for code changes on the wake-up path, and a
 * lost or extra tick (25,000 cycles) still fails by a factor of 100.
 */
#define CYCLE_TOLERANCE 250

static struct kt_task steps_task, periodic_task, triple_task, checker_task;
static uint8_t stacks[4][STACK];

static int steps(void *arg)
{
	static const kt_tick_t lengths[] = {
		1,  2,  3,   5,   8,    31,   32,   33,
		63, 64, 100, 255, 1023, 1024, 1025, 2048,
	};
	(void)arg;

	for (unsigned i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		kt_tick_t t0 = kt_now();

		SC_CHECK_EQ(kt_sleep(lengths[i]), 0);
		SC_CHECK_EQ(kt_now() - t0, lengths[i]);
	}
	/* kt_sleep(0) only yields. */
	kt_tick_t t0 = kt_now();

	SC_CHECK_EQ(kt_sleep(0), 0);
	SC_CHECK(kt_now() - t0 <= 1);
	printf("steps: done at tick %lu\n", (unsigned long)kt_now());
	return 0;
}

/* Keep the CPU for about n cycles, as if working. */
static void busy(uint32_t n)
{
	uint32_t c0 = board_cycles();

	while (board_cycles() - c0 < n)
		;
}

static int periodic(void *arg)
{
	kt_tick_t deadline = kt_now(), t0;
	uint32_t c0, cycles, per_tick = board_cycles_hz() / KT_TICK_HZ;
	unsigned late = 0;
	int diff;
	(void)arg;

	/*
	 * Alone: busy() keeps the CPU, and in a cooperative kernel that
	 * would make the other tasks wake late (correctly, but not exactly).
	 */
	SC_CHECK_EQ(kt_task_join(&steps_task, NULL, KT_FOREVER), 0);
	SC_CHECK_EQ(kt_task_join(&triple_task, NULL, KT_FOREVER), 0);
	deadline = kt_now();
	/* Align to a wake-up first, so both cycle readings follow one. */
	SC_CHECK_EQ(kt_sleep_until(&deadline, PERIOD), 0);
	t0 = deadline;
	c0 = board_cycles();
	for (unsigned k = 1; k <= PERIODS; k++) {
		/* Work of varying length, up to ~4 of the 7 ticks. */
		busy((k % 5u) * per_tick);
		if (kt_sleep_until(&deadline, PERIOD) != 0 || kt_now() != deadline)
			late++;
	}
	cycles = board_cycles() - c0;
	SC_CHECK_EQ(late, 0);
	SC_CHECK_EQ(deadline - t0, PERIODS * PERIOD);
	diff = (int)(cycles - PERIODS * PERIOD * per_tick);
	printf("periodic: %u periods, %lu ticks, %lu cycles (%d off %lu)\n",
	       PERIODS, (unsigned long)(deadline - t0), (unsigned long)cycles,
	       diff, (unsigned long)(PERIODS * PERIOD * per_tick));
	SC_CHECK(diff >= -CYCLE_TOLERANCE && diff <= CYCLE_TOLERANCE);

	/* An overrun: 10 ticks of work in a 7-tick period. */
	busy(10u * per_tick);
	SC_CHECK_EQ(kt_sleep_until(&deadline, PERIOD), 1);
	SC_CHECK(kt_tick_before(deadline, kt_now()));
	/* The schedule keeps its phase: the next deadline is still on it. */
	SC_CHECK_EQ(kt_sleep_until(&deadline, PERIOD), 0);
	SC_CHECK_EQ(kt_now(), deadline);
	SC_CHECK_EQ((deadline - t0) % PERIOD, 0);
	SC_CHECK_EQ(kt_sleep_until(NULL, PERIOD), -EINVAL);
	return 0;
}

static int triple(void *arg)
{
	unsigned off = 0;
	(void)arg;

	for (int i = 0; i < 300; i++) {
		kt_tick_t t0 = kt_now();

		kt_sleep(3);
		off += kt_now() - t0 != 3;
	}
	SC_CHECK_EQ(off, 0);
	return 0;
}

static int checker(void *arg)
{
	(void)arg;
	SC_CHECK_EQ(kt_task_join(&steps_task, NULL, KT_FOREVER), 0);
	SC_CHECK_EQ(kt_task_join(&periodic_task, NULL, KT_FOREVER), 0);
	SC_CHECK_EQ(kt_task_join(&triple_task, NULL, KT_FOREVER), 0);
	/* The whole run crossed the wrap of the 32-bit tick counter. */
	SC_CHECK(kt_now() > 5000u && kt_now() < 20000u);
	sc_finish();
}

int main(void)
{
	kt_init(START);
	sc_begin("sleep");
	sc_watchdog(20000);
	SC_CHECK_EQ(kt_now(), START);
	SC_CHECK_EQ(kt_task_spawn(&steps_task, "steps", steps, NULL, stacks[0],
				  STACK, 5),
		    0);
	SC_CHECK_EQ(kt_task_spawn(&periodic_task, "periodic", periodic, NULL,
				  stacks[1], STACK, 5),
		    0);
	SC_CHECK_EQ(kt_task_spawn(&triple_task, "triple", triple, NULL,
				  stacks[2], STACK, 5),
		    0);
	SC_CHECK_EQ(kt_task_spawn(&checker_task, "checker", checker, NULL,
				  stacks[3], STACK, 1),
		    0);
	kt_run();
}
