/*
 * The console is a shared peripheral: three tasks print long lines with
 * board_printf while the runner leaves the UART's pipe unread (a name with
 * "flood" in it), so the transmit buffer fills and writers block in the
 * middle of their lines.  Each line is "@@ <task> <n> <text> <crc32>",
 * which run.py checks whole; it also checks the count announced at the
 * end.  Here the scenario checks that the tasks really did take turns at
 * line granularity (lines of different tasks alternate in the log) and
 * that writers blocked - or, where the board's UART never backs up under
 * QEMU (SC_UART_STALLS 0), that nothing blocked.
 */
#include <stdio.h>
#include <string.h>

#include "scenario.h"

#define TASKS 3
#define LINES 150
#define STACK 2048

static struct kt_task tasks[TASKS], checker;
static uint8_t stacks[TASKS + 1][STACK];
static uint32_t crc_table[256];
static volatile uint32_t switches_between_lines;
static volatile int last_writer = -1;

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32(const char *s)
{
	uint32_t c = 0xffffffffu;

	while (*s)
		c = crc_table[(c ^ (uint8_t)*s++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

static int writer(void *arg)
{
	int id = (int)(intptr_t)arg;
	char text[120];

	for (int n = 0; n < LINES; n++) {
		int len = snprintf(text, sizeof(text), "task%d %03d ", id, n);

		/* 80-odd characters of a pattern that changes per line. */
		for (int i = 0; i < 70; i++)
			text[len++] = (char)('a' + (id * 7 + n + i) % 26);
		text[len] = 0;
		if (last_writer != id && last_writer != -1)
			switches_between_lines++;
		last_writer = id;
		SC_CHECK(board_printf("@@ %s %08lx\n", text,
				      (unsigned long)crc32(text)) > 0);
	}
	return 0;
}

static int check(void *arg)
{
	(void)arg;
	for (int i = 0; i < TASKS; i++)
		SC_CHECK_EQ(kt_task_join(&tasks[i], NULL, 20000), 0);
	printf("@@count %d\n", TASKS * LINES);
	printf("console: %lu changes of writer between lines\n",
	       (unsigned long)switches_between_lines);
#if SC_UART_STALLS
	/* The writers blocked on the full buffer and others ran meanwhile. */
	SC_CHECK(switches_between_lines > 10);
#else
	/* The UART never fills (scenario.h): each wrote all its lines at once. */
	SC_CHECK_EQ(switches_between_lines, TASKS - 1);
#endif
	sc_finish();
}

int main(void)
{
	kt_init(0);
	sc_begin("console_flood");
	sc_watchdog(60000);
	crc_init();
	for (int i = 0; i < TASKS; i++)
		SC_CHECK_EQ(kt_task_spawn(&tasks[i], "writer", writer,
					  (void *)(intptr_t)i, stacks[i], STACK, 3),
			    0);
	SC_CHECK_EQ(kt_task_spawn(&checker, "checker", check, NULL,
				  stacks[TASKS], STACK, 1),
		    0);
	kt_run();
}
