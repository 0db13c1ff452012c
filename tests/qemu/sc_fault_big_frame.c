/*
 * A large frame at the bottom of a task's stack (issue 15, item 4): a
 * task descends until its stack is nearly used up, then calls a function
 * whose local array is as large as the frame limit allows (guard.h's
 * PORT_FRAME_LIMIT) and writes its far end first, so that SP moves past
 * the guard's top before anything is written.  Under the task's stack
 * lies memory of someone else's ("below"), holding a pattern.
 *
 * With the frame guard (make FRAME_GUARD=1, ARMv7-M; make
 * frame-guard-test runs this so): the guard is as large as the frame
 * limit, so the far end lands in the guard and the MPU faults before
 * anything is written: the report names the task, it ends with -EFAULT,
 * the others go on and "below" keeps every byte.  With the 32-byte
 * guard this failed: the write landed in "below" unreported.
 *
 * Without it (the default; and the micro:bit, ARMv6-M, which has no MPU)
 * the scenario checks what does happen: the far end lands under the
 * task's reserve, in "below", unseen; the rest of the array then reaches
 * the guard, where the MPU faults (ARMv7-M) or which the next switch
 * finds overwritten (the task sleeps; ARMv6-M's canary), and the task is
 * reported and ended with -EFAULT, after "below" was written.
 *
 * The runner checks the report (tests/qemu/run.py, sc_fault_ verdict).
 */
#include <string.h>

#include "guard.h"
#include "scenario.h"

#define STACK 1024
#define BELOW 256
#define PATTERN 0xb1u
#define ARMV7M (__ARM_ARCH >= 7)
#define FRAME_CAUGHT (PORT_GUARD_SIZE >= PORT_FRAME_LIMIT)
/* The array: the frame limit less the pushes and a little slack. */
#define BIG (PORT_FRAME_LIMIT - 24)

static struct kt_task big, ctl;
static struct {
	uint8_t below[BELOW];
	uint8_t big[STACK];
} mem __attribute__((aligned(256)));
static uint8_t ctl_stack[STACK];
static volatile uintptr_t deepest;

/* The array, written from its far (lowest) end up, then a switch. */
__attribute__((noinline)) static void big_frame(void)
{
	volatile uint8_t buf[BIG];

	deepest = (uintptr_t)&buf[0];
	for (unsigned i = 0; i < BIG; i++)
		buf[i] = (uint8_t)i;
	kt_sleep(1); /* a switch away, where ARMv6-M checks the canary */
	deepest = buf[BIG - 1];
}

/* Down to a few words above the guard's top, then the large frame. */
__attribute__((noinline)) static void descend(uintptr_t stop)
{
	volatile uint32_t level[2];

	level[0] = stop;
	if ((uintptr_t)&level[0] > stop)
		descend(stop);
	else
		big_frame();
	level[1] = level[0];
}

static int big_fn(void *arg)
{
	(void)arg;
	descend(port_guard_lo(&big) + PORT_GUARD_SIZE + 32);
	return 0;
}

static unsigned below_changed(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < BELOW; i++)
		n += mem.below[i] != PATTERN;
	return n;
}

static int ctl_fn(void *arg)
{
	int result = 0;

	(void)arg;
	SC_CHECK_EQ(kt_task_spawn(&big, "big", big_fn, NULL, mem.big, STACK, 5), 0);
	SC_CHECK_EQ(kt_task_join(&big, &result, 1000), 0);
	SC_CHECK_EQ(result, -EFAULT);
	if (FRAME_CAUGHT) {
		SC_CHECK_EQ(below_changed(), 0);
	} else {
		/* The write went under the reserve before the canary saw it. */
		SC_CHECK(deepest < (uintptr_t)mem.big);
		SC_CHECK(below_changed() > 0);
	}
	sc_finish();
}

int main(void)
{
	kt_init(0);
	sc_begin("fault_big_frame");
	memset(mem.below, PATTERN, sizeof(mem.below));
	sc_expect_exit(0);
	sc_expect("FAULT: stack overflow in task big");
	sc_expect(ARMV7M ? "caught by the MPU, MemManage" :
			   "caught by its canary, at a task switch");
	sc_expect("task big stopped (-EFAULT); the others go on");
	SC_CHECK_EQ(kt_task_spawn(&ctl, "ctl", ctl_fn, NULL, ctl_stack, STACK, 6), 0);
	kt_run();
}
