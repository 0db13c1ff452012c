/*
 * Message queues: a ring of fixed-size items plus FIFO lists of blocked
 * getters and putters.
 *
 * Tasks are served directly: a put that finds a getter waiting (and the
 * ring empty) copies the item into that getter's buffer; a get that frees
 * a slot pulls the first blocked putter's item into the ring.  Neither
 * party has to run again to complete the transfer, so nothing can barge
 * in between.  Interrupt handlers may put and get without blocking; as the
 * ring is then shared with an interrupt, each ring operation copies one
 * item under a short interrupt mask, and an _isr call marks the queue's
 * completion so that the next scheduling point serves the waiters it
 * cannot touch itself.
 */
#include <string.h>

#include "kernel.h"
#include "port.h"

/* Slot i of the ring, for i < 2 * capacity: no division on the way. */
KT_INLINE unsigned char *slot(const struct kt_queue *q, unsigned i)
{
	if (i >= q->capacity)
		i -= q->capacity;
	return q->buf + (size_t)i * q->item_size;
}

/* A word that may alias any object: items are the application's types. */
typedef uint32_t __attribute__((may_alias)) kt_word;

/* Copy two words, advancing both pointers: one ldrd/strd pair on Thumb-2. */
KT_INLINE void copy_dword(kt_word **d, const kt_word **s)
{
#if defined(__ARM_ARCH_ISA_THUMB) && __ARM_ARCH_ISA_THUMB >= 2
	uint32_t a, b;

	__asm__ volatile("ldrd %2, %3, [%1], #8\n\tstrd %2, %3, [%0], #8"
			 : "+r"(*d), "+r"(*s), "=&r"(a), "=&r"(b)
			 :
			 : "memory");
#else
	(*d)[0] = (*s)[0];
	(*d)[1] = (*s)[1];
	*d += 2;
	*s += 2;
	/* a loop of its own: not turned back into memcpy */
	__asm__("" : "+r"(*d));
#endif
}

/*
 * Copy one item: two words at a time when it is whole aligned words (most
 * items are: structs and integers, in aligned storage), which takes a
 * quarter of memcpy's instructions for the small items queues carry.
 */
KT_INLINE void copy_item(void *dst, const void *src, size_t n)
{
	if ((((uintptr_t)dst | (uintptr_t)src | n) & 3u) == 0) {
		kt_word *d = dst;
		const kt_word *s = src,
			      *end = (const kt_word *)((const char *)src + n);

		if (n & 4u)
			*d++ = *s++;
		while (s != end)
			copy_dword(&d, &s);
	} else {
		memcpy(dst, src, n);
	}
}

KT_INLINE bool ring_put(struct kt_queue *q, const void *item)
{
	uint32_t s = port_irq_save();
	bool ok = q->count < q->capacity;

	if (ok) {
		copy_item(slot(q, (unsigned)q->head + q->count), item, q->item_size);
		q->count++;
	}
	port_irq_restore(s);
	return ok;
}

KT_INLINE bool ring_get(struct kt_queue *q, void *item)
{
	uint32_t s = port_irq_save();
	bool ok = q->count > 0;

	if (ok) {
		unsigned head = q->head;

		copy_item(item, slot(q, head), q->item_size);
		q->head = (uint16_t)(head + 1u == q->capacity ? 0u : head + 1u);
		q->count--;
	}
	port_irq_restore(s);
	return ok;
}

/* The same, called: for the paths off the tasks' put and get. */
static __attribute__((noinline)) bool ring_put_called(struct kt_queue *q,
						      const void *item)
{
	return ring_put(q, item);
}

static __attribute__((noinline)) bool ring_get_called(struct kt_queue *q, void *item)
{
	return ring_get(q, item);
}

/* Move items to blocked getters and blocked putters' items into the ring. */
static void serve(struct kt_queue *q)
{
	struct kt_waiter *w;

	while ((w = kt_waiter_first(&q->getters)) != NULL &&
	       ring_get_called(q, w->data))
		kt_waiter_fire(w);
	while ((w = kt_waiter_first(&q->putters)) != NULL &&
	       ring_put_called(q, w->data))
		kt_waiter_fire(w);
}

static void queue_work(void *arg)
{
	serve(arg);
}

int kt_queue_init(struct kt_queue *q, void *storage, size_t item_size, size_t capacity)
{
	if (q == NULL || storage == NULL || item_size == 0 || capacity == 0 ||
	    item_size > UINT16_MAX || capacity > UINT16_MAX)
		return -EINVAL;
	kt_work_init(&q->work, queue_work, q);
	q->buf = storage;
	q->item_size = (uint16_t)item_size;
	q->capacity = (uint16_t)capacity;
	q->head = 0;
	q->count = 0;
	q->dropped = 0;
	kt_list_init(&q->getters);
	kt_list_init(&q->putters);
	return 0;
}

int kt_queue_put(struct kt_queue *q, const void *item, kt_tick_t timeout)
{
	struct kt_waiter *w;
	int err;

	if (q == NULL || item == NULL || kt_list_uninit(&q->getters))
		return -EINVAL;
	err = kt_wait_args_thread(timeout); /* kt_queue_put_isr is the interrupt's */
	if (err != 0)
		return err;
	w = kt_waiter_first(&q->getters);
	if (w != NULL && q->count == 0) {
		copy_item(w->data, item, q->item_size);
		kt_waiter_fire(w);
		return 0;
	}
	/* Blocked putters go first: FIFO. */
	if (kt_list_empty(&q->putters) && ring_put(q, item)) {
		if (w != NULL)
			serve(q);
		return 0;
	}
	if (timeout == KT_NOWAIT)
		return -ETIMEDOUT;
	err = kt_block_check(timeout);
	if (err != 0)
		return err;
	kt_k.cur->w.data = (void *)(uintptr_t)item;
	kt_list_push_back(&q->putters, &kt_k.cur->w.link);
	return kt_block_now(timeout, KT_WAIT_QUEUE, q);
}

int kt_queue_get(struct kt_queue *q, void *item, kt_tick_t timeout)
{
	int err;

	if (q == NULL || item == NULL || kt_list_uninit(&q->getters))
		return -EINVAL;
	err = kt_wait_args_thread(timeout); /* kt_queue_get_isr is the interrupt's */
	if (err != 0)
		return err;
	if (kt_list_empty(&q->getters) && ring_get(q, item)) {
		if (!kt_list_empty(&q->putters))
			serve(q);
		return 0;
	}
	if (timeout == KT_NOWAIT)
		return -ETIMEDOUT;
	err = kt_block_check(timeout);
	if (err != 0)
		return err;
	kt_k.cur->w.data = item;
	kt_list_push_back(&q->getters, &kt_k.cur->w.link);
	return kt_block_now(timeout, KT_WAIT_QUEUE, q);
}

int kt_queue_put_isr(struct kt_queue *q, const void *item)
{
	if (q == NULL || item == NULL || kt_list_uninit(&q->getters))
		return -EINVAL;
	if (!ring_put_called(q, item)) {
		__atomic_fetch_add(&q->dropped, 1u, __ATOMIC_RELAXED);
		return -EAGAIN;
	}
	kt_complete(&q->work);
	return 0;
}

int kt_queue_get_isr(struct kt_queue *q, void *item)
{
	if (q == NULL || item == NULL || kt_list_uninit(&q->getters))
		return -EINVAL;
	if (!ring_get_called(q, item))
		return -EAGAIN;
	kt_complete(&q->work);
	return 0;
}

size_t kt_queue_count(const struct kt_queue *q)
{
	return q != NULL ? q->count : 0;
}
