/*
 * The tick runs from board_init(), before main() has called kt_init():
 * ticks that land in that window must be harmless.  The reset handler
 * gives the kernel its idle state before board_init() starts the tick,
 * and kt_init() resets it with interrupts masked, so no tick sees it half
 * written.  Before that, the first early tick dereferenced a NULL running
 * task (a NULL-guard fault on ARMv7-M; seen as a rare start-up crash of
 * the network demo under a loaded host).
 */
#include "scenario.h"

#define STACK 1024

static struct kt_task task;
static uint8_t stack[STACK];

static int sleeper(void *arg)
{
	(void)arg;
	SC_CHECK_EQ(kt_sleep(5), 0);
	sc_finish();
}

int main(void)
{
	/* Three ticks before the kernel is initialised... */
	while (kt_now() < 3)
		;
	/* ...and more while kt_init() resets it. */
	for (unsigned i = 0; i < 2000; i++)
		kt_init(0);
	sc_begin("early_tick");
	SC_CHECK_EQ(kt_task_spawn(&task, "sleeper", sleeper, NULL, stack, STACK, 5),
		    0);
	kt_run();
}
