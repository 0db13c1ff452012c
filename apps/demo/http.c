/*
 * The status page's HTTP/1.1 half (http.h): parser, renderers, adapter.
 * Every read is bounded by the length given, every write by the cap;
 * nothing here allocates or calls the kernel.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "http.h"

static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c));
}

static bool ieq(const char *a, size_t n, const char *b)
{
	size_t i;

	if (strlen(b) != n)
		return false;
	for (i = 0; i < n; i++) {
		char x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

/* Find the end of the line starting at p (CRLF or bare LF); its length
 * without the terminator, -1 when none within len. */
static long line_end(const char *p, size_t len, size_t *term)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] == '\n') {
			*term = 1;
			if (i > 0 && p[i - 1] == '\r') {
				*term = 2;
				return (long)i - 1;
			}
			return (long)i;
		}
	}
	return -1;
}

static int request_line(const char *p, size_t n, struct http_req *r)
{
	size_t i = 0, m, t0, tn;

	while (i < n && is_tchar(p[i]))
		i++;
	m = i;
	if (m == 0 || i >= n || p[i] != ' ')
		return -400;
	t0 = ++i;
	while (i < n && p[i] != ' ') {
		if ((unsigned char)p[i] <= ' ' || p[i] == 0x7f)
			return -400;
		i++;
	}
	tn = i - t0;
	if (i >= n)
		return -400; /* no version: HTTP/0.9 is not spoken */
	i++;
	if (n - i != 8 || memcmp(p + i, "HTTP/1.", 7) != 0 || p[i + 7] < '0' ||
	    p[i + 7] > '9')
		return -400;
	r->minor = (unsigned)(p[i + 7] - '0');
	if (m == 3 && memcmp(p, "GET", 3) == 0)
		r->method = HTTP_GET;
	else if (m == 4 && memcmp(p, "HEAD", 4) == 0)
		r->method = HTTP_HEAD;
	else
		return -405;
	if (tn == 0 || p[t0] != '/')
		return -400;
	for (i = 0; i < tn && p[t0 + i] != '?' && p[t0 + i] != '#'; i++)
		;
	if (i > HTTP_PATH_MAX)
		return -414;
	memcpy(r->path, p + t0, i);
	r->path[i] = '\0';
	r->close = r->minor == 0;
	return 0;
}

static int header(const char *p, size_t n, struct http_req *r)
{
	size_t i = 0, v;

	while (i < n && is_tchar(p[i]))
		i++;
	if (i == 0 || i >= n || p[i] != ':')
		return -400; /* includes obsolete line folding */
	for (v = i + 1; v < n; v++)
		if (((unsigned char)p[v] < ' ' && p[v] != '\t') || p[v] == 0x7f)
			return -400;
	v = i + 1;
	while (v < n && (p[v] == ' ' || p[v] == '\t'))
		v++;
	while (n > v && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (ieq(p, i, "connection")) {
		if (ieq(p + v, n - v, "close"))
			r->close = true;
		else if (ieq(p + v, n - v, "keep-alive"))
			r->close = false;
	} else if (ieq(p, i, "content-length")) {
		if (!(n - v == 1 && p[v] == '0'))
			return -400; /* GET and HEAD take no body */
	} else if (ieq(p, i, "transfer-encoding")) {
		return -400;
	}
	return 0;
}

int http_parse(const char *p, size_t len, struct http_req *r)
{
	size_t off = 0, term, lines = 0;
	size_t lim = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX;

	memset(r, 0, sizeof(*r));
	/* RFC 9112 2.2: ignore at least one empty line before the request. */
	while (off < lim && (p[off] == '\r' || p[off] == '\n') && off < 4)
		off++;
	for (;;) {
		long n = line_end(p + off, lim - off, &term);
		int err;

		if (n < 0) {
			size_t rest = lim - off;

			if (lines == 0 && rest > HTTP_LINE_MAX + HTTP_PATH_MAX)
				return -414;
			if (lines > 0 && rest > HTTP_LINE_MAX)
				return -431;
			return len >= HTTP_HEAD_MAX ? -431 : 0;
		}
		if (lines == 0) {
			if ((size_t)n > HTTP_LINE_MAX + HTTP_PATH_MAX)
				return -414;
			err = request_line(p + off, (size_t)n, r);
		} else if (n == 0) {
			return (int)(off + term);
		} else if ((size_t)n > HTTP_LINE_MAX) {
			return -431;
		} else if (++r->headers > HTTP_HEADERS_MAX) {
			return -431;
		} else {
			err = header(p + off, (size_t)n, r);
		}
		if (err != 0)
			return err;
		off += (size_t)n + term;
		lines++;
	}
}

const char *http_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 414:
		return "URI Too Long";
	case 431:
		return "Request Header Fields Too Large";
	default:
		return "Internal Server Error";
	}
}

/* ---- bounded output ---------------------------------------------------------- */

struct out {
	char *buf;
	size_t cap, len;
	bool over;
};

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->over)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len) {
		o->over = true;
		return;
	}
	o->len += (size_t)n;
}

/* Text from the board (task names) is escaped for HTML and XML. */
static void put_text(struct out *o, const char *s)
{
	for (; s != NULL && *s != '\0' && !o->over; s++) {
		switch (*s) {
		case '<':
			put(o, "&lt;");
			break;
		case '>':
			put(o, "&gt;");
			break;
		case '&':
			put(o, "&amp;");
			break;
		case '"':
			put(o, "&quot;");
			break;
		case '\'':
			put(o, "&#39;");
			break;
		default:
			put(o, "%c", (unsigned char)*s < ' ' ? '?' : *s);
		}
	}
}

static size_t done(struct out *o)
{
	if (o->cap > 0)
		o->buf[o->over ? o->cap - 1 : o->len] = '\0';
	return o->over ? 0 : o->len;
}

size_t http_render_status(char *buf, size_t cap, const struct http_status *st)
{
	struct out o = { buf, cap, 0, cap == 0 };
	size_t i;

	put(&o, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">");
	if (st->refresh_s)
		put(&o, "<meta http-equiv=\"refresh\" content=\"%u\">", st->refresh_s);
	put(&o, "<title>kettle: ");
	put_text(&o, st->board);
	put(&o, "</title></head>\n<body><h1>kettle on ");
	put_text(&o, st->board);
	put(&o, "</h1>\n<p>up %lu.%03lu s</p>\n",
	    (unsigned long)(st->uptime_ms / 1000),
	    (unsigned long)(st->uptime_ms % 1000));
	put(&o, "<h2>Tasks</h2>\n<table><tr><th>name</th><th>state</th><th>prio</th>"
		"<th>stack</th><th>run (s)</th></tr>\n");
	for (i = 0; i < st->ntasks; i++) {
		const struct http_task_row *t = &st->tasks[i];

		put(&o, "<tr><td>");
		put_text(&o, t->name);
		put(&o, "</td><td>");
		put_text(&o, t->state);
		/* %llu is not in newlib-nano's printf: seconds and ms. */
		put(&o, "</td><td>%u</td><td>%lu/%lu</td><td>%lu.%03lu</td></tr>\n",
		    t->prio, (unsigned long)t->stack_used,
		    (unsigned long)t->stack_size,
		    (unsigned long)(t->run_us / 1000000u),
		    (unsigned long)(t->run_us / 1000u % 1000u));
	}
	put(&o, "</table>\n<h2>Timers</h2>\n<table><tr><th>name</th><th>due in (ms)</th>"
		"<th>period (ms)</th></tr>\n");
	for (i = 0; i < st->ntimers; i++) {
		put(&o, "<tr><td>");
		put_text(&o, st->timers[i].name);
		put(&o, "</td><td>%lu</td><td>%lu</td></tr>\n",
		    (unsigned long)st->timers[i].due_in_ms,
		    (unsigned long)st->timers[i].period_ms);
	}
	put(&o, "</table>\n<h2>Network</h2>\n<table>\n");
	for (i = 0; i < st->ncounters; i++) {
		put(&o, "<tr><td>");
		put_text(&o, st->counters[i].name);
		put(&o, "</td><td>%lu</td></tr>\n",
		    (unsigned long)st->counters[i].value);
	}
	put(&o, "</table>\n<h2>Schedule</h2>\n<img src=\"/trace.svg\" alt=\"trace\">\n"
		"</body></html>\n");
	return done(&o);
}

#define LANE_H 18
#define LABEL_W 90
#define PLOT_W 800

size_t http_render_trace_svg(char *buf, size_t cap, const char *const *lanes,
			     size_t nlanes, const struct http_span *spans,
			     size_t nspans)
{
	static const char *const fill[3] = { "#3572b0", "#d0d0d0", "#909090" };
	struct out o = { buf, cap, 0, cap == 0 };
	uint32_t t0 = UINT32_MAX, t1 = 0, span;
	size_t i;

	for (i = 0; i < nspans; i++) {
		if (spans[i].lane >= nlanes || spans[i].t1_us < spans[i].t0_us)
			continue;
		if (spans[i].t0_us < t0)
			t0 = spans[i].t0_us;
		if (spans[i].t1_us > t1)
			t1 = spans[i].t1_us;
	}
	if (t1 <= t0) {
		t0 = 0;
		t1 = 1;
	}
	span = t1 - t0;
	put(&o,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" height=\"%u\" "
	    "font-family=\"monospace\" font-size=\"11\">\n",
	    LABEL_W + PLOT_W, (unsigned)(nlanes * LANE_H + 4));
	for (i = 0; i < nlanes; i++) {
		put(&o, "<text x=\"2\" y=\"%u\">", (unsigned)(i * LANE_H + 13));
		put_text(&o, lanes[i]);
		put(&o, "</text>\n");
	}
	for (i = 0; i < nspans; i++) {
		const struct http_span *s = &spans[i];
		uint64_t a, b;

		if (s->lane >= nlanes || s->t1_us < s->t0_us)
			continue; /* a span the caller got wrong is left out */
		a = (uint64_t)(s->t0_us - t0) * PLOT_W / span;
		b = (uint64_t)(s->t1_us - t0) * PLOT_W / span;
		put(&o,
		    "<rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" fill=\"%s\">"
		    "<title>%lu-%lu us</title></rect>\n",
		    (unsigned)(LABEL_W + a),
		    (unsigned)(s->lane * LANE_H + (s->kind ? 8 : 2)),
		    (unsigned)(b - a > 0 ? b - a : 1), s->kind ? 4u : 14u,
		    fill[s->kind < 3 ? s->kind : 2], (unsigned long)s->t0_us,
		    (unsigned long)s->t1_us);
	}
	put(&o, "</svg>\n");
	return done(&o);
}

/* ---- the adapter ----------------------------------------------------------------- */

void http_conn_init(struct http_conn *c, http_route_fn route, void *arg)
{
	memset(c, 0, sizeof(*c));
	c->route = route;
	c->arg = arg;
}

static size_t respond(char *out, size_t cap, int status, const char *type,
		      const char *body, size_t blen, bool head, bool close)
{
	struct out o = { out, cap, 0, cap == 0 };

	put(&o,
	    "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %lu\r\n"
	    "Cache-Control: no-store\r\n%s\r\n",
	    status, http_reason(status), type, (unsigned long)blen,
	    close ? "Connection: close\r\n" : "");
	if (!head && !o.over) {
		if (blen > o.cap - o.len)
			return 0;
		memmove(o.buf + o.len, body, blen);
		o.len += blen;
	}
	return o.over ? 0 : o.len;
}

size_t http_conn_feed(struct http_conn *c, const char *data, size_t n,
		      char *out, size_t cap, bool *close)
{
	struct http_req r;
	size_t room = sizeof(c->in) - c->len, take = n < room ? n : room;
	int h, blen;
	const char *type = "text/plain";
	static const size_t hdr_room = 160;

	memcpy(c->in + c->len, data, take);
	c->len += take;
	*close = false;
	h = http_parse(c->in, c->len, &r);
	if (h == 0 && take < n)
		h = -431;
	if (h == 0)
		return 0;
	if (h < 0) {
		const char *msg = http_reason(-h);

		c->errors++;
		c->len = 0;
		*close = true; /* the rest of the stream cannot be trusted */
		return respond(out, cap, -h, type, msg, strlen(msg), false, true);
	}
	c->requests++;
	memmove(c->in, c->in + h, c->len - (size_t)h);
	c->len -= (size_t)h;
	*close = r.close;
	if (cap < hdr_room)
		return 0;
	/* The body is rendered at the far end of out, then the head put in
	 * front of it by respond(). */
	blen = c->route ? c->route(r.path, out + hdr_room, cap - hdr_room,
				   &type, c->arg) :
			  -404;
	if (blen < 0) {
		const char *msg = http_reason(404);

		return respond(out, cap, 404, "text/plain", msg, strlen(msg),
			       r.method == HTTP_HEAD, r.close);
	}
	return respond(out, cap, 200, type, out + hdr_room, (size_t)blen,
		       r.method == HTTP_HEAD, r.close);
}
