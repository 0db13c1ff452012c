/*
 * What the demo's files share: the network part (net.c) is started by
 * main() and answers its own console commands.
 */
#ifndef DEMO_H
#define DEMO_H

#include <stdbool.h>

/* Bring up Ethernet, the stack, ping and the UDP echo, and say how to
 * reach them; on a board without Ethernet say so.  Before kt_run(). */
void demo_net_start(void);

/* Handle a console line if it is a network command ("ip ...", "net"):
 * true when it was one.  task. */
bool demo_net_command(const char *line);

/* Start recording the schedule when built with KT_TRACE=1 (apps/demo/
 * trace.c).  After kt_init(), before the tasks are spawned. */
void demo_trace_start(void);

/* "trace": dump the schedule trace on the console; true when line was
 * that command.  task. */
bool demo_trace_command(const char *line);

#endif
