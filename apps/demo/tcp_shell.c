/*
 * The demo's shell over TCP on port 23: `nc 127.0.0.1 PORT` on the host
 * (make run forwards PORT, mk/net.mk) gets the console's commands, with a
 * prompt, next to the UART's shell.
 *
 * One task ("tcp-shell") listens with a pool of two connections, accepts
 * one, runs a shell session on it (demo.h: the commands print to the
 * session of the task that runs them) and, when the session ends, closes
 * the connection and accepts the next.  A second client is taken into the
 * pool meanwhile and waits, connected, for its turn; a third one's SYN is
 * dropped until a connection is free.  The session ends on "quit" or
 * "exit", when the peer closes its side (so `echo ps | nc -N ...` works),
 * when the peer resets, when a write finds no room for SEND_WAIT_MS (a
 * peer that stopped reading) or after IDLE_S seconds without input.
 *
 * What comes in is a terminal's line: nc sends the line with LF, telnet
 * with CR LF or CR NUL; telnet's option negotiation (IAC ...) is skipped,
 * and nothing is echoed (the client's terminal echoes).  What goes out
 * ends its lines with CR LF, as the telnet port's clients expect.
 *
 * On a board without Ethernet (BOARD_HAS_ETH 0) the start call returns
 * at once and the rest, rings and stack included, is dropped by the
 * linker, as net.c's is.
 */
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "board_eth.h"
#include "demo.h"
#include "net.h"

#define PORT 23
#define CONNS 2
#define RX_RING 512
#define TX_RING 1024
#define STACK 2048 /* ps and mutex near 1 KiB, the send path under that */
#define PRIO 4     /* the UART shell's */
#define IDLE_S 600u
#define SEND_WAIT_MS 5000u
#define PROMPT "kettle> "

/* Telnet (RFC 854): IAC starts a command; WILL..DONT take an option byte,
 * SB runs to IAC SE. */
#define IAC 255
#define SB 250
#define SE 240
#define WILL 251

struct tcp_session {
	struct demo_shell sh;
	enum { DATA, CMD, OPTION, SUB, SUB_IAC } telnet;
};

static struct net_stack *net;
static struct kt_task task;
static uint8_t task_stack[STACK];
static struct net_tcp_listener listener;
static struct net_tcp_conn conns[CONNS];
static uint8_t rx_rings[CONNS][RX_RING], tx_rings[CONNS][TX_RING];
static struct tcp_session session;

static int send_all(struct net_tcp_conn *c, const char *p, size_t n)
{
	int sent = net_tcp_send(c, p, n, SEND_WAIT_MS * KT_TICK_HZ / 1000u);

	if (sent < 0)
		return sent;
	return (size_t)sent == n ? 0 : -ETIMEDOUT;
}

/* The session's sink: LF out as CR LF, a few segments per line at most. */
static int tcp_write(struct demo_shell *sh, const void *buf, size_t len)
{
	struct net_tcp_conn *c = sh->ctx;
	const char *p = buf;
	char out[128];
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (n + 2 > sizeof(out)) {
			int err = send_all(c, out, n);

			if (err != 0)
				return err;
			n = 0;
		}
		if (p[i] == '\n')
			out[n++] = '\r';
		out[n++] = p[i];
	}
	if (n != 0) {
		int err = send_all(c, out, n);

		if (err != 0)
			return err;
	}
	return (int)len;
}

/* Drop telnet's commands from buf[0..n) in place: the bytes left. */
static size_t strip_telnet(struct tcp_session *ts, char *buf, size_t n)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t b = (uint8_t)buf[i];

		switch (ts->telnet) {
		case DATA:
			if (b == IAC)
				ts->telnet = CMD;
			else
				buf[kept++] = (char)b;
			break;
		case CMD:
			ts->telnet = b == SB               ? SUB :
				     b >= WILL && b != IAC ? OPTION :
							     DATA;
			break; /* IAC IAC is a 0xff byte: no use to a shell */
		case OPTION:
			ts->telnet = DATA;
			break;
		case SUB:
			if (b == IAC)
				ts->telnet = SUB_IAC;
			break;
		case SUB_IAC:
			ts->telnet = b == SE ? DATA : SUB;
			break;
		}
	}
	return kept;
}

/* One session on c, until it ends. */
static void serve(struct net_tcp_conn *c)
{
	struct tcp_session *ts = &session;
	char buf[64];

	memset(ts, 0, sizeof(*ts));
	ts->sh.write = tcp_write;
	ts->sh.ctx = c;
	ts->sh.prompt = PROMPT;
	ts->sh.remote = true;
	demo_shell_begin(&ts->sh);
	while (!ts->sh.ended) {
		int n = net_tcp_recv(c, buf, sizeof(buf),
				     (kt_tick_t)(IDLE_S * KT_TICK_HZ));

		if (n == -ETIMEDOUT) {
			shell_printf("\nidle for %u s: bye\n", IDLE_S);
			break;
		}
		if (n <= 0)
			break; /* the peer closed or reset, or we were cancelled */
		demo_shell_input(&ts->sh, buf, strip_telnet(ts, buf, (size_t)n));
	}
	demo_shell_end();
	/* What the peer typed after "quit" would make the close a reset. */
	while (net_tcp_readable(c) != 0 &&
	       net_tcp_recv(c, buf, sizeof(buf), KT_NOWAIT) > 0)
		;
}

static int tcp_shell(void *arg)
{
	int err;
	(void)arg;

	err = net_tcp_listen(net, &listener, PORT, conns, CONNS);
	if (err != 0) {
		board_printf("tcp-shell: cannot listen on port %u (%d)\n", PORT, err);
		return err;
	}
	while (!kt_task_cancelled(kt_self())) {
		struct net_tcp_conn *c;

		err = net_tcp_accept(&listener, &c, KT_FOREVER);
		if (err != 0)
			break; /* cancelled */
		board_printf("tcp-shell: session opened\n");
		serve(c);
		net_tcp_close(c);
		board_printf("tcp-shell: session closed\n");
	}
	net_tcp_unlisten(&listener);
	return err != 0 ? err : -ECANCELED;
}

void demo_tcp_shell_start(struct net_stack *s)
{
	if (!BOARD_HAS_ETH || s == NULL)
		return; /* and the linker drops what follows */
	for (unsigned i = 0; i < CONNS; i++)
		if (net_tcp_conn_init(&conns[i], rx_rings[i], RX_RING,
				      tx_rings[i], TX_RING) != 0)
			return;
	net = s;
	if (kt_task_spawn(&task, "tcp-shell", tcp_shell, NULL, task_stack,
			  STACK, PRIO) != 0)
		board_printf("tcp-shell: could not start\n");
}
