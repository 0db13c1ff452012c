/*
 * A task that overflows its stack is stopped, reported by name, and
 * nothing else suffers (kernel/port/cortex-m/guard.c): on ARMv7-M the MPU
 * guard under the running task's stack faults at the first push into it;
 * on ARMv6-M the canary there is checked at every switch.
 *
 * The offender, "deep", recurses until its stack runs out, over and
 * over, in variants that make the overflow land in different places: a
 * yield at every level (the fault lands in the task's code, in kt_yield,
 * or in the switch itself, after the kernel has already made the next
 * task current), a sleep at every level while it holds a mutex another
 * task waits for (blocked on a timer when it overflows), frames of every
 * size from 1 to 8 words, FP arithmetic (a switch then saves the FP
 * registers too, and an interrupt frame is 104 bytes), and on ARMv7-M a
 * plain recursion that never switches (a canary could not see that one
 * before it ran over).  Every time:
 * - deep's joiner gets -EFAULT and deep is DONE;
 * - the task whose stack lies right under deep's ("neighbour") keeps a
 *   pattern at the top of its stack intact and keeps running;
 * - a waiter for the mutex deep held gets it with -EOWNERDEAD;
 * - on ARMv7-M the guard itself still holds the kernel's paint: the push
 *   that hit it wrote nothing.
 * The runner checks the reports (tests/qemu/run.py, the sc_fault_
 * verdict): deep is named, and stopped, and the run ends normally.
 */
#include <alloca.h>
#include <stdio.h>

#include "guard.h"
#include "scenario.h"

#define STACK 1024
#define PATTERN 0x5eed0000u
#define PAINT 0xa5a5a5a5u /* kernel/task.c's */
#define ARMV7M (__ARM_ARCH >= 7)

enum kind { YIELD, SLEEP_LOCKED, FP, PLAIN };

struct variant {
	enum kind kind;
	unsigned words; /* per level, besides the call itself */
};

static struct kt_task deep, neighbour, waiter, ctl;
/* neighbour's stack right under deep's: where an overflow would land. */
static struct {
	uint8_t neighbour[STACK];
	uint8_t deep[STACK];
} stacks __attribute__((aligned(8)));
static uint8_t waiter_stack[STACK], ctl_stack[STACK];
static struct kt_mutex lock;
static volatile bool stop;
static volatile uint32_t neighbour_rounds, neighbour_bad;
static volatile float fsum;

static int recurse(unsigned level, const struct variant *v)
{
	volatile uint32_t *frame = alloca(v->words * sizeof(uint32_t));

	for (unsigned i = 0; i < v->words; i++)
		frame[i] = level;
	if (v->kind == YIELD)
		kt_yield();
	else if (v->kind == SLEEP_LOCKED)
		kt_sleep(1);
	if (v->kind == FP) {
		fsum = fsum * 0.5f + (float)level;
		kt_yield();
	}
	if (level > 100000) /* never: the stack runs out long before */
		return 0;
	return recurse(level + 1, v) + (int)(v->words != 0 ? frame[0] : 0);
}

static int deep_fn(void *arg)
{
	const struct variant *v = arg;

	if (v->kind == SLEEP_LOCKED)
		SC_CHECK_EQ(kt_mutex_lock(&lock, KT_FOREVER), 0);
	return recurse(0, v);
}

/* A pattern at the top of its stack, checked after every switch. */
static int neighbour_fn(void *arg)
{
	uint32_t mine[32];

	(void)arg;
	for (unsigned i = 0; i < 32; i++)
		mine[i] = PATTERN + i;
	while (!stop) {
		kt_yield();
		for (unsigned i = 0; i < 32; i++)
			neighbour_bad += mine[i] != PATTERN + i;
		neighbour_rounds++;
	}
	return 0;
}

static int waiter_fn(void *arg)
{
	(void)arg;
	kt_sleep(2); /* deep locks first */
	SC_CHECK_EQ(kt_mutex_lock(&lock, KT_FOREVER), -EOWNERDEAD);
	return kt_mutex_unlock(&lock);
}

static void run(const struct variant *v)
{
	struct kt_task_info info;
	uint32_t rounds = neighbour_rounds;
	int result = 0, waited = 0;
	const uint32_t *guard;

	SC_CHECK_EQ(kt_task_spawn(&deep, "deep", deep_fn, (void *)v,
				  stacks.deep, STACK, 5),
		    0);
	if (v->kind == SLEEP_LOCKED)
		SC_CHECK_EQ(kt_task_spawn(&waiter, "waiter", waiter_fn, NULL,
					  waiter_stack, STACK, 5),
			    0);
	SC_CHECK_EQ(kt_task_join(&deep, &result, 5000), 0);
	SC_CHECK_EQ(result, -EFAULT);
	SC_CHECK_EQ(kt_task_info(&deep, &info), 0);
	SC_CHECK_EQ(info.state, KT_DONE);
	/* All of it, but for the push or frame that hit the guard. */
	SC_CHECK(info.stack_used + 128 > info.stack_size);
	if (v->kind == SLEEP_LOCKED) {
		SC_CHECK_EQ(kt_task_join(&waiter, &waited, 100), 0);
		SC_CHECK_EQ(waited, 0);
		SC_CHECK(kt_mutex_owner(&lock) == NULL);
	}
	kt_sleep(1);
	SC_CHECK(neighbour_rounds > rounds);
	SC_CHECK_EQ(neighbour_bad, 0);
	guard = (const uint32_t *)port_guard_lo(&deep);
	for (unsigned i = 0; ARMV7M && i < PORT_GUARD_SIZE / 4; i++)
		SC_CHECK_EQ(guard[i], PAINT);
	printf("sc_fault_stack: kind %d, %u words a level: deep ended %d, "
	       "neighbour ran %lu rounds\n",
	       (int)v->kind, v->words, result,
	       (unsigned long)(neighbour_rounds - rounds));
}

static int ctl_fn(void *arg)
{
	static const struct variant variants[] = {
		{ YIELD, 1 },
		{ YIELD, 2 },
		{ YIELD, 3 },
		{ YIELD, 4 },
		{ YIELD, 5 },
		{ YIELD, 6 },
		{ YIELD, 7 },
		{ YIELD, 8 },
		{ SLEEP_LOCKED, 2 },
		{ SLEEP_LOCKED, 5 },
		{ FP, 3 },
#if ARMV7M
		{ PLAIN, 0 },
		{ PLAIN, 8 },
#endif
	};

	(void)arg;
	for (unsigned i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		run(&variants[i]);
	stop = true;
	SC_CHECK_EQ(kt_task_join(&neighbour, NULL, 100), 0);
	sc_finish();
}

int main(void)
{
	kt_init(0);
	sc_begin("fault_stack");
	sc_watchdog(20000);
	kt_mutex_init(&lock);
	sc_expect_exit(0);
	sc_expect("FAULT: stack overflow in task deep");
	sc_expect(ARMV7M ? "caught by the MPU, MemManage" :
			   "caught by its canary, at a task switch");
	sc_expect("task deep stopped (-EFAULT); the others go on");
	SC_CHECK_EQ(kt_task_spawn(&neighbour, "neighbour", neighbour_fn, NULL,
				  stacks.neighbour, STACK, 5),
		    0);
	SC_CHECK_EQ(kt_task_spawn(&ctl, "ctl", ctl_fn, NULL, ctl_stack, STACK, 5), 0);
	kt_run();
}
