/*
 * A single-producer single-consumer lock-free byte ring.
 *
 * The caller provides the storage: a power-of-two number of bytes.  head
 * and tail are free-running 32-bit counters (head: bytes ever put, tail:
 * bytes ever taken); an index is a counter masked by size - 1.  So
 * head - tail is the fill level even across the 2^32 wrap, a full ring
 * holds all size bytes (no slot is sacrificed to tell full from empty),
 * and size may be at most 2^31.
 *
 * Only the producer writes head and only the consumer writes tail.  Each
 * side publishes its counter with a release store after touching the
 * bytes, and reads the other side's counter with an acquire load before
 * touching them: the consumer never sees a counter ahead of the bytes, and
 * the producer never overwrites a byte the consumer is still reading.  No
 * interrupt masking, so an interrupt handler can be either side (a UART's
 * RX interrupt produces, its TX interrupt consumes) with one task on the
 * other.  Two producers (or two consumers) must serialise among
 * themselves, e.g. cooperative tasks that do not block mid-call.
 *
 * Every function is static inline and callable from any context, O(1)
 * except the span copies, which are O(len).
 */
#ifndef KT_RING_H
#define KT_RING_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct kt_ring {
	uint8_t *buf;
	uint32_t mask; /* size - 1 */
	uint32_t head; /* producer's counter; atomic */
	uint32_t tail; /* consumer's counter; atomic */
};

#define KT_RING_SIZE_MAX 0x80000000u

/*
 * Use buf[0..size) as an empty ring.  Not concurrent with other calls.
 * -EINVAL for a NULL ring or buffer, or a size that is not a power of two
 * between 1 and KT_RING_SIZE_MAX.
 */
static inline int kt_ring_init(struct kt_ring *r, void *buf, size_t size)
{
	if (r == NULL || buf == NULL || size == 0 || size > KT_RING_SIZE_MAX ||
	    (size & (size - 1)) != 0)
		return -EINVAL;
	r->buf = buf;
	r->mask = (uint32_t)(size - 1);
	r->head = 0;
	r->tail = 0;
	return 0;
}

static inline uint32_t kt_ring_size(const struct kt_ring *r)
{
	return r->mask + 1;
}

/* Bytes buffered.  Exact for the side that calls it; a snapshot otherwise. */
static inline uint32_t kt_ring_count(const struct kt_ring *r)
{
	uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	uint32_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);

	return head - tail;
}

/* Room left.  Same caveat as kt_ring_count. */
static inline uint32_t kt_ring_free(const struct kt_ring *r)
{
	return kt_ring_size(r) - kt_ring_count(r);
}

static inline bool kt_ring_empty(const struct kt_ring *r)
{
	return kt_ring_count(r) == 0;
}

/* Producer: store one byte.  false when the ring is full (nothing stored). */
static inline bool kt_ring_put(struct kt_ring *r, uint8_t byte)
{
	uint32_t head = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
	uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);

	if (head - tail > r->mask)
		return false;
	r->buf[head & r->mask] = byte;
	__atomic_store_n(&r->head, head + 1, __ATOMIC_RELEASE);
	return true;
}

/* Consumer: take one byte.  false when the ring is empty. */
static inline bool kt_ring_get(struct kt_ring *r, uint8_t *byte)
{
	uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);
	uint32_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);

	if (head == tail)
		return false;
	*byte = r->buf[tail & r->mask];
	__atomic_store_n(&r->tail, tail + 1, __ATOMIC_RELEASE);
	return true;
}

/*
 * Producer: store up to len bytes from src, as many as fit; returns how
 * many.  A span that crosses the end of the storage is two copies.
 */
static inline size_t kt_ring_write(struct kt_ring *r, const void *src, size_t len)
{
	uint32_t head = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
	uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	uint32_t room = kt_ring_size(r) - (head - tail);
	uint32_t n = len < room ? (uint32_t)len : room;
	uint32_t at = head & r->mask;
	uint32_t first = kt_ring_size(r) - at;

	if (n == 0)
		return 0;
	if (first > n)
		first = n;
	memcpy(r->buf + at, src, first);
	memcpy(r->buf, (const uint8_t *)src + first, n - first);
	__atomic_store_n(&r->head, head + n, __ATOMIC_RELEASE);
	return n;
}

/* Consumer: take up to len bytes into dst; returns how many. */
static inline size_t kt_ring_read(struct kt_ring *r, void *dst, size_t len)
{
	uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);
	uint32_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	uint32_t avail = head - tail;
	uint32_t n = len < avail ? (uint32_t)len : avail;
	uint32_t at = tail & r->mask;
	uint32_t first = kt_ring_size(r) - at;

	if (n == 0)
		return 0;
	if (first > n)
		first = n;
	memcpy(dst, r->buf + at, first);
	memcpy((uint8_t *)dst + first, r->buf, n - first);
	__atomic_store_n(&r->tail, tail + n, __ATOMIC_RELEASE);
	return n;
}

#endif
