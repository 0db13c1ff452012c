/*
 * The counter tables the shell's `net` and kt-net print (net/stats.c,
 * board/common/eth_stats.c): each names every field of its struct once,
 * so a counter added to the struct and forgotten in the table fails here;
 * and the stack's outcomes account for every frame net_input() took,
 * over frames of every kind a hostile link sends.
 */
#include <stdlib.h>
#include <string.h>

#include "board_eth.h"
#include "kt_test.h"
#include "net.h"

/* Every offset in [0, size) once, 4-aligned, and every name unique. */
static void covers(size_t size, unsigned n, const uint16_t *offs,
		   const char *const *names)
{
	unsigned char seen[256] = { 0 };

	assert_int_equal(size % 4, 0);
	assert_true(size / 4 <= sizeof(seen));
	assert_int_equal(n, size / 4);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(offs[i] % 4, 0);
		assert_true(offs[i] < size);
		assert_int_equal(seen[offs[i] / 4]++, 0);
		assert_non_null(names[i]);
		for (unsigned j = 0; j < i; j++)
			assert_string_not_equal(names[i], names[j]);
	}
}

static void net_table_names_every_field(void **state)
{
	uint16_t offs[256];
	const char *names[256];
	unsigned outcomes = 0;
	(void)state;
	assert_true(net_ncounters <= 256);
	for (unsigned i = 0; i < net_ncounters; i++) {
		offs[i] = net_counters[i].offset;
		names[i] = net_counters[i].name;
		outcomes += net_counters[i].outcome;
	}
	covers(sizeof(struct net_stats), net_ncounters, offs, names);
	assert_true(outcomes > 0);
	assert_string_equal(net_counters[0].name, "rx_frames");
	assert_int_equal(net_counters[0].offset,
			 offsetof(struct net_stats, rx_frames));
}

static void eth_table_names_every_field(void **state)
{
	uint16_t offs[256];
	const char *names[256];
	(void)state;
	assert_true(board_eth_ncounters <= 256);
	for (unsigned i = 0; i < board_eth_ncounters; i++) {
		offs[i] = board_eth_counters[i].offset;
		names[i] = board_eth_counters[i].name;
	}
	covers(sizeof(struct board_eth_stats), board_eth_ncounters, offs, names);
}

/* ---- the outcomes partition rx_frames ----------------------------------------- */

static const uint8_t mac_us[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static struct net_stack stack;
static struct net_udp_socket sock;
static struct net_udp_slot slots[2];

static int if_send(const void *f, size_t len, kt_tick_t timeout)
{
	(void)f;
	(void)timeout;
	return (int)len;
}

static int if_recv(void *buf, size_t len, kt_tick_t timeout)
{
	(void)buf;
	(void)len;
	(void)timeout;
	return -ETIMEDOUT;
}

static uint32_t outcomes_sum(const struct net_stats *st)
{
	uint32_t sum = 0;

	for (unsigned i = 0; i < net_ncounters; i++)
		if (net_counters[i].outcome)
			sum += net_counter_value(st, &net_counters[i]);
	return sum;
}

static void outcomes_account_for_every_frame(void **state)
{
	static const uint16_t types[] = { NET_ETHERTYPE_ARP, NET_ETHERTYPE_IPV4,
					  0x86dd, 0x88b5 };
	const struct net_if nif = { if_send, if_recv };
	struct net_config cfg = {
		.ip = NET_IP4(10, 0, 2, 15),
		.netmask = NET_IP4(255, 255, 255, 0),
		.gateway = NET_IP4(10, 0, 2, 2),
		.tick_hz = 1000,
	};
	uint8_t f[NET_FRAME_MAX + 64];
	struct net_stats st;
	unsigned seed = 15;
	(void)state;
	memcpy(cfg.mac, mac_us, 6);
	assert_int_equal(net_init(&stack, &cfg, &nif), 0);
	assert_int_equal(net_udp_bind(&stack, &sock, 7, slots, 2), 0);
	for (unsigned i = 0; i < 20000; i++) {
		size_t len = (size_t)rand_r(&seed) % sizeof(f);
		unsigned kind = (unsigned)rand_r(&seed);

		for (size_t j = 0; j < len; j++)
			f[j] = (uint8_t)rand_r(&seed);
		/* Mostly frames that get past the first checks: ours or
		 * broadcast, a station's source, a known type, plausible
		 * IPv4 headers to our address and ports 7. */
		if (len >= 14 && (kind & 3) != 0) {
			memcpy(f, (kind & 4) ? mac_us : net_mac_broadcast, 6);
			f[6] &= 0xfe;
			net_put16(f + 12, types[(kind >> 3) & 3]);
			if (len >= 34 && net_get16(f + 12) == NET_ETHERTYPE_IPV4 &&
			    (kind & 32)) {
				f[14] = 0x45;
				net_put16(f + 16, (uint16_t)(len - 14));
				net_put16(f + 20, 0);
				f[23] = (kind & 64) ? 17 : 1;
				net_put32(f + 30, cfg.ip);
				net_put16(f + 24, 0);
				net_put16(f + 24, net_csum(f + 14, 20));
				if (len >= 42 && f[23] == 17)
					net_put16(f + 36, 7);
			}
		}
		net_input(&stack, f, len);
		if ((i & 7) == 0) {
			uint32_t ip;
			uint16_t port;

			net_udp_recv(&sock, f, sizeof(f), &ip, &port, KT_NOWAIT);
		}
		net_get_stats(&stack, &st);
		assert_int_equal(st.rx_frames, i + 1);
		assert_int_equal(outcomes_sum(&st), st.rx_frames);
	}
	/* The frames went far enough to test something. */
	assert_true(st.arp_rx + st.arp_bad > 100);
	assert_true(st.ip_bad_csum + st.ip_bad > 100);
	assert_true(st.udp_bad + st.udp_bad_csum + st.udp_no_port + st.udp_rx > 100);
	assert_true(st.icmp_bad + st.icmp_other + st.icmp_echo_replied > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(net_table_names_every_field),
		cmocka_unit_test(eth_table_names_every_field),
		cmocka_unit_test_setup(outcomes_account_for_every_frame, kt_test_setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
