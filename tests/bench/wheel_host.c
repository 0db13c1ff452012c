/*
 * Host benchmark of the timer wheel alone: start, cancel and advance with
 * up to 1,000,000 timers active, to show that start and cancel do not grow
 * with the number of timers and that advancing costs what expires.
 *
 * It prints nanoseconds per operation on this machine (wall clock, best
 * of 5 rounds): a benchmark, never a test.  The target numbers are the
 * instruction counts of `make bench`; these show the shape.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "wheel.h"

#define MAX_TIMERS 1000000u
#define OPS 1000000u

static struct kt_wheel wheel;
static struct kt_timer *timers;
static unsigned long fired;
static uint64_t rng = 88172645463325252ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void expire(struct kt_timer *t)
{
	(void)t;
	fired++;
}

/* n timers at random expiries within span ticks from now. */
static void fill(uint32_t n, uint32_t span)
{
	kt_wheel_init(&wheel, 0);
	for (uint32_t i = 0; i < n; i++) {
		kt_timer_init(&timers[i], NULL, NULL);
		timers[i].expires = 1u + rnd() % span;
		kt_wheel_add(&wheel, &timers[i]);
	}
}

int main(void)
{
	static const uint32_t sizes[] = { 10, 1000, 100000, MAX_TIMERS };
	struct kt_timer probe[64];

	timers = calloc(MAX_TIMERS, sizeof(*timers));
	if (timers == NULL)
		return 1;
	printf("%-10s %16s %16s %16s\n", "timers", "start+cancel ns",
	       "advance ns/tick", "expiries/tick");
	for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		double best_sc = 1e30, best_adv = 1e30, per_expiry;

		/* Start and cancel among n timers spread over the whole range. */
		fill(sizes[s], 0x7fffffffu);
		for (int round = 0; round < 5; round++) {
			double t0 = now_ns(), t1;

			for (uint32_t i = 0; i < OPS; i++) {
				struct kt_timer *p = &probe[i & 63];

				kt_timer_init(p, NULL, NULL);
				p->expires = wheel.now + 1u + (rnd() & 0xfffffu);
				kt_wheel_add(&wheel, p);
				kt_wheel_del(&wheel, p);
			}
			t1 = now_ns();
			if ((t1 - t0) / OPS < best_sc)
				best_sc = (t1 - t0) / OPS;
		}
		/*
		 * Advance: the n timers expire within the next 100,000 ticks,
		 * processed tick by tick; the cost per tick over what expires.
		 */
		for (int round = 0; round < 5; round++) {
			double t0, t1;

			fill(sizes[s], 100000u);
			fired = 0;
			t0 = now_ns();
			for (uint32_t i = 0; i < 100000u; i++)
				kt_wheel_advance(&wheel, wheel.now + 1u, expire);
			t1 = now_ns();
			if ((t1 - t0) / 100000.0 < best_adv)
				best_adv = (t1 - t0) / 100000.0;
		}
		per_expiry = fired / 100000.0;
		printf("%-10lu %16.1f %16.1f %16.2f\n", (unsigned long)sizes[s],
		       best_sc, best_adv, per_expiry);
	}
	free(timers);
	return 0;
}
