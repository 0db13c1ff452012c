/*
 * What the demo's files share: the network part (net.c) is started by
 * main() and answers its own console commands.
 */
#ifndef DEMO_H
#define DEMO_H

#include <stdbool.h>
#include <stddef.h>

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

/*
 * Shell sessions (apps/demo/shell.c).  One runs on the UART; the TCP
 * shell (apps/demo/tcp_shell.c) runs one per connection.  A session is
 * its output sink (write), how it reads a terminal (echo, prompt) and
 * its line editor.  The task that runs a session has it as its task-local
 * pointer (kt_task_set_local) while the session lasts, and shell_printf
 * and shell_write send to it: a command prints to whoever typed it.
 * Commands run one at a time, in any session, under one lock: their
 * static buffers are shared.
 */
#define DEMO_SHELL_LINE_MAX 80

struct demo_shell;

/* Write len bytes (1..) of a session's output whole: len, or a negative
 * error, after which the session has ended.  task. */
typedef int (*demo_shell_write_fn)(struct demo_shell *sh, const void *buf,
				   size_t len);

struct demo_shell {
	demo_shell_write_fn write;
	void *ctx;          /* the sink's own (the TCP connection) */
	const char *prompt; /* written before each line; NULL: none */
	bool echo;          /* echo what is typed (a terminal on the UART) */
	bool remote; /* "quit" and "exit" end the session, not the demo */
	bool ended;  /* "quit", "exit", or a write failed */
	/* the line editor's state */
	bool too_long, after_cr;
	size_t len;
	char line[DEMO_SHELL_LINE_MAX + 1];
};

/* Make sh the calling task's session (its fields above the editor's set
 * by the caller) and greet.  task. */
void demo_shell_begin(struct demo_shell *sh);
/* Feed n bytes typed into sh: edits, runs each line ended by CR, LF or
 * CR LF.  false once the session has ended.  task. */
bool demo_shell_input(struct demo_shell *sh, const char *buf, size_t n);
/* The calling task is no longer in a session.  task. */
void demo_shell_end(void);

/* printf and write to the calling task's session; outside one (any other
 * task, or outside a task) to the console, as board_printf does.  The
 * output is cut at BOARD_PRINTF_MAX bytes; "\n" ends a line everywhere
 * (the TCP session sends CR LF).  Bytes written or a negative error. */
int shell_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int shell_write(const void *buf, size_t len);

/* The shell on TCP port 23 (apps/demo/tcp_shell.c): one task that takes
 * one connection at a time from a pool of two and runs a session on it.
 * After net_start(s); nothing on a board without Ethernet.  Before
 * kt_run() or from a task. */
struct net_stack;
void demo_tcp_shell_start(struct net_stack *s);

/* What the shell asks main.c: periodic lines off or on; names of the
 * demo's soft timer and mutex ("?" for others); the commands handled
 * outside the shell's table, for help. */
void demo_quiet(bool on);
const char *demo_timer_name(const struct kt_timer *t);
const char *demo_mutex_name(const struct kt_mutex *m);
const char *demo_extra_commands(void);

#endif
