/*
 * A message queue fed from the UART interrupt: the uart_echo protocol of
 * tests/qemu/run.py (see sc_uart_echo.c), with every received byte put by
 * the RX interrupt into a kt_queue (kt_queue_put_isr, through the board's
 * RX hook) instead of the driver's ring, and the echo task getting them
 * with kt_queue_get.
 *
 * 1. echo: every byte comes back in order, none dropped at ~8 KB/s; the
 *    task blocks in kt_queue_get and the interrupt's put wakes it.
 * 2. burst: the firmware stops reading while the burst arrives: the queue
 *    fills, kt_queue_put_isr refuses the rest and counts them (dropped),
 *    and what the queue kept is exactly the start of the burst.
 */
#include <stdio.h>

#include "echo_proto.h"
#include "scenario.h"

#define STACK 2048
#define QLEN 256

static struct kt_task echo_task;
static uint8_t echo_stack[STACK];
static struct kt_queue rxq;
static uint8_t rxq_store[QLEN];

static void rx_hook(uint8_t b)
{
	kt_queue_put_isr(&rxq, &b); /* a full queue counts it dropped */
}

static int get_byte(uint8_t *b)
{
	return kt_queue_get(&rxq, b, KT_FOREVER);
}

static void burst_phase(uint32_t burst)
{
	uint32_t kept = 0, wrong = 0, waited = 0;
	uint8_t b;

	printf(ECHO_BURST);
	/* Wait until the whole burst was either kept or dropped. */
	while (kt_queue_count(&rxq) + rxq.dropped < burst && waited++ < 5000)
		kt_sleep(1);
	while (kt_queue_get(&rxq, &b, KT_NOWAIT) == 0)
		wrong += b != burst_byte(kept++);
	printf("uart_echo_queue: burst of %lu: kept %lu, dropped %lu\n",
	       (unsigned long)burst, (unsigned long)kept,
	       (unsigned long)rxq.dropped);
	SC_CHECK_EQ(kept, QLEN);
	SC_CHECK_EQ(wrong, 0);
	SC_CHECK_EQ(rxq.dropped, burst - kept);
}

static int echo(void *arg)
{
	uint8_t hdr[ECHO_HEADER], quit = 0;
	struct gen g = { 0, 0 };
	uint32_t count, burst, mismatches = 0, got = 0;
	int err = 0;

	(void)arg;
	board_uart_set_rx_hook(rx_hook);
	printf(ECHO_READY);
	for (size_t i = 0; i < sizeof(hdr) && err == 0; i++)
		err = get_byte(&hdr[i]);
	count = le32(hdr);
	g.x = le32(hdr + 4);
	burst = le32(hdr + 8);
	while (err == 0 && got < count) {
		uint8_t b;

		err = get_byte(&b);
		if (err != 0)
			break;
		mismatches += b != gen_next(&g);
		if (board_uart_write(&b, 1, KT_FOREVER) != 1)
			err = -EIO;
		got++;
	}
	if (err == 0)
		err = get_byte(&quit);
	printf("\nuart_echo_queue: %lu bytes through the queue, %lu dropped\n",
	       (unsigned long)got, (unsigned long)rxq.dropped);
	SC_CHECK_EQ(err, 0);
	SC_CHECK_EQ(got, count);
	SC_CHECK_EQ(mismatches, 0);
	SC_CHECK_EQ(quit, 'Q');
	SC_CHECK_EQ(rxq.dropped, 0);
	if (err == 0 && burst != 0)
		burst_phase(burst);
	board_uart_set_rx_hook(NULL);
	sc_finish();
}

int main(void)
{
	kt_init(0);
	sc_begin("uart_echo_queue");
	SC_CHECK_EQ(kt_queue_init(&rxq, rxq_store, 1, QLEN), 0);
	SC_CHECK_EQ(kt_task_spawn(&echo_task, "echo", echo, NULL, echo_stack,
				  STACK, 5),
		    0);
	kt_run();
}
