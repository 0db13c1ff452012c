/*
 * The status page's HTTP half (apps/demo/http.h): the parser on good and
 * hostile heads (every refusal's status), the renderers' bounds and
 * escaping, and the adapter a TCP socket will drive.  Heads are parsed
 * from exactly-sized heap copies so AddressSanitizer sees any overread.
 */
#include <stdlib.h>
#include <string.h>

#include "kt_test.h"
#include "../../apps/demo/http.c"

static int parse(const char *s, struct http_req *r)
{
	size_t n = strlen(s);
	char *c = malloc(n ? n : 1);
	int rc;

	assert_non_null(c);
	memcpy(c, s, n);
	rc = http_parse(c, n, r);
	free(c);
	return rc;
}

static void parses_good_requests(void **state)
{
	struct http_req r;
	const char *a = "GET /trace.svg?x=1 HTTP/1.1\r\nHost: b\r\nUser-Agent: curl\r\n\r\n";
	(void)state;

	assert_int_equal(parse(a, &r), (int)strlen(a));
	assert_int_equal(r.method, HTTP_GET);
	assert_string_equal(r.path, "/trace.svg");
	assert_int_equal(r.minor, 1);
	assert_false(r.close);
	assert_int_equal(r.headers, 2);
	assert_int_equal(parse("HEAD / HTTP/1.0\n\n", &r), 17);
	assert_int_equal(r.method, HTTP_HEAD);
	assert_true(r.close);
	assert_int_equal(parse("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n", &r), 37);
	assert_true(r.close);
	assert_int_equal(parse("\r\nGET / HTTP/1.1\r\n\r\n", &r), 20);
}

static void waits_for_more(void **state)
{
	struct http_req r;
	const char *a = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	size_t i;
	(void)state;

	for (i = 0; i < strlen(a); i++) {
		char *c = malloc(i + 1);

		memcpy(c, a, i);
		assert_int_equal(http_parse(c, i, &r), 0);
		free(c);
	}
}

static void refuses_hostile_heads(void **state)
{
	struct http_req r;
	char big[2048];
	size_t i;
	(void)state;

	assert_int_equal(parse("POST / HTTP/1.1\r\n\r\n", &r), -405);
	assert_int_equal(parse("DELETE / HTTP/1.1\r\n\r\n", &r), -405);
	assert_int_equal(parse("GET /\r\n\r\n", &r), -400);
	assert_int_equal(parse("GET / HTTP/2.0\r\n\r\n", &r), -400);
	assert_int_equal(parse("GET / HTTP/1.1x\r\n\r\n", &r), -400);
	assert_int_equal(parse("GET x HTTP/1.1\r\n\r\n", &r), -400);
	assert_int_equal(parse("GET  / HTTP/1.1\r\n\r\n", &r), -400);
	assert_int_equal(parse(" GET / HTTP/1.1\r\n\r\n", &r), -400);
	assert_int_equal(parse("GET /\x01 HTTP/1.1\r\n\r\n", &r), -400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nNoColon\r\n\r\n", &r), -400);
	assert_int_equal(parse("GET / HTTP/1.1\r\n folded\r\n\r\n", &r), -400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nA: \x7f\r\n\r\n", &r), -400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\n", &r),
			 -400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
			       &r),
			 -400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", &r), 37);

	/* a target of HTTP_PATH_MAX + 1 is too long, HTTP_PATH_MAX fits */
	strcpy(big, "GET /");
	memset(big + 5, 'a', HTTP_PATH_MAX);
	strcpy(big + 5 + HTTP_PATH_MAX, " HTTP/1.1\r\n\r\n");
	assert_int_equal(parse(big, &r), -414);
	memcpy(big + 5 + HTTP_PATH_MAX - 1, " HTTP/1.1\r\n\r\n", 14);
	assert_true(parse(big, &r) > 0);
	/* a request line that never ends */
	memset(big + 5, 'a', 1000);
	big[1005] = '\0';
	assert_int_equal(parse(big, &r), -414);

	/* a header line too long, too many headers, a head that never ends */
	strcpy(big, "GET / HTTP/1.1\r\nX: ");
	memset(big + 19, 'v', HTTP_LINE_MAX);
	strcpy(big + 19 + HTTP_LINE_MAX, "\r\n\r\n");
	assert_int_equal(parse(big, &r), -431);
	strcpy(big, "GET / HTTP/1.1\r\n");
	for (i = 0; i <= HTTP_HEADERS_MAX; i++)
		strcat(big, "A: b\r\n");
	strcat(big, "\r\n");
	assert_int_equal(parse(big, &r), -431);
	strcpy(big, "GET / HTTP/1.1\r\n");
	while (strlen(big) < HTTP_HEAD_MAX + 10)
		strcat(big, "A: b\r\n");
	/* more headers than allowed comes first; with few, long lines: */
	strcpy(big, "GET / HTTP/1.1\r\n");
	for (i = 0; i < 5; i++) {
		size_t l = strlen(big);

		memset(big + l, 'h', 200);
		strcpy(big + l + 200, ": v\r\n");
	}
	assert_int_equal(parse(big, &r), -431);
}

/* Random bytes, and random mutations of a good head: never a crash, and
 * the answer is one of the defined ones. */
static void survives_random_input(void **state)
{
	const char *good = "GET /status HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n";
	unsigned seed = 1;
	int k;
	(void)state;

	for (k = 0; k < 20000; k++) {
		size_t n = (size_t)(rand_r(&seed) % 1500), i;
		char *c = malloc(n ? n : 1);
		struct http_req r;
		int rc;

		for (i = 0; i < n; i++)
			c[i] = (k & 1) && i < strlen(good) ? good[i] :
							     (char)rand_r(&seed);
		if (k & 1)
			c[rand_r(&seed) % (n ? n : 1)] = (char)rand_r(&seed);
		rc = http_parse(c, n, &r);
		assert_true(rc >= 0 || rc == -400 || rc == -405 || rc == -414 ||
			    rc == -431);
		assert_true(rc <= (int)n);
		free(c);
	}
}

static void renders_status_escaped_and_bounded(void **state)
{
	static const struct http_task_row tasks[] = {
		{ "shell", "BLOCKED (queue)", 3, 400, 2048, 61234567 },
		{ "<script>", "READY", 1, 10, 512, 5 },
	};
	static const struct http_timer_row timers[] = { { "beat", 250, 1000 } };
	static const struct http_counter ctr[] = { { "udp in", 42 } };
	const struct http_status st = {
		"mps2-an385", 12345, tasks, 2, timers, 1, ctr, 1, 2
	};
	char buf[4096], small[64];
	size_t n, cut;
	(void)state;

	n = http_render_status(buf, sizeof(buf), &st);
	assert_true(n > 0 && n == strlen(buf));
	assert_non_null(strstr(buf, "<td>shell</td><td>BLOCKED (queue)</td><td>3</td><td>400/2048</td>"
				    "<td>61.234</td>")); /* run time without %llu */
	assert_non_null(strstr(buf, "&lt;script&gt;"));
	assert_null(strstr(buf, "<script>"));
	assert_non_null(strstr(buf, "<td>beat</td><td>250</td><td>1000</td>"));
	assert_non_null(strstr(buf, "<td>udp in</td><td>42</td>"));
	assert_non_null(strstr(buf, "up 12.345 s"));
	assert_non_null(strstr(buf, "content=\"2\""));
	for (cut = 0; cut <= n; cut++) {
		char *b = malloc(cut ? cut : 1);

		assert_int_equal(http_render_status(b, cut, &st), 0);
		if (cut)
			assert_true(strlen(b) < cut);
		free(b);
	}
	assert_int_equal(http_render_status(small, sizeof(small), &st), 0);
}

static void renders_trace_svg(void **state)
{
	static const char *const lanes[] = { "idle", "a&b" };
	static const struct http_span spans[] = {
		{ 0, 0, 1000, 1500 },
		{ 1, 1, 1500, 3000 },
		{ 1, 0, 3000, 5000 },
		{ 7, 0, 0, 1 }, /* a lane that does not exist: left out */
	};
	char buf[4096];
	size_t n;
	(void)state;

	n = http_render_trace_svg(buf, sizeof(buf), lanes, 2, spans, 4);
	assert_true(n > 0);
	assert_true(strncmp(buf, "<svg xmlns=", 11) == 0);
	assert_non_null(strstr(buf, "a&amp;b"));
	assert_non_null(strstr(buf, "<rect x=\"90\" y=\"2\" width=\"100\""));
	assert_non_null(strstr(buf, "<rect x=\"490\" y=\"20\" width=\"400\""));
	assert_int_equal((int)(strstr(buf, "</svg>") - buf) + 7, (int)n);
	assert_int_equal(http_render_trace_svg(buf, 100, lanes, 2, spans, 4), 0);
	assert_true(http_render_trace_svg(buf, sizeof(buf), NULL, 0, NULL, 0) > 0);
}

static int route(const char *path, char *out, size_t cap, const char **type, void *arg)
{
	(void)arg;
	if (strcmp(path, "/") != 0)
		return -404;
	*type = "text/html";
	if (cap < 5)
		return -404;
	memcpy(out, "hello", 5);
	return 5;
}

static void adapter_answers_and_pipelines(void **state)
{
	static struct http_conn c;
	char out[1024];
	bool close;
	size_t n;
	const char *two = "GET / HTTP/1.1\r\n\r\nHEAD /nope HTTP/1.1\r\nConnection: close\r\n\r\n";
	(void)state;

	http_conn_init(&c, route, NULL);
	assert_int_equal(http_conn_feed(&c, "GET / HT", 8, out, sizeof(out), &close),
			 0);
	n = http_conn_feed(&c, "TP/1.1\r\n\r\n", 10, out, sizeof(out), &close);
	out[n] = '\0';
	assert_non_null(strstr(out, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(out, "Content-Length: 5\r\n"));
	assert_true(strcmp(out + n - 9, "\r\n\r\nhello") == 0);
	assert_false(close);

	n = http_conn_feed(&c, two, strlen(two), out, sizeof(out), &close);
	out[n] = '\0';
	assert_non_null(strstr(out, "200 OK"));
	n = http_conn_feed(&c, "", 0, out, sizeof(out), &close);
	out[n] = '\0';
	assert_non_null(strstr(out, "HTTP/1.1 404 Not Found\r\n"));
	assert_true(strcmp(out + n - 4, "\r\n\r\n") == 0); /* HEAD: no body */
	assert_true(close);
	assert_int_equal(c.requests, 3);

	http_conn_init(&c, route, NULL);
	n = http_conn_feed(&c, "PUT / HTTP/1.1\r\n\r\n", 18, out, sizeof(out), &close);
	out[n] = '\0';
	assert_non_null(strstr(out, "HTTP/1.1 405 Method Not Allowed\r\n"));
	assert_true(close);
	assert_int_equal(c.errors, 1);
}

static void adapter_bounds_a_flood(void **state)
{
	static struct http_conn c;
	char junk[300], out[512];
	bool close = false;
	size_t n = 0;
	int k;
	(void)state;

	memset(junk, 'A', sizeof(junk));
	http_conn_init(&c, route, NULL);
	memcpy(junk, "GET / HTTP/1.1\r\nX-", 18);
	for (k = 0; k < 10 && n == 0; k++)
		n = http_conn_feed(&c, k ? junk + 18 : junk,
				   k ? sizeof(junk) - 18 : sizeof(junk), out,
				   sizeof(out), &close);
	out[n] = '\0';
	assert_non_null(strstr(out, "431"));
	assert_true(close);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_good_requests),
		cmocka_unit_test(waits_for_more),
		cmocka_unit_test(refuses_hostile_heads),
		cmocka_unit_test(survives_random_input),
		cmocka_unit_test(renders_status_escaped_and_bounded),
		cmocka_unit_test(renders_trace_svg),
		cmocka_unit_test(adapter_answers_and_pipelines),
		cmocka_unit_test(adapter_bounds_a_flood),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
