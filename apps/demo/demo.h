/*
 * What the demo's files share: the network part (net.c) is started by
 * main() and answers its own console commands.
 */
#ifndef DEMO_H
#define DEMO_H

#include <stdbool.h>

#include "board_eth.h"
#include "kettle.h"

/* The host UDP port make run forwards to the echo (mk/shell.mk), 0: none. */
#ifndef DEMO_NET_PORT
#define DEMO_NET_PORT 0
#endif
/* The hog detector's limit in ms (make DEMO_HOG_MS=..., mk/shell.mk). */
#ifndef DEMO_HOG_MS
#define DEMO_HOG_MS 100
#endif

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

/* The shell and the hog detector (apps/demo/shell.c): its tasks at prio.
 * Before kt_run(). */
void demo_shell_start(unsigned prio);

/* What the shell asks main.c: periodic lines off or on; names of the
 * demo's soft timer and mutex ("?" for others); the commands handled
 * outside the shell's table, for help. */
void demo_quiet(bool on);
const char *demo_timer_name(const struct kt_timer *t);
const char *demo_mutex_name(const struct kt_mutex *m);
const char *demo_extra_commands(void);

#endif
