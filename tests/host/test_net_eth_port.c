/*
 * The chip-independent half of the Ethernet drivers (board/drivers/
 * eth_port.c) with simulated interrupts: frames in order, a full ring
 * drops new frames and never overwrites, receivers block and wake through
 * the ready queue, time out and cancel; senders wait for transmit room
 * and a completion wakes them; and a storm of receive interrupts at every
 * task switch loses, duplicates or reorders nothing.
 */
#include <string.h>

#include "eth_port.h"
#include "kt_test.h"

#define SLOTS 4

static struct eth_port port;
static struct eth_slot slots[SLOTS];
static struct test_task tasks[3];

static int setup(void **state)
{
	kt_test_setup(state);
	assert_int_equal(eth_port_init(&port, slots, SLOTS), 0);
	port.up = true;
	return 0;
}

#define PORT_TEST(f) cmocka_unit_test_setup(f, setup)

/* A frame of len bytes whose bytes derive from seq, put in by "the ISR". */
static uint32_t isr_seq, isr_len = 60;

static void fill(uint8_t *p, uint32_t seq, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seq * 31u + i);
	memcpy(p, &seq, sizeof(seq));
}

static void rx_isr(void *arg)
{
	struct eth_slot *s = eth_port_rx_slot_isr(&port);
	unsigned off = (unsigned)(uintptr_t)arg; /* 0, or 2 as the Stellaris */

	if (s != NULL) {
		fill((uint8_t *)s->data + off, isr_seq, isr_len);
		eth_port_rx_commit_isr(&port, s, off, isr_len);
	}
	isr_seq++;
}

static void init_rules(void **state)
{
	struct eth_port p;
	uint8_t b[64];
	(void)state;
	assert_int_equal(eth_port_init(&p, slots, 3), -EINVAL);
	assert_int_equal(eth_port_init(&p, slots, 0), -EINVAL);
	assert_int_equal(eth_port_init(&p, NULL, 4), -EINVAL);
	assert_int_equal(eth_port_init(&p, slots, 4), 0);
	assert_int_equal(eth_port_recv(&p, b, sizeof(b), 0), -ENODEV);
	assert_int_equal(eth_port_send(&p, NULL, NULL, b, 60, 0), -ENODEV);
}

static void frames_in_order_full_ring_drops(void **state)
{
	uint8_t b[ETH_SLOT_BYTES], want[ETH_SLOT_BYTES];
	struct board_eth_stats st;
	(void)state;
	isr_seq = 0;
	for (int i = 0; i < SLOTS + 3; i++)
		kt_host_isr(rx_isr, (void *)(uintptr_t)(i & 1 ? 2 : 0));
	eth_port_stats(&port, &st);
	assert_int_equal(st.rx_frames, SLOTS);
	assert_int_equal(st.rx_dropped, 3);
	assert_int_equal(st.rx_bytes, SLOTS * 60);
	/* The oldest ones, whole: nothing was overwritten. */
	for (uint32_t i = 0; i < SLOTS; i++) {
		assert_int_equal(eth_port_recv(&port, b, sizeof(b), 0), 60);
		fill(want, i, 60);
		assert_memory_equal(b, want, 60);
	}
	assert_int_equal(eth_port_recv(&port, b, sizeof(b), 0), -EAGAIN);
	/* Room again. */
	isr_len = BOARD_ETH_FRAME_MAX;
	kt_host_isr(rx_isr, NULL);
	assert_int_equal(eth_port_recv(&port, b, 100, 0), -EMSGSIZE);
	eth_port_stats(&port, &st);
	assert_int_equal(st.rx_short_buf, 1);
	assert_int_equal(st.rx_errors, 0);
	kt_host_isr(rx_isr, (void *)2);
	assert_int_equal(eth_port_recv(&port, b, sizeof(b), 0), BOARD_ETH_FRAME_MAX);
	fill(want, SLOTS + 4, BOARD_ETH_FRAME_MAX);
	assert_memory_equal(b, want, BOARD_ETH_FRAME_MAX);
	isr_len = 60;
	assert_int_equal(eth_port_recv(&port, NULL, 10, 0), -EINVAL);
}

static int receiver(void *arg)
{
	uint8_t b[ETH_SLOT_BYTES];
	(void)arg;
	return eth_port_recv(&port, b, sizeof(b), (kt_tick_t)(uintptr_t)arg);
}

static void receiver_wakes_times_out_cancels(void **state)
{
	(void)state;
	spawn(&tasks[0], "rx", receiver, (void *)KT_FOREVER, 1);
	kt_run_until_idle();
	assert_int_equal(tasks[0].task.state, KT_BLOCKED);
	assert_int_equal(tasks[0].task.wait, KT_WAIT_SEM);
	kt_host_isr(rx_isr, NULL);
	assert_int_equal(tasks[0].task.state, KT_BLOCKED); /* not yet: the ISR only marks */
	kt_run_until_idle();
	assert_int_equal(tasks[0].task.state, KT_DONE);
	assert_int_equal(tasks[0].task.result, 60);

	spawn(&tasks[1], "rx", receiver, (void *)3, 1);
	kt_run_until_idle();
	kt_host_tick(3);
	assert_int_equal(tasks[1].task.result, -ETIMEDOUT);

	spawn(&tasks[2], "rx", receiver, (void *)KT_FOREVER, 1);
	kt_run_until_idle();
	kt_task_cancel(&tasks[2].task);
	kt_run_until_idle();
	assert_int_equal(tasks[2].task.result, -ECANCELED);
	/* A frame that came meanwhile is still there for the next one. */
	kt_host_isr(rx_isr, NULL);
	spawn(&tasks[0], "rx", receiver, (void *)0, 1);
	kt_run_until_idle();
	assert_int_equal(tasks[0].task.result, 60);
}

/* ---- transmit ---------------------------------------------------------------------- */

static int room; /* frames the fake MAC takes before it is full */
static unsigned sent;

static int try_send(void *ctx, const uint8_t *frame, size_t len)
{
	(void)ctx;
	(void)frame;
	(void)len;
	if (room == 0)
		return -EAGAIN;
	room--;
	sent++;
	return 0;
}

static void tx_done(void *arg)
{
	(void)arg;
	room++;
	eth_port_tx_done_isr(&port, false);
}

static int sender(void *arg)
{
	static uint8_t f[BOARD_ETH_FRAME_MAX];

	return eth_port_send(&port, try_send, NULL, f, 60, (kt_tick_t)(uintptr_t)arg);
}

static void sender_waits_for_room(void **state)
{
	uint8_t f[BOARD_ETH_FRAME_MAX + 1] = { 0 };
	struct board_eth_stats st;
	(void)state;
	room = 1;
	sent = 0;
	assert_int_equal(eth_port_send(&port, try_send, NULL, f, 13, 0), -EINVAL);
	assert_int_equal(eth_port_send(&port, try_send, NULL, f,
				       BOARD_ETH_FRAME_MAX + 1, 0),
			 -EINVAL);
	assert_int_equal(eth_port_send(&port, try_send, NULL, NULL, 60, 0), -EINVAL);
	assert_int_equal(eth_port_send(&port, try_send, NULL, f,
				       BOARD_ETH_FRAME_MAX, 0),
			 BOARD_ETH_FRAME_MAX);
	/* Full: outside a task it says so at once. */
	assert_int_equal(eth_port_send(&port, try_send, NULL, f, 60, 0), -EAGAIN);

	spawn(&tasks[0], "tx", sender, (void *)KT_FOREVER, 1);
	spawn(&tasks[1], "tx", sender, (void *)KT_FOREVER, 1);
	kt_run_until_idle();
	assert_int_equal(tasks[0].task.state, KT_BLOCKED);
	assert_int_equal(tasks[1].task.state, KT_BLOCKED);
	kt_host_isr(tx_done, NULL); /* room for one: one of them goes */
	kt_run_until_idle();
	assert_int_equal(sent, 2);
	assert_true((tasks[0].task.state == KT_DONE) !=
		    (tasks[1].task.state == KT_DONE));
	kt_host_isr(tx_done, NULL);
	kt_run_until_idle();
	assert_int_equal(tasks[0].task.result, 60);
	assert_int_equal(tasks[1].task.result, 60);

	spawn(&tasks[2], "tx", sender, (void *)5, 1);
	kt_run_until_idle();
	kt_host_tick(5);
	assert_int_equal(tasks[2].task.result, -ETIMEDOUT);
	eth_port_stats(&port, &st);
	assert_int_equal(st.tx_frames, 3);
	assert_int_equal(st.tx_bytes, BOARD_ETH_FRAME_MAX + 120);
	assert_int_equal(st.tx_done, 2);
	eth_port_tx_done_isr(&port, true);
	eth_port_stats(&port, &st);
	assert_int_equal(st.tx_errors, 1);
}

/* ---- a storm of interrupts at every switch --------------------------------------------- */

#define STORM_FRAMES 3000u
static uint32_t storm_got, storm_bad, next_seq;
static uint64_t rng = 88172645463325252ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static void storm_hook(void *arg)
{
	(void)arg;
	if (isr_seq < STORM_FRAMES && rnd() % 3 != 0) {
		isr_len = 14 + rnd() % 200;
		rx_isr((void *)(uintptr_t)(rnd() % 2 ? 2 : 0));
	}
}

static int storm_reader(void *arg)
{
	uint8_t b[ETH_SLOT_BYTES], want[ETH_SLOT_BYTES];
	(void)arg;
	for (;;) {
		uint32_t seq;
		int n = eth_port_recv(&port, b, sizeof(b), 20);

		if (n == -ETIMEDOUT)
			return 0;
		if (n < 14) {
			storm_bad++;
			continue;
		}
		memcpy(&seq, b, sizeof(seq));
		fill(want, seq, (uint32_t)n);
		if (seq < next_seq || memcmp(b, want, (size_t)n) != 0)
			storm_bad++;
		next_seq = seq + 1;
		storm_got++;
		if (rnd() % 2)
			kt_yield();
	}
}

static int storm_busy(void *arg)
{
	(void)arg;
	while (isr_seq < STORM_FRAMES)
		kt_yield();
	return 0;
}

static void interrupt_storm_loses_nothing_silently(void **state)
{
	struct board_eth_stats st;
	(void)state;
	isr_seq = 0;
	spawn(&tasks[0], "reader", storm_reader, NULL, 1);
	/* Two busy tasks: a yield then always switches, so the hook fires. */
	spawn(&tasks[1], "busy", storm_busy, NULL, 1);
	spawn(&tasks[2], "busy", storm_busy, NULL, 1);
	kt_host_set_switch_hook(storm_hook, NULL);
	while (tasks[0].task.state != KT_DONE)
		kt_host_tick(1);
	kt_host_set_switch_hook(NULL, NULL);
	eth_port_stats(&port, &st);
	assert_int_equal(storm_bad, 0);
	assert_int_equal(st.rx_frames, storm_got);
	assert_int_equal(st.rx_frames + st.rx_dropped, STORM_FRAMES);
	assert_true(storm_got > STORM_FRAMES / 4);
	assert_int_equal(kt_sem_count(&port.rx_ready), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_rules),
		PORT_TEST(frames_in_order_full_ring_drops),
		PORT_TEST(receiver_wakes_times_out_cancels),
		PORT_TEST(sender_waits_for_room),
		PORT_TEST(interrupt_storm_loses_nothing_silently),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
