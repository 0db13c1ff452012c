/*
 * The demo's HTTP/1.1 status page, without the transport: a request
 * parser, the page renderers and a connection adapter, all pure functions
 * over caller-provided buffers (no heap, no kernel calls), so host tests
 * and a fuzzer drive them directly and a TCP socket can drive them later.
 *
 * Parser: http_parse() reads the request line and headers of one request
 * from at most HTTP_HEAD_MAX bytes.  Hostile input is answered, never
 * trusted: a method other than GET or HEAD is 405, a target longer than
 * HTTP_PATH_MAX is 414, a header line longer than HTTP_LINE_MAX, more than
 * HTTP_HEADERS_MAX headers or a head that does not end within
 * HTTP_HEAD_MAX bytes is 431, anything else malformed (no version, a
 * version that is not HTTP/1.x, control bytes, a header without a colon,
 * a target not starting with '/', a body announced) is 400.  Unknown
 * paths are the router's 404.
 *
 * Adapter: a transport feeds received bytes to http_conn_feed(); when a
 * whole head has arrived (or the input is already hopeless) it writes the
 * complete response into the caller's buffer and says how long it is and
 * whether to close.  The transport sends it and, for keep-alive, feeds on.
 */
#ifndef DEMO_HTTP_H
#define DEMO_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_HEAD_MAX 1024
#define HTTP_LINE_MAX 256
#define HTTP_PATH_MAX 64
#define HTTP_HEADERS_MAX 24

enum http_method { HTTP_GET = 1, HTTP_HEAD };

struct http_req {
	enum http_method method;
	char path[HTTP_PATH_MAX + 1]; /* NUL-terminated, query string cut off */
	unsigned minor;               /* HTTP/1.minor */
	bool close; /* the client asked for (or 1.0 implies) close */
	unsigned headers;
};

/*
 * Parse the head at p[0..len).  Returns the head's length (request line,
 * headers and the empty line) when whole; 0 when more bytes are needed
 * (and len < HTTP_HEAD_MAX); otherwise minus the status to answer (-400,
 * -405, -414, -431).  Pure.
 */
int http_parse(const char *p, size_t len, struct http_req *r);

const char *http_reason(int status);

/* ---- renderers: each returns the length written (NUL not counted), 0
 * when cap was too small (buf then holds a truncated, NUL-terminated
 * prefix). ---------------------------------------------------------------- */

struct http_task_row {
	const char *name, *state;
	unsigned prio;
	uint32_t stack_used, stack_size;
	uint64_t run_us;
};

struct http_timer_row {
	const char *name;
	uint32_t due_in_ms, period_ms; /* period 0: one-shot */
};

struct http_counter {
	const char *name;
	uint32_t value;
};

struct http_status {
	const char *board;
	uint64_t uptime_ms;
	const struct http_task_row *tasks;
	size_t ntasks;
	const struct http_timer_row *timers;
	size_t ntimers;
	const struct http_counter *counters;
	size_t ncounters;
	unsigned refresh_s; /* meta refresh; 0: none */
};

size_t http_render_status(char *buf, size_t cap, const struct http_status *st);

/* One span of the schedule trace: lane (task or interrupt), running from
 * t0 to t1 (microseconds). */
struct http_span {
	uint16_t lane;
	uint8_t kind; /* 0 running, 1 blocked, 2 ready */
	uint32_t t0_us, t1_us;
};

size_t http_render_trace_svg(char *buf, size_t cap, const char *const *lanes,
			     size_t nlanes, const struct http_span *spans,
			     size_t nspans);

/* ---- the connection adapter ------------------------------------------------ */

/*
 * Fill out[0..cap) with the body for path and return its length and the
 * content type, or -404.  Called by http_conn_feed for a parsed request.
 */
typedef int (*http_route_fn)(const char *path, char *out, size_t cap,
			     const char **type, void *arg);

struct http_conn {
	char in[HTTP_HEAD_MAX];
	size_t len;
	http_route_fn route;
	void *arg;
	uint32_t requests, errors;
};

void http_conn_init(struct http_conn *c, http_route_fn route, void *arg);

/*
 * Take n received bytes.  Returns the length of a response written to
 * out (status line, headers and, but for HEAD, the body), 0 when no
 * response is due yet, and sets *close when the transport must close
 * after sending it.  Bytes beyond one head stay buffered for the next
 * call (pipelining); a call with n == 0 answers them.  Pure.
 */
size_t http_conn_feed(struct http_conn *c, const char *data, size_t n,
		      char *out, size_t cap, bool *close);

#endif
