/*
 * The demo's TCP services: the status page over HTTP/1.1 on port 80 and
 * an echo service on port 7 (every byte back, for the throughput tests).
 *
 * The page (http.h renders it) shows the tasks as `ps` does, the timers,
 * every network counter and, in a traced build (`make trace`'s images,
 * KT_TRACE=1: make run-trace), the newest switches of the schedule trace as an SVG
 * timeline at /trace.svg; it refreshes itself every 2 s.  Two web tasks
 * accept from one pool of three connections, so a browser's second
 * connection (the SVG) is served while its first one is kept alive.
 * Everything is static: the rings, the response buffers, the trace copy.
 * A board with 64 KiB of RAM (DEMO_TCP_SMALL: lm3s6965evb, whose demo
 * already uses 54 KiB) has no room for them and runs no TCP services.
 */
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "demo.h"
#include "http.h"
#include "net.h"
#include "trace.h"

#define WEB_PORT 80
#define ECHO_PORT 7
#define WEB_STACK 2048
#define WEB_RX 1024
#define WEB_IDLE_MS 5000u
#define ECHO_STACK 1024
#ifndef DEMO_TCP_SMALL
#define DEMO_TCP_SMALL 0
#endif
#define WEB_TASKS 2
#define WEB_CONNS 3
#define WEB_TX 2048
#define WEB_OUT 12288 /* the largest response: the page */
#define ECHO_CONNS 2
#define ECHO_RING 8192
#define MAX_TASKS 24
#define MAX_TIMERS 16
#define TRACE_SPANS 160
#ifndef DEMO_BOARD
#define DEMO_BOARD "board"
#endif

struct web_worker {
	struct kt_task task;
	uint8_t stack[WEB_STACK];
	struct http_conn http;
	char in[512];
	char out[WEB_OUT];
};

static struct net_stack *net;
static struct net_tcp_listener web_listener, echo_listener;
static struct net_tcp_conn web_conns[WEB_CONNS], echo_conns[ECHO_CONNS];
static uint8_t web_rx[WEB_CONNS][WEB_RX], web_tx[WEB_CONNS][WEB_TX];
static uint8_t echo_rx[ECHO_CONNS][ECHO_RING], echo_tx[ECHO_CONNS][ECHO_RING];
static struct web_worker workers[WEB_TASKS];
static struct kt_task echo_task;
static uint8_t echo_stack[ECHO_STACK];

/* ---- the pages ---------------------------------------------------------------- */

static struct {
	struct http_task_row tasks[MAX_TASKS];
	struct http_timer_row timers[MAX_TIMERS];
	struct http_counter counters[96];
	size_t ntimers;
} page;

static unsigned ms(kt_tick_t t)
{
	return (unsigned)((uint64_t)t * 1000u / KT_TICK_HZ);
}

static void note_timer(const struct kt_timer *t, void *arg)
{
	kt_tick_t now = *(const kt_tick_t *)arg;
	struct kt_task *owner = kt_timer_task(t);
	struct http_timer_row *r;

	if (page.ntimers >= MAX_TIMERS)
		return;
	r = &page.timers[page.ntimers++];
	r->name = owner != NULL ? owner->name : demo_timer_name(t);
	r->due_in_ms = ms((kt_tick_t)(t->expires - now));
	r->period_ms = ms(t->period);
}

static size_t status_page(char *out, size_t cap)
{
	static struct net_stats ns; /* static: the frame stays small */
	struct http_status st = { .board = DEMO_BOARD, .refresh_s = 2 };
	kt_tick_t now = kt_now();
	size_t n = 0;

	for (struct kt_task *t = kt_task_next(NULL); t != NULL && n < MAX_TASKS;
	     t = kt_task_next(t)) {
		struct kt_task_info i;

		if (kt_task_info(t, &i) != 0)
			continue;
		page.tasks[n++] = (struct http_task_row){
			.name = i.name,
			.state = kt_state_name(i.state),
			.prio = i.prio,
			.stack_used = (uint32_t)i.stack_used,
			.stack_size = (uint32_t)i.stack_size,
			.run_us = (uint64_t)i.ticks * (1000000u / KT_TICK_HZ),
		};
	}
	page.ntimers = 0;
	kt_timer_foreach(note_timer, &now);
	net_get_stats(net, &ns);
	for (unsigned i = 0; i < net_ncounters && i < 96; i++)
		page.counters[i] = (struct http_counter){
			net_counters[i].name,
			net_counter_value(&ns, &net_counters[i])
		};
	st.uptime_ms = kt_uptime64() * 1000u / KT_TICK_HZ;
	st.tasks = page.tasks;
	st.ntasks = n;
	st.timers = page.timers;
	st.ntimers = page.ntimers;
	st.counters = page.counters;
	st.ncounters = net_ncounters < 96 ? net_ncounters : 96;
	return http_render_status(out, cap, &st);
}

#if KT_TRACE
static struct kt_trace_rec recs[TRACE_SPANS + 1];
static struct http_span spans[TRACE_SPANS];
static const char *lanes[MAX_TASKS + 1];

/* The newest switches as spans: each task runs from its switch-in to the
 * next switch.  Lane 0 is the scheduler (task id 0). */
static size_t trace_svg(char *out, size_t cap)
{
	uint32_t n = kt_trace_copy(recs, TRACE_SPANS + 1);
	uint32_t per_us = board_cycles_hz() / 1000000u;
	uint32_t t0 = 0, prev_i = 0;
	size_t ns = 0, nl = 1;
	bool have = false;

	lanes[0] = "(scheduler)";
	for (struct kt_task *t = kt_task_next(NULL);
	     t != NULL && nl <= MAX_TASKS; t = kt_task_next(t))
		lanes[nl++] = t->name;
	if (per_us == 0)
		per_us = 1;
	for (uint32_t i = 0; i < n; i++) {
		const struct kt_trace_rec *r = &recs[i];

		if (r->type != KT_TR_SWITCH)
			continue;
		if (!have) {
			t0 = r->time;
			have = true;
		} else if (ns < TRACE_SPANS) {
			const struct kt_trace_rec *p = &recs[prev_i];

			spans[ns++] = (struct http_span){
				.lane = p->task < nl ? p->task : 0,
				.kind = 0,
				.t0_us = (p->time - t0) / per_us,
				.t1_us = (r->time - t0) / per_us,
			};
		}
		prev_i = i;
	}
	return http_render_trace_svg(out, cap, lanes, nl, spans, ns);
}
#else
static size_t trace_svg(char *out, size_t cap)
{
	static const char *const none[] = {
		"(not traced: make trace builds a demo that is)"
	};

	return http_render_trace_svg(out, cap, none, 1, NULL, 0);
}
#endif

static int route(const char *path, char *out, size_t cap, const char **type, void *arg)
{
	size_t n;
	(void)arg;

	if (strcmp(path, "/") == 0) {
		*type = "text/html; charset=utf-8";
		n = status_page(out, cap);
	} else if (strcmp(path, "/trace.svg") == 0) {
		*type = "image/svg+xml";
		n = trace_svg(out, cap);
	} else {
		return -404;
	}
	return (int)n; /* 0 when it did not fit: an empty body */
}

/* ---- the tasks ----------------------------------------------------------------- */

/* One connection's requests until it closes or idles out. */
static void serve(struct web_worker *w, struct net_tcp_conn *c)
{
	size_t n = 0;
	bool close = false;

	http_conn_init(&w->http, route, NULL);
	for (;;) {
		int got;

		while ((n = http_conn_feed(&w->http, w->in, 0, w->out,
					   sizeof(w->out), &close)) != 0) {
			if (net_tcp_send(c, w->out, n, KT_TICK_HZ * 5u) != (int)n)
				return;
			if (close)
				return;
		}
		got = net_tcp_recv(c, w->in, sizeof(w->in),
				   WEB_IDLE_MS * KT_TICK_HZ / 1000u);
		if (got <= 0)
			return;
		n = http_conn_feed(&w->http, w->in, (size_t)got, w->out,
				   sizeof(w->out), &close);
		if (n != 0 && net_tcp_send(c, w->out, n, KT_TICK_HZ * 5u) != (int)n)
			return;
		if (close)
			return;
	}
}

static int web_task(void *arg)
{
	struct web_worker *w = arg;

	for (;;) {
		struct net_tcp_conn *c;
		int err = net_tcp_accept(&web_listener, &c, KT_FOREVER);

		if (err == -ECANCELED)
			return err;
		if (err != 0)
			continue;
		serve(w, c);
		net_tcp_close(c);
	}
}

static int echo(void *arg)
{
	static uint8_t buf[NET_TCP_MSS_MAX];
	(void)arg;

	for (;;) {
		struct net_tcp_conn *c;
		int n, err = net_tcp_accept(&echo_listener, &c, KT_FOREVER);

		if (err == -ECANCELED)
			return err;
		if (err != 0)
			continue;
		while ((n = net_tcp_recv(c, buf, sizeof(buf), KT_TICK_HZ * 30u)) > 0) {
			if (net_tcp_send(c, buf, (size_t)n, KT_TICK_HZ * 30u) != n)
				break;
		}
		net_tcp_close(c);
	}
}

static int pool(struct net_tcp_conn *c, size_t n, uint8_t *rx, size_t rx_cap,
		uint8_t *tx, size_t tx_cap)
{
	for (size_t i = 0; i < n; i++) {
		int err = net_tcp_conn_init(&c[i], rx + i * rx_cap, rx_cap,
					    tx + i * tx_cap, tx_cap);

		if (err != 0)
			return err;
	}
	return 0;
}

int demo_web_start(struct net_stack *s)
{
	int err;

	if (DEMO_TCP_SMALL)
		return -ENOMEM; /* the buffers above need about 90 KiB */
	net = s;
	err = pool(web_conns, WEB_CONNS, &web_rx[0][0], WEB_RX, &web_tx[0][0], WEB_TX);
	if (err == 0)
		err = pool(echo_conns, ECHO_CONNS, &echo_rx[0][0], ECHO_RING,
			   &echo_tx[0][0], ECHO_RING);
	if (err == 0)
		err = net_tcp_listen(s, &web_listener, WEB_PORT, web_conns, WEB_CONNS);
	if (err == 0)
		err = net_tcp_listen(s, &echo_listener, ECHO_PORT, echo_conns,
				     ECHO_CONNS);
	for (unsigned i = 0; err == 0 && i < WEB_TASKS; i++)
		err = kt_task_spawn(&workers[i].task, "web", web_task,
				    &workers[i], workers[i].stack, WEB_STACK, 3);
	if (err == 0)
		err = kt_task_spawn(&echo_task, "tcp-echo", echo, NULL,
				    echo_stack, ECHO_STACK, 4);
	return err;
}
