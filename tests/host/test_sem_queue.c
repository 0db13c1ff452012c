/* Semaphores and message queues, from tasks and simulated interrupts. */
#include <string.h>

#include "kt_test.h"
#include "../queue_sweep.h"

static struct kt_sem sem;
static struct kt_queue q;
static uint32_t qbuf[4][4]; /* 4 items of 16 bytes */
static struct test_task t[6];

static void sem_rules(void **state)
{
	(void)state;
	assert_int_equal(kt_sem_init(NULL, 0, 1), -EINVAL);
	assert_int_equal(kt_sem_init(&sem, 0, 0), -EINVAL);
	assert_int_equal(kt_sem_init(&sem, 3, 2), -EINVAL);
	assert_int_equal(kt_sem_init(&sem, 1, 2), 0);
	assert_int_equal(kt_sem_give(&sem), 0);
	assert_int_equal(kt_sem_give(&sem), -EOVERFLOW);
	assert_int_equal(kt_sem_count(&sem), 2);
	assert_int_equal(kt_sem_take(&sem, KT_NOWAIT), 0);
	assert_int_equal(kt_sem_take(&sem, KT_NOWAIT), 0);
	assert_int_equal(kt_sem_take(&sem, KT_NOWAIT), -ETIMEDOUT);
	assert_int_equal(kt_sem_take(&sem, 5), -EPERM); /* would block */
	assert_int_equal(kt_sem_give(NULL), -EINVAL);
	assert_int_equal(kt_sem_give_isr(NULL), -EINVAL);
	assert_int_equal(kt_sem_take(NULL, 0), -EINVAL);
}

static int taker(void *arg)
{
	return kt_sem_take(&sem, (kt_tick_t)(uintptr_t)arg);
}

static void sem_waiters_fifo_and_timeout(void **state)
{
	(void)state;
	kt_sem_init(&sem, 0, 10);
	spawn(&t[0], "a", taker, (void *)KT_FOREVER, 1);
	spawn(&t[1], "b", taker, (void *)KT_FOREVER, 1);
	spawn(&t[2], "c", taker, (void *)3, 1);
	kt_run_until_idle();
	kt_sem_give(&sem);
	kt_run_until_idle();
	assert_int_equal(t[0].task.state, KT_DONE);
	assert_int_equal(t[1].task.state, KT_BLOCKED);
	kt_host_tick(3);
	assert_int_equal(t[2].task.result, -ETIMEDOUT);
	kt_sem_give(&sem);
	kt_run_until_idle();
	assert_int_equal(t[1].task.result, 0);
	assert_int_equal(kt_sem_count(&sem), 0); /* handed over, not counted */
}

static void give_isr(void *arg)
{
	assert_int_equal(kt_sem_give_isr(arg), 0);
}

static void sem_give_from_isr(void **state)
{
	(void)state;
	kt_sem_init(&sem, 0, 10);
	spawn(&t[0], "a", taker, (void *)KT_FOREVER, 1);
	spawn(&t[1], "b", taker, (void *)KT_FOREVER, 1);
	kt_run_until_idle();
	kt_host_isr(give_isr, &sem);
	kt_host_isr(give_isr, &sem);
	kt_host_isr(give_isr, &sem);
	kt_run_until_idle();
	assert_int_equal(t[0].task.result, 0);
	assert_int_equal(t[1].task.result, 0);
	assert_int_equal(kt_sem_count(&sem), 1);
}

static void sem_abort_wakes_every_waiter(void **state)
{
	(void)state;
	kt_sem_init(&sem, 0, 4);
	spawn(&t[0], "a", taker, (void *)KT_FOREVER, 1);
	spawn(&t[1], "b", taker, (void *)50, 2);
	kt_run_until_idle();
	assert_int_equal(kt_sem_abort(&sem, 0), -EINVAL);
	assert_int_equal(kt_sem_abort(NULL, -EPIPE), -EINVAL);
	assert_int_equal(kt_sem_abort(&sem, -EPIPE), 2);
	kt_run_until_idle();
	assert_int_equal(t[0].task.result, -EPIPE);
	assert_int_equal(t[1].task.result, -EPIPE);
	assert_false(kt_timer_active(&t[1].task.timer));
	assert_true(kt_list_empty(&sem.waiters));
	assert_int_equal(kt_sem_abort(&sem, -EPIPE), 0);
	/* The semaphore works on. */
	assert_int_equal(kt_sem_give(&sem), 0);
	assert_int_equal(kt_sem_count(&sem), 1);
}

static void queue_rules(void **state)
{
	uint32_t item[4] = { 1, 2, 3, 4 }, out[4];
	(void)state;
	assert_int_equal(kt_queue_init(&q, NULL, 16, 4), -EINVAL);
	assert_int_equal(kt_queue_init(&q, qbuf, 0, 4), -EINVAL);
	assert_int_equal(kt_queue_init(&q, qbuf, 16, 0), -EINVAL);
	assert_int_equal(kt_queue_init(&q, qbuf, 16, 4), 0);
	for (uint32_t i = 0; i < 4; i++) {
		item[0] = i;
		assert_int_equal(kt_queue_put(&q, item, KT_NOWAIT), 0);
	}
	assert_int_equal(kt_queue_put(&q, item, KT_NOWAIT), -ETIMEDOUT);
	assert_int_equal(kt_queue_put_isr(&q, item), -EAGAIN);
	assert_int_equal(q.dropped, 1);
	assert_int_equal(kt_queue_count(&q), 4);
	for (uint32_t i = 0; i < 4; i++) {
		assert_int_equal(kt_queue_get(&q, out, KT_NOWAIT), 0);
		assert_int_equal(out[0], i);
		assert_int_equal(out[3], 4);
	}
	assert_int_equal(kt_queue_get(&q, out, KT_NOWAIT), -ETIMEDOUT);
	assert_int_equal(kt_queue_get_isr(&q, out), -EAGAIN);
	assert_int_equal(kt_queue_get(&q, out, 5), -EPERM);
	assert_int_equal(kt_queue_put(NULL, item, 0), -EINVAL);
	assert_int_equal(kt_queue_get(&q, NULL, 0), -EINVAL);
}

/*
 * Several producers and consumers, tasks and an interrupt: every item
 * arrives exactly once and each producer's items arrive in order.
 */
#define PRODUCERS 3
#define PER_PRODUCER 2000

struct msg {
	uint32_t producer, seq, check, pad;
};

static bool seen[PRODUCERS + 1][PER_PRODUCER * 2];
static int64_t last_seq[2][PRODUCERS + 1]; /* per consumer */
static unsigned received, bad;
static uint64_t rng;
static uint32_t isr_sent;

static uint32_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

static int producer(void *arg)
{
	uint32_t id = (uint32_t)(uintptr_t)arg;

	for (uint32_t i = 0; i < PER_PRODUCER; i++) {
		struct msg m = { id, i, id * 7919u + i, 0 };

		if (kt_queue_put(&q, &m, KT_FOREVER) != 0)
			bad++;
		if (rnd() % 4 == 0)
			kt_yield();
	}
	return 0;
}

static void isr_producer(void *arg)
{
	struct msg m = { PRODUCERS, isr_sent, PRODUCERS * 7919u + isr_sent, 0 };

	(void)arg;
	if (rnd() % 5 == 0 && kt_queue_put_isr(&q, &m) == 0)
		isr_sent++;
}

/*
 * Delivery is FIFO, but two consumers check in the order they run: so each
 * consumer must see every producer's items in increasing order, and all
 * together must see each item exactly once.
 */
static int consumer(void *arg)
{
	int me = (int)(intptr_t)arg;

	for (;;) {
		struct msg m;
		int r = kt_queue_get(&q, &m, 50);

		if (r == -ETIMEDOUT)
			return 0;
		if (r != 0 || m.producer > PRODUCERS || m.seq >= PER_PRODUCER * 2 ||
		    m.check != m.producer * 7919u + m.seq ||
		    (int64_t)m.seq <= last_seq[me][m.producer] ||
		    seen[m.producer][m.seq])
			bad++;
		else {
			seen[m.producer][m.seq] = true;
			last_seq[me][m.producer] = m.seq;
		}
		received++;
		if (rnd() % 3 == 0)
			kt_yield();
	}
}

static void producers_and_consumers(void **state)
{
	(void)state;
	rng = 42;
	received = bad = isr_sent = 0;
	memset(seen, 0, sizeof(seen));
	for (int c = 0; c < 2; c++)
		for (int p = 0; p <= PRODUCERS; p++)
			last_seq[c][p] = -1;
	kt_queue_init(&q, qbuf, sizeof(struct msg), 4);
	for (int i = 0; i < PRODUCERS; i++)
		spawn(&t[i], "producer", producer, (void *)(uintptr_t)i,
		      (unsigned)(1 + i % 2));
	spawn(&t[3], "consumer", consumer, (void *)0, 1);
	spawn(&t[4], "consumer", consumer, (void *)1, 2);
	kt_host_set_switch_hook(isr_producer, NULL);
	for (int i = 0; i < 200; i++)
		kt_host_tick(1);
	kt_host_set_switch_hook(NULL, NULL);
	kt_host_tick(100);
	print_message("  %u received (%u from the ISR), %u dropped, %u bad\n",
		      received, isr_sent, q.dropped, bad);
	assert_int_equal(bad, 0);
	assert_int_equal(received, PRODUCERS * PER_PRODUCER + isr_sent);
	for (int i = 0; i < PRODUCERS; i++)
		for (int k = 0; k < PER_PRODUCER; k++)
			assert_true(seen[i][k]);
	for (uint32_t k = 0; k < isr_sent; k++)
		assert_true(seen[PRODUCERS][k]);
	assert_true(isr_sent > 100);
	for (int i = 0; i < 5; i++)
		assert_int_equal(t[i].task.state, KT_DONE);
}

static int put_blocks(void *arg)
{
	uint32_t item[4] = { (uint32_t)(uintptr_t)arg, 0, 0, 0 };

	return kt_queue_put(&q, item, 10);
}

static void blocked_putters_fifo(void **state)
{
	uint32_t out[4];
	(void)state;
	kt_queue_init(&q, qbuf, 16, 1);
	spawn(&t[0], "p", put_blocks, (void *)100, 1);
	spawn(&t[1], "p", put_blocks, (void *)101, 1);
	spawn(&t[2], "p", put_blocks, (void *)102, 1);
	kt_run_until_idle();
	assert_int_equal(t[1].task.state, KT_BLOCKED);
	for (uint32_t i = 100; i < 103; i++) {
		assert_int_equal(kt_queue_get(&q, out, KT_NOWAIT), 0);
		assert_int_equal(out[0], i);
		kt_run_until_idle();
	}
	assert_int_equal(t[2].task.result, 0);
	/* A putter that times out leaves no item behind. */
	spawn(&t[0], "p", put_blocks, (void *)7, 1);
	spawn(&t[1], "p", put_blocks, (void *)8, 1);
	kt_host_tick(10);
	assert_int_equal(t[1].task.result, -ETIMEDOUT);
	assert_int_equal(kt_queue_count(&q), 1);
	assert_int_equal(kt_queue_get(&q, out, KT_NOWAIT), 0);
	assert_int_equal(out[0], 7);
}

/* Every item size and alignment, straight to a getter and through the ring. */
static void queue_item_sizes_and_alignments(void **state)
{
	(void)state;
	qs_cases = qs_ready = qs_bad = 0;
	spawn(&t[0], "getter", qs_getter, NULL, 2);
	spawn(&t[1], "putter", qs_putter, NULL, 1);
	kt_run_until_idle();
	assert_int_equal(t[0].task.state, KT_DONE);
	assert_int_equal(t[1].task.state, KT_DONE);
	assert_int_equal(qs_cases, QS_CASES);
	assert_int_equal(qs_bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		KT_TEST(sem_rules),
		KT_TEST(sem_waiters_fifo_and_timeout),
		KT_TEST(sem_give_from_isr),
		KT_TEST(sem_abort_wakes_every_waiter),
		KT_TEST(queue_rules),
		KT_TEST(producers_and_consumers),
		KT_TEST(blocked_putters_fifo),
		KT_TEST(queue_item_sizes_and_alignments),
	};
	return cmocka_run_group_tests_name("sem_queue", tests, NULL, NULL);
}
