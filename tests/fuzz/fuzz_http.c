/*
 * libFuzzer over the status page's parser and connection adapter
 * (apps/demo/http.h): any bytes, fed whole and then in pieces the input's
 * first byte chooses.  Besides crashes it aborts when an answer is not a
 * defined one or a response is not a well-formed status line.
 */
#include <stdlib.h>
#include <string.h>

#include "../../apps/demo/http.c"

static int route(const char *path, char *out, size_t cap, const char **type, void *arg)
{
	(void)arg;
	*type = "text/plain";
	if (strcmp(path, "/") != 0 || cap < 2)
		return -404;
	memcpy(out, "ok", 2);
	return 2;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_conn c;
	static char out[2048];
	struct http_req r;
	size_t off = 0, step = size ? (size_t)data[0] % 64 + 1 : 1;
	int rc = http_parse((const char *)data, size, &r);

	if (!(rc >= 0 || rc == -400 || rc == -405 || rc == -414 || rc == -431) ||
	    rc > (int)size)
		abort();
	http_conn_init(&c, route, NULL);
	while (off < size) {
		size_t n = size - off < step ? size - off : step, len;
		bool close;

		len = http_conn_feed(&c, (const char *)data + off, n, out,
				     sizeof(out), &close);
		if (len > 0 && memcmp(out, "HTTP/1.1 ", 9) != 0)
			abort();
		if (len > 0 && close)
			break;
		off += n;
	}
	return 0;
}
