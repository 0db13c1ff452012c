/*
 * The kettle demo, what `make run` boots: a few tasks sharing one CPU
 * cooperatively, and an echo task answering the console.
 *
 * - heartbeat: a line every second, on a drift-free schedule
 *   (kt_sleep_until), with the uptime and the console counters;
 * - two workers on their own periods (0.7 s and 1.3 s), so their lines
 *   interleave with the heartbeat's;
 * - echo: echoes what you type (backspace erases) and on Enter answers
 *   with the line.  "ps" lists the tasks, "quiet" and "loud" stop and
 *   restart the periodic lines, "exit" leaves QEMU.
 * - built with KT_TRACE=1 (make trace), "trace" dumps the schedule trace
 *   recorded since boot (apps/demo/trace.c) for tools/trace2view.py.
 *
 * - on boards with Ethernet (apps/demo/net.c): the network stack answers
 *   ping and a UDP echo service runs on port 7; "ip" and "net" show and
 *   set the address and show the counters.
 *
 * Every task blocks somewhere (a sleep or the UART), so the CPU idles in
 * WFI between them; the echo task wakes only when the UART's receive
 * interrupt has put bytes in its ring.  The demo runs forever.
 */
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "demo.h"
#include "kettle.h"

#define STACK 2048
#define LINE_MAX 80

static struct kt_task heartbeat_task, worker_tasks[2], echo_task;
static uint8_t heartbeat_stack[STACK], worker_stacks[2][STACK];
static uint8_t echo_stack[STACK];
static volatile bool quiet;

struct worker {
	const char *name;
	kt_tick_t period;
};

static const struct worker workers[2] = {
	{ "worker-a", KT_TICK_HZ * 7 / 10 },
	{ "worker-b", KT_TICK_HZ * 13 / 10 },
};

/*
 * "[   12.345] text": the uptime in seconds, then the line.  The console is
 * shared: the whole line goes out under its mutex, so the lines of
 * different tasks never mix, even while the UART is backed up.
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

static int heartbeat(void *arg)
{
	kt_tick_t next = kt_now();
	unsigned beat = 0;
	(void)arg;

	for (;;) {
		struct board_uart_stats st;

		kt_sleep_until(&next, KT_TICK_HZ);
		beat++;
		if (quiet)
			continue;
		board_uart_stats(&st);
		say("heartbeat %u (uart: %lu in, %lu out)\n", beat,
		    (unsigned long)st.rx_bytes, (unsigned long)st.tx_bytes);
	}
	return 0; /* not reached: the demo runs forever */
}

static int worker(void *arg)
{
	const struct worker *w = arg;
	kt_tick_t next = kt_now();

	for (unsigned step = 1;; step++) {
		kt_sleep_until(&next, w->period);
		if (quiet)
			continue;
		say("%s: step %u\n", w->name, step);
	}
	return 0;
}

static void list_tasks(void)
{
	const struct kt_task *t = NULL;

	printf("%-10s %-8s %-6s %4s %10s %8s\n", "task", "state", "wait",
	       "prio", "stack", "runs");
	while ((t = kt_task_next(t)) != NULL) {
		struct kt_task_info info;

		if (kt_task_info(t, &info) != 0)
			continue;
		printf("%-10s %-8s %-6s %4u %4lu/%-5lu %8lu\n", info.name,
		       kt_state_name(info.state), kt_wait_name(info.wait),
		       info.prio, (unsigned long)info.stack_used,
		       (unsigned long)info.stack_size, (unsigned long)info.runs);
	}
}

static void answer(const char *line)
{
	if (demo_net_command(line)) {
		/* "ip ..." and "net": apps/demo/net.c */
	} else if (demo_trace_command(line)) {
		/* "trace": apps/demo/trace.c */
	} else if (strcmp(line, "ps") == 0) {
		list_tasks();
	} else if (strcmp(line, "quiet") == 0) {
		quiet = true;
		printf("periodic lines off (\"loud\" brings them back)\n");
	} else if (strcmp(line, "loud") == 0) {
		quiet = false;
	} else if (strcmp(line, "exit") == 0) {
		printf("bye\n");
		board_exit(0);
	} else if (line[0] != '\0') {
		say("%s heard: \"%s\"\n", kt_self()->name, line);
	}
}

static int echo(void *arg)
{
	char line[LINE_MAX + 1];
	size_t len = 0;
	(void)arg;

	printf("type a line and press Enter; try \"ps\", \"quiet\", \"trace\", \"exit\"\n");
	for (;;) {
		char buf[16];
		int n = board_uart_read(buf, sizeof(buf), KT_FOREVER);

		for (int i = 0; i < n; i++) {
			char c = buf[i];

			if (c == '\r' || c == '\n') {
				line[len] = '\0';
				printf("\n");
				answer(line);
				len = 0;
			} else if (c == 0x7f || c == '\b') {
				if (len > 0) {
					len--;
					printf("\b \b");
				}
			} else if (c >= ' ' && len < LINE_MAX) {
				line[len++] = c;
				board_uart_write(&c, 1, KT_FOREVER);
			}
		}
	}
	return 0;
}

int main(void)
{
	kt_init(0);
	demo_trace_start();
	printf("\nkettle demo: %u ticks/s\n",
	       (unsigned)KT_TICK_HZ);
	kt_task_spawn(&heartbeat_task, "heartbeat", heartbeat, NULL,
		      heartbeat_stack, STACK, 3);
	for (int i = 0; i < 2; i++)
		kt_task_spawn(&worker_tasks[i], workers[i].name, worker,
			      (void *)&workers[i], worker_stacks[i], STACK, 2);
	kt_task_spawn(&echo_task, "echo", echo, NULL, echo_stack, STACK, 4);
	demo_net_start();
	kt_run();
}
