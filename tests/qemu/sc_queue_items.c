/*
 * Queue items of every size from 1 to 40 bytes at every alignment of both
 * buffers, straight to a blocked getter and through the ring, with the
 * target's copy (ldrd/strd on Thumb-2, words on ARMv6-M, memcpy for the
 * rest): every byte arrives, none around it is written
 * (tests/queue_sweep.h; the host test runs the C copy).
 */
#include "scenario.h"
#include "../queue_sweep.h"

#define STACK 1024

static struct kt_task getter, putter, main_task;
static uint8_t stacks[3][STACK];

static int checker(void *arg)
{
	int result = -1;

	(void)arg;
	SC_CHECK_EQ(kt_task_join(&getter, &result, KT_FOREVER), 0);
	SC_CHECK_EQ(result, 0);
	SC_CHECK_EQ(kt_task_join(&putter, &result, KT_FOREVER), 0);
	SC_CHECK_EQ(result, 0);
	SC_CHECK_EQ(qs_cases, QS_CASES);
	SC_CHECK_EQ(qs_bad, 0);
	sc_finish();
}

int main(void)
{
	kt_init(0);
	sc_begin("queue_items");
	sc_watchdog(1000);
	SC_CHECK_EQ(kt_task_spawn(&getter, "getter", qs_getter, NULL, stacks[0],
				  STACK, 2),
		    0);
	SC_CHECK_EQ(kt_task_spawn(&putter, "putter", qs_putter, NULL, stacks[1],
				  STACK, 1),
		    0);
	SC_CHECK_EQ(kt_task_spawn(&main_task, "checker", checker, NULL,
				  stacks[2], STACK, 0),
		    0);
	kt_run();
}
