/*
 * The demo's schedule trace.  Built with KT_TRACE=1 (`make trace` builds
 * it so, in a build directory of its own), the demo records every switch,
 * wake and interrupt from boot into a ring of DEMO_TRACE_RECORDS records,
 * timed by board_cycles(); the ring keeps the newest.  The console command
 * "trace" writes it in kt_trace_dump's text format (kernel/trace.h), a
 * whole line at a time under the console mutex, so other tasks' lines
 * may come between KTRACE lines but never inside one: tools/trace2view.py
 * picks the KTRACE lines out and draws them.  Recording pauses while the
 * dump is written (the dump would otherwise trace itself) and goes on
 * after.  Built without tracing, the command says how to get it.
 */
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "demo.h"

#ifndef DEMO_TRACE_RECORDS
#define DEMO_TRACE_RECORDS 4096 /* 32 KiB; a power of two */
#endif

static struct kt_trace_rec ring[KT_TRACE ? DEMO_TRACE_RECORDS : 1];

void demo_trace_start(void)
{
	if (KT_TRACE)
		kt_trace_start(ring, DEMO_TRACE_RECORDS, board_cycles);
}

static void put_line(const char *line)
{
	shell_write(line, strlen(line)); /* to whoever asked */
}

bool demo_trace_command(const char *line)
{
	if (strcmp(line, "trace") != 0)
		return false;
	if (!KT_TRACE) {
		printf("this demo records no trace: `make trace` builds one that does\n");
		return true;
	}
	kt_trace_dump(put_line, board_cycles_hz(), KT_TICK_HZ);
	return true;
}
