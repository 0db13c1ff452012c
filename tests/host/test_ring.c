/*
 * The SPSC byte ring (kernel/ring.h): sizes, empty and full, the 32-bit
 * wrap of its counters, spans across the end of the storage, a long run
 * of random operations against a simple model, and a real two-thread
 * producer/consumer run.
 */
#include <pthread.h>
#include <string.h>

#include "kt_test.h"
#include "ring.h"

/* Tests start the counters anywhere, e.g. just before the 2^32 wrap. */
static void ring_at(struct kt_ring *r, uint32_t start)
{
	r->head = start;
	r->tail = start;
}

static void init_rejects_bad_sizes(void **state)
{
	struct kt_ring r;
	uint8_t buf[64];
	(void)state;

	assert_int_equal(kt_ring_init(&r, buf, 0), -EINVAL);
	assert_int_equal(kt_ring_init(&r, buf, 3), -EINVAL);
	assert_int_equal(kt_ring_init(&r, buf, 6), -EINVAL);
	assert_int_equal(kt_ring_init(&r, buf, 48), -EINVAL);
	assert_int_equal(kt_ring_init(&r, buf, 63), -EINVAL);
	assert_int_equal(kt_ring_init(&r, buf, (size_t)KT_RING_SIZE_MAX * 2), -EINVAL);
	assert_int_equal(kt_ring_init(NULL, buf, 8), -EINVAL);
	assert_int_equal(kt_ring_init(&r, NULL, 8), -EINVAL);
	assert_int_equal(kt_ring_init(&r, buf, 1), 0);
	assert_int_equal(kt_ring_size(&r), 1);
	assert_int_equal(kt_ring_init(&r, buf, 64), 0);
	assert_int_equal(kt_ring_size(&r), 64);
}

static void empty_ring(void **state)
{
	struct kt_ring r;
	uint8_t buf[16], b = 0x55, out[4];
	(void)state;

	assert_int_equal(kt_ring_init(&r, buf, sizeof(buf)), 0);
	assert_true(kt_ring_empty(&r));
	assert_int_equal(kt_ring_count(&r), 0);
	assert_int_equal(kt_ring_free(&r), 16);
	assert_false(kt_ring_get(&r, &b));
	assert_int_equal(b, 0x55); /* untouched */
	assert_int_equal(kt_ring_read(&r, out, sizeof(out)), 0);
	assert_int_equal(kt_ring_read(&r, out, 0), 0);
	assert_int_equal(kt_ring_write(&r, "x", 0), 0);
	assert_true(kt_ring_empty(&r));
}

/* A full ring holds all size bytes, refuses more, and keeps what it has. */
static void fill_to_full_and_drain(void **state)
{
	struct kt_ring r;
	uint8_t buf[8], b;
	(void)state;

	assert_int_equal(kt_ring_init(&r, buf, sizeof(buf)), 0);
	for (int i = 0; i < 8; i++)
		assert_true(kt_ring_put(&r, (uint8_t)(0xa0 + i)));
	assert_int_equal(kt_ring_count(&r), 8);
	assert_int_equal(kt_ring_free(&r), 0);
	assert_false(kt_ring_put(&r, 0xff));
	assert_int_equal(kt_ring_write(&r, "xyz", 3), 0);
	assert_int_equal(kt_ring_count(&r), 8);
	for (int i = 0; i < 8; i++) {
		assert_true(kt_ring_get(&r, &b));
		assert_int_equal(b, 0xa0 + i);
	}
	assert_false(kt_ring_get(&r, &b));
	assert_true(kt_ring_empty(&r));
}

static void size_one_ring(void **state)
{
	struct kt_ring r;
	uint8_t buf[1], b;
	(void)state;

	assert_int_equal(kt_ring_init(&r, buf, 1), 0);
	ring_at(&r, 0xfffffffeu);
	for (int i = 0; i < 5; i++) {
		assert_true(kt_ring_put(&r, (uint8_t)i));
		assert_false(kt_ring_put(&r, 0xee));
		assert_int_equal(kt_ring_count(&r), 1);
		assert_true(kt_ring_get(&r, &b));
		assert_int_equal(b, i);
		assert_false(kt_ring_get(&r, &b));
	}
	assert_int_equal(r.head, 3u); /* crossed the wrap */
}

/*
 * Counters just before 2^32: the fill level stays head - tail while head
 * has wrapped and tail has not, and full/empty are still told apart.
 */
static void counters_wrap(void **state)
{
	struct kt_ring r;
	uint8_t buf[16], b;
	(void)state;

	assert_int_equal(kt_ring_init(&r, buf, sizeof(buf)), 0);
	ring_at(&r, 0xfffffff8u);
	for (int i = 0; i < 16; i++)
		assert_true(kt_ring_put(&r, (uint8_t)i));
	assert_true(r.head < r.tail); /* head wrapped, tail did not */
	assert_int_equal(kt_ring_count(&r), 16);
	assert_int_equal(kt_ring_free(&r), 0);
	assert_false(kt_ring_put(&r, 99));
	for (int i = 0; i < 16; i++) {
		assert_true(kt_ring_get(&r, &b));
		assert_int_equal(b, i);
		assert_int_equal(kt_ring_count(&r), 15 - i);
	}
	assert_true(kt_ring_empty(&r));
	assert_int_equal(r.tail, 8u);

	/* Many more operations: both counters go round again from 0xffffff00. */
	ring_at(&r, 0xffffff00u);
	for (uint32_t i = 0; i < 1000; i++) {
		assert_true(kt_ring_put(&r, (uint8_t)i));
		assert_true(kt_ring_put(&r, (uint8_t)(i ^ 0x5a)));
		assert_true(kt_ring_get(&r, &b));
		assert_int_equal(b, (uint8_t)i);
		assert_true(kt_ring_get(&r, &b));
		assert_int_equal(b, (uint8_t)(i ^ 0x5a));
	}
	assert_int_equal(r.head, 0xffffff00u + 2000u);
	assert_true(kt_ring_empty(&r));
}

/* Spans that cross the end of the storage come back whole and in order. */
static void spans_across_the_end(void **state)
{
	struct kt_ring r;
	uint8_t buf[16], in[16], out[16];
	(void)state;

	for (int i = 0; i < 16; i++)
		in[i] = (uint8_t)(0x30 + i);
	assert_int_equal(kt_ring_init(&r, buf, sizeof(buf)), 0);
	for (uint32_t start = 0xfffffff0u; start != 0x10u; start++) {
		for (size_t len = 1; len <= 16; len++) {
			ring_at(&r, start);
			memset(out, 0, sizeof(out));
			assert_int_equal(kt_ring_write(&r, in, len), len);
			assert_int_equal(kt_ring_count(&r), len);
			assert_int_equal(kt_ring_read(&r, out, sizeof(out)), len);
			assert_memory_equal(out, in, len);
			assert_true(kt_ring_empty(&r));
		}
	}
	/* A span written across the end read back one byte at a time. */
	ring_at(&r, 12);
	assert_int_equal(kt_ring_write(&r, in, 10), 10);
	for (int i = 0; i < 10; i++) {
		uint8_t b;

		assert_true(kt_ring_get(&r, &b));
		assert_int_equal(b, in[i]);
	}
}

/* A span longer than the room stores what fits; reads take what is there. */
static void partial_spans(void **state)
{
	struct kt_ring r;
	uint8_t buf[8], out[16];
	(void)state;

	assert_int_equal(kt_ring_init(&r, buf, sizeof(buf)), 0);
	ring_at(&r, 0xfffffffdu);
	assert_int_equal(kt_ring_write(&r, "abc", 3), 3);
	assert_int_equal(kt_ring_write(&r, "defghijk", 8), 5);
	assert_int_equal(kt_ring_free(&r), 0);
	assert_int_equal(kt_ring_read(&r, out, 2), 2);
	assert_memory_equal(out, "ab", 2);
	assert_int_equal(kt_ring_write(&r, "XYZ", 3), 2);
	assert_int_equal(kt_ring_read(&r, out, sizeof(out)), 8);
	assert_memory_equal(out, "cdefghXY", 8);
	assert_int_equal(kt_ring_read(&r, out, sizeof(out)), 0);
}

/* A model of the ring: a plain array with explicit indices. */
struct model {
	uint8_t q[64];
	size_t head, tail;
};

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* 200k random single and span operations across the wrap, against the model. */
static void random_ops_match_model(void **state)
{
	struct kt_ring r;
	uint8_t buf[32], tmp[40], got[40];
	static struct model m;
	(void)state;

	assert_int_equal(kt_ring_init(&r, buf, sizeof(buf)), 0);
	ring_at(&r, 0xffff0000u);
	m.head = m.tail = 0;
	for (int op = 0; op < 200000; op++) {
		size_t count = m.head - m.tail;
		uint32_t what = rng() % 4;
		size_t len = rng() % 40;

		assert_int_equal(kt_ring_count(&r), count);
		if (what == 0) {
			uint8_t b = (uint8_t)rng();
			bool ok = kt_ring_put(&r, b);

			assert_int_equal(ok, count < 32);
			if (ok)
				m.q[m.head++ % 64] = b;
		} else if (what == 1) {
			uint8_t b;
			bool ok = kt_ring_get(&r, &b);

			assert_int_equal(ok, count > 0);
			if (ok)
				assert_int_equal(b, m.q[m.tail++ % 64]);
		} else if (what == 2) {
			size_t want = len < 32 - count ? len : 32 - count;

			for (size_t i = 0; i < len; i++)
				tmp[i] = (uint8_t)rng();
			assert_int_equal(kt_ring_write(&r, tmp, len), want);
			for (size_t i = 0; i < want; i++)
				m.q[m.head++ % 64] = tmp[i];
		} else {
			size_t want = len < count ? len : count;

			assert_int_equal(kt_ring_read(&r, got, len), want);
			for (size_t i = 0; i < want; i++)
				assert_int_equal(got[i], m.q[m.tail++ % 64]);
		}
	}
	assert_true(r.head < 0xffff0000u); /* the counters did wrap */
}

/*
 * Two real threads, one each side, move 4 MB through a 64-byte ring with
 * mixed single and span calls: every byte arrives once, in order.
 */
#define XFER_BYTES (4u << 20)

static struct kt_ring xfer;
static uint8_t xfer_buf[64];

static void *producer(void *arg)
{
	uint32_t next = 0;
	uint8_t chunk[24];
	(void)arg;

	while (next < XFER_BYTES) {
		if (next % 3 == 0) {
			if (kt_ring_put(&xfer, (uint8_t)(next * 7)))
				next++;
			continue;
		}
		size_t n = sizeof(chunk);

		if (n > XFER_BYTES - next)
			n = XFER_BYTES - next;
		for (size_t i = 0; i < n; i++)
			chunk[i] = (uint8_t)((next + i) * 7);
		next += (uint32_t)kt_ring_write(&xfer, chunk, n);
	}
	return NULL;
}

static void two_threads(void **state)
{
	pthread_t th;
	uint32_t next = 0, bad = 0;
	uint8_t chunk[17];
	(void)state;

	assert_int_equal(kt_ring_init(&xfer, xfer_buf, sizeof(xfer_buf)), 0);
	ring_at(&xfer, 0xfff00000u);
	assert_int_equal(pthread_create(&th, NULL, producer, NULL), 0);
	while (next < XFER_BYTES) {
		size_t n = kt_ring_read(&xfer, chunk, sizeof(chunk));

		for (size_t i = 0; i < n; i++, next++)
			bad += chunk[i] != (uint8_t)(next * 7);
	}
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(bad, 0);
	assert_true(kt_ring_empty(&xfer));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_rejects_bad_sizes),
		cmocka_unit_test(empty_ring),
		cmocka_unit_test(fill_to_full_and_drain),
		cmocka_unit_test(size_one_ring),
		cmocka_unit_test(counters_wrap),
		cmocka_unit_test(spans_across_the_end),
		cmocka_unit_test(partial_spans),
		cmocka_unit_test(random_ops_match_model),
		cmocka_unit_test(two_threads),
	};

	return cmocka_run_group_tests_name("ring", tests, NULL, NULL);
}
