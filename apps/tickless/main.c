/*
 * The tickless measurement image (make tickless-bench, part of make bench;
 * mk/tickless.mk builds it tickless and with KT_TICKLESS=0): the machine
 * sits idle for 10 s of guest time with one soft timer firing every
 * second, and tests/qemu/tickless_bench.py counts the timer interrupts in
 * those 10 s from outside, in QEMU's trace of the interrupt controller.
 *
 * The window is marked in that trace by the soft interrupt: pended once
 * just before the timer starts and once from its tenth expiry.  Nothing
 * else happens in between - no output, no other task awake - so every
 * interrupt the trace shows there is the tick's.  The handler reads its
 * own exception number (IPSR) for the script, which finds the marks by it.
 *
 * The timer callback also reads board_cycles() at every expiry: the
 * board's second timer (CMSDK TIMER0 on the MPS2 boards) measures each
 * 1 s interval, which under -icount should be exactly a second of cycles
 * each time: the accuracy of tickless wake-ups against a clock the tick
 * does not use.  Output: "tickless-bench ..." lines, read by the script.
 */
#include <stdio.h>

#include "board.h"
#include "port.h"

#define PERIOD KT_TICK_HZ /* ticks: one second */
#define FIRES 10u
#define SETTLE 100u /* ticks for the console to drain before the window */
#define STACK 1024

static struct kt_task main_task;
static uint8_t main_stack[STACK];
static struct kt_timer timer;
static struct kt_event done;
static uint32_t fire_cycles[FIRES + 1];
static unsigned fires;
static volatile uint32_t soft_exception, marks;

static void mark(void)
{
	uint32_t ipsr;

	__asm volatile("mrs %0, ipsr" : "=r"(ipsr));
	soft_exception = ipsr & 0x1ffu;
	marks++;
}

static void fired(void *arg)
{
	(void)arg;
	fire_cycles[++fires] = board_cycles();
	if (fires == FIRES) {
		board_soft_irq_pend(); /* the window's end: the handler runs now */
		kt_timer_stop(&timer);
		kt_event_set(&done);
	}
}

static int measure(void *arg)
{
	uint32_t hz = board_cycles_hz(), lo = 0xffffffffu, hi = 0;
	(void)arg;

	kt_sleep(SETTLE);
	board_soft_irq_pend(); /* the window's start */
	fire_cycles[0] = board_cycles();
	kt_timer_start(&timer, PERIOD, PERIOD);
	kt_event_wait(&done, KT_FOREVER);
	for (unsigned i = 1; i <= FIRES; i++) {
		uint32_t d = fire_cycles[i] - fire_cycles[i - 1];

		if (i > 1 && d < lo)
			lo = d;
		if (i > 1 && d > hi)
			hi = d;
	}
	printf("tickless-bench tickless %d\n", KT_TICKLESS);
	printf("tickless-bench soft-exception %lu\n", (unsigned long)soft_exception);
	printf("tickless-bench marks %lu\n", (unsigned long)marks);
	printf("tickless-bench fires %u\n", fires);
	printf("tickless-bench cycles-hz %lu\n", (unsigned long)hz);
	printf("tickless-bench first-wait %lu\n",
	       (unsigned long)(fire_cycles[1] - fire_cycles[0]));
	printf("tickless-bench interval-min %lu\n", (unsigned long)lo);
	printf("tickless-bench interval-max %lu\n", (unsigned long)hi);
	board_exit(0);
}

int main(void)
{
	kt_init(0);
	kt_event_init(&done);
	kt_timer_init(&timer, fired, NULL);
	board_soft_irq_set(mark);
	kt_task_spawn(&main_task, "measure", measure, NULL, main_stack,
		      sizeof(main_stack), 1);
	kt_run();
}
