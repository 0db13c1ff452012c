/*
 * The ARP cache and the resolution queue (net/arp.h): lookups, expiry
 * across the tick wrap, refresh, replacement under a flood, insert-only-
 * when-asked, and the queue's bounds, per-next-hop "first" flag and
 * arrival order.
 */
#include <string.h>

#include "arp.h"
#include "kt_test.h"

static struct net_arp_cache cache;
static struct net_arp_queue queue;

static void mac_of(uint8_t *mac, uint32_t n)
{
	mac[0] = 0x02;
	mac[1] = 0;
	net_put32(mac + 2, n);
}

static void lookup_and_expiry(void **state)
{
	uint8_t mac[6], got[6];
	kt_tick_t t0 = 0xffffffffu - 50u; /* expiry crosses the wrap */
	(void)state;
	net_arp_cache_init(&cache, 100);
	mac_of(mac, 1);
	assert_int_equal(net_arp_lookup(&cache, 1, t0, got), -ENOENT);
	assert_int_equal(net_arp_update(&cache, 1, mac, t0, false), -ENOENT);
	assert_int_equal(net_arp_update(&cache, 1, mac, t0, true), 0);
	assert_int_equal(net_arp_lookup(&cache, 1, t0, got), 0);
	assert_memory_equal(got, mac, 6);
	assert_int_equal(net_arp_lookup(&cache, 1, t0 + 99, got), 0);
	assert_int_equal(net_arp_lookup(&cache, 1, t0 + 100, got), -ENOENT);
	/* Freed on the way: still absent, even looked up "earlier". */
	assert_int_equal(net_arp_lookup(&cache, 1, t0, got), -ENOENT);

	/* A refresh (insert or not) moves the expiry and the address. */
	assert_int_equal(net_arp_update(&cache, 1, mac, t0, true), 0);
	mac_of(mac, 2);
	assert_int_equal(net_arp_update(&cache, 1, mac, t0 + 90, false), 0);
	assert_int_equal(net_arp_lookup(&cache, 1, t0 + 150, got), 0);
	assert_memory_equal(got, mac, 6);

	/* Refused: address 0, multicast MACs. */
	assert_int_equal(net_arp_update(&cache, 0, mac, t0, true), -EINVAL);
	assert_int_equal(net_arp_update(&cache, 5, net_mac_broadcast, t0, true),
			 -EINVAL);
	assert_int_equal(net_arp_lookup(&cache, 0, t0, got), -ENOENT);
	net_arp_flush(&cache);
	assert_int_equal(net_arp_lookup(&cache, 1, t0 + 150, got), -ENOENT);
}

static void flood_replaces_oldest(void **state)
{
	uint8_t mac[6], got[6];
	(void)state;
	net_arp_cache_init(&cache, 1000);
	/* Fill it: entry i learned at tick i. */
	for (uint32_t i = 1; i <= NET_ARP_ENTRIES; i++) {
		mac_of(mac, i);
		assert_int_equal(net_arp_update(&cache, i, mac, i, true), 0);
	}
	/* Entry 1 refreshed: now 2 is the oldest. */
	mac_of(mac, 1);
	assert_int_equal(net_arp_update(&cache, 1, mac, 50, false), 0);
	mac_of(mac, 100);
	assert_int_equal(net_arp_update(&cache, 100, mac, 60, true), 0);
	assert_int_equal(net_arp_lookup(&cache, 2, 60, got), -ENOENT);
	assert_int_equal(net_arp_lookup(&cache, 1, 60, got), 0);
	assert_int_equal(net_arp_lookup(&cache, 100, 60, got), 0);

	/* A flood of 10,000 new addresses: never more than the array. */
	for (uint32_t i = 1000; i < 11000; i++) {
		mac_of(mac, i);
		assert_int_equal(net_arp_update(&cache, i, mac, 100 + i, true), 0);
	}
	for (uint32_t i = 11000 - NET_ARP_ENTRIES; i < 11000; i++) {
		assert_int_equal(net_arp_lookup(&cache, i, 11100, got), 0);
		mac_of(mac, i);
		assert_memory_equal(got, mac, 6);
	}
	assert_int_equal(net_arp_lookup(&cache, 1, 11100, got), -ENOENT);

	/* An expired entry is reused before any live one. */
	net_arp_cache_init(&cache, 10);
	for (uint32_t i = 1; i <= NET_ARP_ENTRIES; i++) {
		mac_of(mac, i);
		net_arp_update(&cache, i, mac, i == 3 ? 0 : 100, true);
	}
	mac_of(mac, 77);
	assert_int_equal(net_arp_update(&cache, 77, mac, 105, true), 0);
	assert_int_equal(net_arp_lookup(&cache, 77, 105, got), 0);
	for (uint32_t i = 1; i <= NET_ARP_ENTRIES; i++)
		assert_int_equal(net_arp_lookup(&cache, i, 105, got),
				 i == 3 ? -ENOENT : 0);
}

static void queue_bounds(void **state)
{
	uint8_t frame[NET_FRAME_MAX];
	struct net_arp_wait *w[NET_ARP_PENDING];
	bool first;
	(void)state;
	memset(frame, 0x5a, sizeof(frame));
	net_arp_queue_init(&queue);
	assert_int_equal(net_arp_queue_count(&queue), 0);
	assert_null(net_arp_queue_add(&queue, 1, frame, 13, &first));
	assert_null(net_arp_queue_add(&queue, 1, frame, NET_FRAME_MAX + 1, &first));
	for (unsigned i = 0; i < NET_ARP_PENDING; i++) {
		frame[20] = (uint8_t)i;
		w[i] = net_arp_queue_add(&queue, i < 2 ? 7 : 8, frame, 60 + i, &first);
		assert_non_null(w[i]);
		assert_int_equal(first, i == 0 || i == 2);
		assert_int_equal(w[i]->len, 60 + i);
		assert_int_equal(net_frame(&w[i]->frame)[20], i);
		assert_int_equal(w[i]->nexthop, i < 2 ? 7 : 8);
	}
	assert_int_equal(net_arp_queue_count(&queue), NET_ARP_PENDING);
	assert_null(net_arp_queue_add(&queue, 9, frame, 60, &first));
	/* A frame being sent is not "waiting": the next one is first again. */
	w[0]->state = NET_ARP_SENDING;
	w[1]->state = NET_ARP_FREE;
	assert_non_null(net_arp_queue_add(&queue, 7, frame, NET_FRAME_MAX, &first));
	assert_true(first);
	assert_int_equal(net_arp_queue_count(&queue), NET_ARP_PENDING);
}

static void queue_keeps_arrival_order(void **state)
{
	uint8_t frame[60] = { 0 };
	struct net_arp_wait *a, *b, *c;
	bool first;
	(void)state;
	net_arp_queue_init(&queue);
	queue.next_seq = 0xfffffffeu; /* the order survives the wrap */
	a = net_arp_queue_add(&queue, 7, frame, 60, &first);
	b = net_arp_queue_add(&queue, 8, frame, 60, &first);
	c = net_arp_queue_add(&queue, 7, frame, 60, &first);
	assert_ptr_equal(net_arp_queue_oldest(&queue, 7), a);
	a->state = NET_ARP_FREE;
	/* The freed first slot is reused, but the newcomer is younger. */
	a = net_arp_queue_add(&queue, 7, frame, 60, &first);
	assert_ptr_equal(a, &queue.w[0]);
	assert_ptr_equal(net_arp_queue_oldest(&queue, 7), c);
	c->state = NET_ARP_SENDING;
	assert_ptr_equal(net_arp_queue_oldest(&queue, 7), a);
	assert_ptr_equal(net_arp_queue_oldest(&queue, 8), b);
	assert_null(net_arp_queue_oldest(&queue, 9));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lookup_and_expiry),
		cmocka_unit_test(flood_replaces_oldest),
		cmocka_unit_test(queue_bounds),
		cmocka_unit_test(queue_keeps_arrival_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
