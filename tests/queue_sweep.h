/*
 * Queue items of every size from 1 to QS_MAX_ITEM bytes, at every
 * alignment of the sender's and the receiver's buffers, through both of
 * the queue's copies: straight into a blocked getter's buffer and through
 * the ring.  kt_queue copies whole aligned words its own way (ldrd/strd on
 * Thumb-2, words elsewhere) and the rest with memcpy, so every path is
 * here.  Shared by the host test (the C copy) and a QEMU scenario (the
 * target's), which spawn qs_getter and qs_putter (the getter first, or
 * above), run them to the end and look at qs_cases and qs_bad.
 *
 * The getter checks each item byte by byte, and that the bytes around it
 * in its buffer are untouched.
 */
#ifndef QUEUE_SWEEP_H
#define QUEUE_SWEEP_H

#include <stdint.h>
#include <string.h>

#include "kettle.h"

#define QS_MAX_ITEM 40u
#define QS_CAPACITY 3u
#define QS_GUARD 0xa5u
/* Items sent per (size, alignments) case: one direct, the rest queued. */
#define QS_BURST 4u

static struct kt_queue qs_queue;
static uint32_t qs_storage[QS_MAX_ITEM * QS_CAPACITY / 4u];
/* Cases the getter has finished, and whether it waits for the next. */
static unsigned qs_cases, qs_ready, qs_bad;

/* Byte i of item k of case c. */
static uint8_t qs_byte(unsigned c, unsigned k, unsigned i)
{
	return (uint8_t)(c * 7u + k * 31u + i * 13u + 1u);
}

/* Case c: its item size and the offsets of the two buffers in theirs. */
#define QS_SIZE(c) ((c) / 16u + 1u)
#define QS_SRC_OFF(c) ((c) % 4u)
#define QS_DST_OFF(c) ((c) / 4u % 4u)

#define QS_CASES (QS_MAX_ITEM * 16u)

static int qs_getter(void *arg)
{
	uint32_t buf[(QS_MAX_ITEM + 8u) / 4u + 1u];

	(void)arg;
	for (unsigned c = 0; c < QS_CASES; c++) {
		unsigned n = QS_SIZE(c), off = QS_DST_OFF(c);

		/* Each case its own item size: nobody waits on the queue here. */
		kt_queue_init(&qs_queue, qs_storage, n, QS_CAPACITY);
		qs_ready = c + 1u; /* and the first get below waits */
		for (unsigned k = 0; k < QS_BURST; k++) {
			uint8_t *b = (uint8_t *)buf;

			memset(buf, QS_GUARD, sizeof(buf));
			if (kt_queue_get(&qs_queue, b + off, KT_FOREVER) != 0) {
				qs_bad++;
				continue;
			}
			for (unsigned i = 0; i < sizeof(buf); i++) {
				uint8_t want = i >= off && i < off + n ?
						       qs_byte(c, k, i - off) :
						       (uint8_t)QS_GUARD;

				if (b[i] != want) {
					qs_bad++;
					break;
				}
			}
		}
		qs_cases++;
	}
	return 0;
}

static int qs_putter(void *arg)
{
	uint32_t buf[(QS_MAX_ITEM + 4u) / 4u + 1u];

	(void)arg;
	for (unsigned c = 0; c < QS_CASES; c++) {
		unsigned n = QS_SIZE(c), off = QS_SRC_OFF(c);

		while (qs_ready <= c) /* the getter waits on the new queue */
			kt_yield();
		for (unsigned k = 0; k < QS_BURST; k++) {
			for (unsigned i = 0; i < n; i++)
				((uint8_t *)buf)[off + i] = qs_byte(c, k, i);
			/* The first goes straight to the waiting getter. */
			if (kt_queue_put(&qs_queue, (uint8_t *)buf + off,
					 KT_FOREVER) != 0)
				qs_bad++;
		}
	}
	return 0;
}

#endif
