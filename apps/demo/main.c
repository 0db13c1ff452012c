/*
 * The kettle demo, what `make run` boots: a few tasks sharing one CPU
 * cooperatively, a shell on the console, and on boards with Ethernet a
 * ping responder and a UDP echo service.
 *
 * - heartbeat: a line every second on a drift-free schedule
 *   (kt_sleep_until), with the uptime and the console counters;
 * - worker-a, the producer: every 0.7 s it puts a numbered item on a
 *   kt_queue; worker-b, the consumer, blocks on the queue and handles each
 *   item for 50 ms while it holds the "stats" mutex, so the shell's
 *   `mutex` has something to show;
 * - a soft timer ("blink", every 500 ms) that only counts, so `timers`
 *   shows one next to the tasks' timeouts;
 * - the shell (apps/demo/shell.c, task "echo": the name the trace tools
 *   know), with the hog detector and its reporter ("hogwatch");
 * - on boards with Ethernet (apps/demo/net.c): the stack ("net") and
 *   "udp-echo" on port 7;
 * - built with KT_TRACE=1 (make trace), "trace" dumps the schedule trace
 *   recorded since boot (apps/demo/trace.c).
 *
 * Every task blocks somewhere (a sleep, the queue or the UART), so the CPU
 * idles in WFI between them.  The demo runs forever.
 */
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "demo.h"
#include "kettle.h"

/* Each task peaks near 700 bytes (ps shows it); the micro:bit has 16 KiB
 * of RAM for everything. */
#define STACK 1024
#define ITEMS 4

static struct kt_task heartbeat_task, producer_task, consumer_task;
static uint8_t heartbeat_stack[STACK], producer_stack[STACK], consumer_stack[STACK];
static struct kt_queue items;
static uint32_t items_buf[ITEMS];
static struct kt_mutex stats = KT_MUTEX_INIT(stats);
static uint32_t produced, consumed;
static struct kt_timer blink;
static volatile uint32_t blinks;
static volatile bool quiet;

void demo_quiet(bool on)
{
	quiet = on;
}

const char *demo_timer_name(const struct kt_timer *t)
{
	return t == &blink ? "blink" : "?";
}

const char *demo_mutex_name(const struct kt_mutex *m)
{
	return m == &stats ? "stats" : "?";
}

const char *demo_extra_commands(void)
{
	return BOARD_HAS_ETH ? "ip A.B.C.D[/N] [GW], net, trace" : "trace";
}

/*
 * "[   12.345] text": the uptime in seconds, then the line, written whole
 * under the console mutex so the lines of different tasks never mix.
 */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	char line[BOARD_PRINTF_MAX];
	kt_tick_t now = kt_now();
	va_list ap;
	int n = snprintf(line, sizeof(line), "[%5lu.%03lu] ",
			 (unsigned long)(now / KT_TICK_HZ),
			 (unsigned long)(now % KT_TICK_HZ * 1000u / KT_TICK_HZ));

	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	board_console_write(line, strlen(line));
}

/* Each periodic task returns when cancelled (the shell's kill). */
static int heartbeat(void *arg)
{
	kt_tick_t next = kt_now();
	unsigned beat = 0;
	(void)arg;

	for (;;) {
		struct board_uart_stats st;

		if (kt_sleep_until(&next, KT_TICK_HZ) < 0)
			return -ECANCELED;
		beat++;
		if (quiet)
			continue;
		board_uart_stats(&st);
		say("heartbeat %u (uart: %lu in, %lu out)\n", beat,
		    (unsigned long)st.rx_bytes, (unsigned long)st.tx_bytes);
	}
}

static int producer(void *arg)
{
	kt_tick_t next = kt_now();
	(void)arg;

	for (uint32_t n = 1;; n++) {
		if (kt_sleep_until(&next, KT_TICK_HZ * 7 / 10) < 0)
			return -ECANCELED;
		if (kt_queue_put(&items, &n, KT_TICK_HZ) < 0)
			return -ECANCELED; /* a full queue for 1 s: the consumer is gone */
		if (kt_mutex_lock(&stats, KT_FOREVER) < 0)
			return -ECANCELED;
		produced++;
		kt_mutex_unlock(&stats);
	}
}

static int consumer(void *arg)
{
	(void)arg;

	for (;;) {
		uint32_t n;
		int err;

		if (kt_queue_get(&items, &n, KT_FOREVER) < 0)
			return -ECANCELED;
		if (kt_mutex_lock(&stats, KT_FOREVER) < 0)
			return -ECANCELED;
		/* The work: the mutex stays held across a sleep on purpose. */
		err = kt_sleep(KT_TICK_HZ / 20);
		consumed++;
		kt_mutex_unlock(&stats);
		if (err < 0)
			return -ECANCELED;
		if (!quiet && n % 4 == 0)
			say("worker-b: item %lu (%lu produced, %lu consumed)\n",
			    (unsigned long)n, (unsigned long)produced,
			    (unsigned long)consumed);
	}
}

static void blink_fn(void *arg)
{
	(void)arg;
	blinks++;
}

int main(void)
{
	kt_init(0);
	demo_trace_start();
	printf("\nkettle demo: %u ticks/s.  Running: heartbeat (every 1 s), worker-a ->\n"
	       "queue -> worker-b (producer/consumer), a soft timer, the shell (task\n"
	       "\"echo\") with a hog detector (limit %u ms)%s.\n",
	       (unsigned)KT_TICK_HZ, (unsigned)DEMO_HOG_MS,
	       BOARD_HAS_ETH ? ", ping and UDP echo on port 7" : "");
	if (BOARD_HAS_ETH && DEMO_NET_PORT != 0)
		printf("make run forwards host UDP port %u to port 7: nc -u 127.0.0.1 %u\n",
		       (unsigned)DEMO_NET_PORT, (unsigned)DEMO_NET_PORT);
	kt_queue_init(&items, items_buf, sizeof(items_buf[0]), ITEMS);
	kt_timer_init(&blink, blink_fn, NULL);
	kt_timer_start(&blink, KT_TICK_HZ / 2, KT_TICK_HZ / 2);
	kt_task_spawn(&heartbeat_task, "heartbeat", heartbeat, NULL,
		      heartbeat_stack, STACK, 3);
	kt_task_spawn(&producer_task, "worker-a", producer, NULL,
		      producer_stack, STACK, 2);
	kt_task_spawn(&consumer_task, "worker-b", consumer, NULL,
		      consumer_stack, STACK, 2);
	demo_shell_start(4);
	demo_net_start();
	kt_run();
}
