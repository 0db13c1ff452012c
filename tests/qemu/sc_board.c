/*
 * The rest of the board API on the target.
 *
 * - the soft interrupt: its handler runs in handler mode, a task blocked
 *   on an event it sets wakes (the ISR-to-task path), and with no handler
 *   set a pend does nothing;
 * - board_cycles() counts up at board_cycles_hz(): a busy 20 ticks are
 *   20 x 25,000 cycles give or take the loop's own granularity;
 * - the console before kt_run() writes polled, returns the count and
 *   counts the bytes; reads there never block;
 * - newlib: malloc from the linker's heap, and ENOMEM (not a crash) when
 *   a request does not fit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "port.h"
#include "scenario.h"

#define STACK 2048

static struct kt_task main_task;
static uint8_t main_stack[STACK];
static struct kt_event irq_event;
static volatile uint32_t irq_count, irq_in_handler, irq_cycles;

static void soft_irq(void)
{
	irq_cycles = board_cycles();
	irq_count++;
	irq_in_handler = port_in_isr();
	kt_event_set_isr(&irq_event);
}

static struct kt_timer pend_timer;

static void pend_soft_irq(void *arg)
{
	(void)arg;
	board_soft_irq_pend();
}

static int run(void *arg)
{
	uint32_t c0, c1, woke;
	kt_tick_t t0;
	void *p, *huge;
	(void)arg;

	/* ISR to task: a timer callback pends the interrupt while we wait. */
	kt_event_init(&irq_event);
	board_soft_irq_set(soft_irq);
	kt_timer_init(&pend_timer, pend_soft_irq, NULL);
	SC_CHECK_EQ(kt_timer_start(&pend_timer, 2, 0), 0);
	SC_CHECK_EQ(kt_event_wait(&irq_event, 10), 0);
	woke = board_cycles();
	SC_CHECK_EQ(irq_count, 1);
	SC_CHECK_EQ(irq_in_handler, 1);
	printf("board: soft irq handler to task: %lu cycles\n",
	       (unsigned long)(woke - irq_cycles));
	/* No handler: a pend does nothing. */
	kt_event_clear(&irq_event);
	board_soft_irq_set(NULL);
	board_soft_irq_pend();
	SC_CHECK_EQ(kt_event_wait(&irq_event, 5), -ETIMEDOUT);
	SC_CHECK_EQ(irq_count, 1);

	/* The cycle counter against the tick. */
	t0 = kt_now();
	while (kt_now() == t0)
		;
	t0 = kt_now();
	c0 = board_cycles();
	while (kt_now() - t0 < 20)
		;
	c1 = board_cycles();
	printf("board: 20 ticks = %lu cycles at %lu Hz\n",
	       (unsigned long)(c1 - c0), (unsigned long)board_cycles_hz());
	SC_CHECK(c1 - c0 >= 20u * (board_cycles_hz() / KT_TICK_HZ) - 200u);
	SC_CHECK(c1 - c0 <= 20u * (board_cycles_hz() / KT_TICK_HZ) + 200u);

	/* The heap. */
	p = malloc(1000);
	SC_CHECK(p != NULL);
	errno = 0;
	huge = malloc(64u << 20); /* more than all of RAM */
	SC_CHECK(huge == NULL);
	SC_CHECK_EQ(errno, ENOMEM);
	free(p);
	sc_finish();
}

int main(void)
{
	struct board_uart_stats s0, s1;
	uint8_t b;

	kt_init(0);
	sc_begin("board");
	board_uart_stats(&s0);
	SC_CHECK_EQ(board_uart_write("polled\n", 7, KT_FOREVER), 7);
	board_uart_stats(&s1);
	SC_CHECK_EQ(s1.tx_bytes - s0.tx_bytes, 7);
	SC_CHECK_EQ(board_uart_read(&b, 1, KT_FOREVER), -EAGAIN);
	SC_CHECK_EQ(board_uart_write(NULL, 1, 0), -EINVAL);
	SC_CHECK_EQ(board_uart_write("x", 0, 0), -EINVAL);
	SC_CHECK_EQ(kt_task_spawn(&main_task, "main", run, NULL, main_stack, STACK, 5),
		    0);
	kt_run();
}
