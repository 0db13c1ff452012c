/*
 * Blink: a periodic soft timer toggles an LED every 250 ms.
 *
 * The timer's callback runs on the scheduler, not on a task's stack, so it
 * must not block: it flips the LED and, after the last blink, stops its
 * timer and sets an event.  The one task waits for that event and stops
 * the machine (under QEMU, exit code 0: make check reads it).
 *
 * The boards under QEMU have no LED, so the "LED" is a line on the
 * console; on hardware, led_set() is where a GPIO write goes.
 */
#include <stdio.h>

#include "board.h"
#include "kettle.h"

#define BLINKS 6
#define PERIOD (KT_TICK_HZ / 4) /* 250 ms */

static struct kt_timer blink_timer;
static struct kt_event done;
static struct kt_task main_task;
static uint8_t main_stack[1024];
static unsigned toggles;

static void led_set(int on)
{
	printf("led %s at %lu ms\n", on ? "on" : "off",
	       (unsigned long)(kt_now() * 1000u / KT_TICK_HZ));
}

/* On the scheduler, every PERIOD ticks: never blocks. */
static void blink(void *arg)
{
	(void)arg;
	toggles++;
	led_set(toggles % 2);
	if (toggles == BLINKS) {
		kt_timer_stop(&blink_timer);
		kt_event_set(&done);
	}
}

static int main_fn(void *arg)
{
	(void)arg;
	printf("blink: every %u ms, %u times\n", PERIOD * 1000u / KT_TICK_HZ, BLINKS);
	if (kt_timer_start(&blink_timer, PERIOD, PERIOD) != 0)
		board_exit(1);
	kt_event_wait(&done, KT_FOREVER);
	printf("blink: done\n");
	board_exit(0);
}

int main(void)
{
	kt_init(0);
	kt_timer_init(&blink_timer, blink, NULL);
	kt_event_init(&done);
	kt_task_spawn(&main_task, "main", main_fn, NULL, main_stack,
		      sizeof(main_stack), 1);
	kt_run();
}
