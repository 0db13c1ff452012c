/*
 * The console's transmit side under back-pressure.  The runner gives
 * this scenario a 4 KB pipe as its UART and reads nothing for its first
 * 0.3 s, so QEMU's UART stays full: the TX ring fills and writers block.
 *
 * - a write with a 50-tick timeout returns what fit, after exactly 50
 *   ticks; then a poll returns -ETIMEDOUT (nothing fits);
 * - 1000 numbered lines through printf (newlib, one byte per write) all
 *   arrive, whole and in order (the runner checks them), while the
 *   printing task blocked and a second task ran in the meantime;
 * - the driver's tx_bytes counts every byte, once the runner reads again.
 *
 * Where the board's UART never backs up under QEMU (SC_UART_STALLS 0, see
 * scenario.h) the writes take everything at once and nothing blocks: the
 * scenario checks exactly that instead, and the lines and counts as
 * everywhere.
 */
#include <stdio.h>

#include "scenario.h"

#define LINES 1000
#define LINE "flood %04d abcdefghijklmnopqrstuvwxyz0123456789\n"
#define STACK 2048

static struct kt_task flood_task, background_task;
static uint8_t flood_stack[STACK], background_stack[STACK];
static volatile uint32_t background_wakes;
static volatile bool flood_done;
/* 8 KiB of dots, in flash: the smallest board has 16 KiB of RAM. */
#define DOTS16 "................"
#define DOTS256 \
	DOTS16 DOTS16 DOTS16 DOTS16 DOTS16 DOTS16 DOTS16 DOTS16 DOTS16 DOTS16 \
		DOTS16 DOTS16 DOTS16 DOTS16 DOTS16 DOTS16
#define DOTS4096 \
	DOTS256 DOTS256 DOTS256 DOTS256 DOTS256 DOTS256 DOTS256 DOTS256 \
		DOTS256 DOTS256 DOTS256 DOTS256 DOTS256 DOTS256 DOTS256 DOTS256
static const char filler[8192] = DOTS4096 DOTS4096; /* no NUL: it fits */

/* The bytes of all the lines. */
static uint32_t lines_bytes(void)
{
	uint32_t sum = 0;

	for (int i = 0; i < LINES; i++)
		sum += (uint32_t)snprintf(NULL, 0, LINE, i);
	return sum;
}

static int flood(void *arg)
{
	struct board_uart_stats st0, st1;
	uint32_t wakes;
	kt_tick_t t0;
	int n;
	(void)arg;

	board_uart_stats(&st0);

	/* The pipe and the ring take a few KB, then nothing moves. */
	t0 = kt_now();
	n = board_uart_write(filler, sizeof(filler), 50);
#if SC_UART_STALLS
	SC_CHECK_EQ(kt_now() - t0, 50);
	SC_CHECK(n > 0 && n < (int)sizeof(filler));
	SC_CHECK_EQ(board_uart_write(filler, 1, KT_NOWAIT), -ETIMEDOUT);
#else
	SC_CHECK_EQ(n, (int)sizeof(filler));
	SC_CHECK(kt_now() - t0 < 50);
#endif

	wakes = background_wakes;
	t0 = kt_now();
	printf("\n");
	for (int i = 0; i < LINES; i++)
		printf(LINE, i);
#if SC_UART_STALLS
	SC_CHECK(background_wakes != wakes); /* it blocked; others ran */
#else
	SC_CHECK_EQ(background_wakes, wakes); /* it never blocked */
#endif
	flood_done = true;

	/* What is still queued goes out now that the runner reads. */
	for (int i = 0; i < 1000; i++) {
		board_uart_stats(&st1);
		if (st1.tx_bytes - st0.tx_bytes >= (uint32_t)n + 1u + lines_bytes())
			break;
		kt_sleep(1);
	}
	printf("uart_flood: %d filler bytes, %d lines in %lu ticks; "
	       "background woke %lu times; tx %lu\n",
	       n, LINES, (unsigned long)(kt_now() - t0),
	       (unsigned long)(background_wakes - wakes),
	       (unsigned long)(st1.tx_bytes - st0.tx_bytes));
	SC_CHECK_EQ(st1.tx_bytes - st0.tx_bytes, (uint32_t)n + 1u + lines_bytes());
	SC_CHECK_EQ(st1.rx_dropped, 0);
	sc_finish();
}

static int background(void *arg)
{
	(void)arg;
	while (!flood_done) {
		kt_sleep(1);
		background_wakes++;
	}
	return 0;
}

int main(void)
{
	kt_init(0);
	sc_begin("uart_flood");
	SC_CHECK_EQ(kt_task_spawn(&flood_task, "flood", flood, NULL,
				  flood_stack, STACK, 5),
		    0);
	SC_CHECK_EQ(kt_task_spawn(&background_task, "background", background,
				  NULL, background_stack, STACK, 5),
		    0);
	kt_run();
}
