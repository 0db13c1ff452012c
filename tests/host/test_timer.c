/*
 * The timer wheel and soft timers: geometry, exact expiry at every level,
 * the 32-bit wrap, and a randomized comparison with a reference model.
 */
#include <stdio.h>
#include <string.h>

#include "kt_test.h"
#include "wheel.h"

/* ---- pure geometry ----------------------------------------------------- */

static void level_and_slot(void **state)
{
	(void)state;
	assert_int_equal(kt_wheel_level(1), 0);
	assert_int_equal(kt_wheel_level(31), 0);
	assert_int_equal(kt_wheel_level(32), 1);
	assert_int_equal(kt_wheel_level(1023), 1);
	assert_int_equal(kt_wheel_level(1024), 2);
	assert_int_equal(kt_wheel_level(1u << 30), 6);
	assert_int_equal(kt_wheel_level(0xffffffffu), 6);
	assert_int_equal(kt_wheel_slot(0x12345, 0), 0x12345 & 31);
	assert_int_equal(kt_wheel_slot(0x12345, 1), (0x12345 >> 5) & 31);
	assert_int_equal(kt_wheel_slot(0xffffffffu, 6), 3);
}

/* ---- a wheel driven directly ----------------------------------------- */

static struct kt_wheel wheel;
static unsigned fired;
static bool fired_late_or_early;

static void expect_exact(struct kt_timer *t)
{
	if (t->expires != wheel.now)
		fired_late_or_early = true;
	fired++;
	t->period = 1; /* mark: fired */
}

static void fires_exactly_at_every_level(void **state)
{
	static const kt_tick_t starts[] = { 0, 12345, 0xffffffffu - 40000u };
	(void)state;
	for (unsigned s = 0; s < 3; s++) {
		for (unsigned level = 0; level < KT_WHEEL_LEVELS; level++) {
			kt_tick_t delay = (1u << (level * 5)) + 3u;
			struct kt_timer t;

			if (level == 6)
				delay = (1u << 30) + 7u;
			kt_wheel_init(&wheel, starts[s]);
			kt_timer_init(&t, NULL, NULL);
			t.expires = starts[s] + delay;
			t.period = 0;
			kt_wheel_add(&wheel, &t);
			fired = 0;
			fired_late_or_early = false;
			/* One tick short: nothing yet. */
			kt_wheel_advance(&wheel, t.expires - 1, expect_exact);
			assert_int_equal(fired, 0);
			kt_wheel_advance(&wheel, t.expires, expect_exact);
			assert_int_equal(fired, 1);
			assert_false(fired_late_or_early);
			assert_false(kt_hnode_linked(&t.node));
		}
	}
}

static void delete_clears_occupancy(void **state)
{
	struct kt_timer a, b;
	(void)state;
	kt_wheel_init(&wheel, 100);
	kt_timer_init(&a, NULL, NULL);
	kt_timer_init(&b, NULL, NULL);
	a.expires = 105;
	b.expires = 105;
	kt_wheel_add(&wheel, &a);
	kt_wheel_add(&wheel, &b);
	assert_int_equal(wheel.occupied[0], 1u << (105 & 31));
	kt_wheel_del(&wheel, &a);
	assert_int_equal(wheel.occupied[0], 1u << (105 & 31));
	kt_wheel_del(&wheel, &b);
	assert_int_equal(wheel.occupied[0], 0);
	fired = 0;
	kt_wheel_advance(&wheel, 200, expect_exact);
	assert_int_equal(fired, 0);
}

/* A bound of the next tick with work, from the bitmaps at every level. */
static void next_tick_with_work(void **state)
{
	struct kt_timer t;
	(void)state;
	kt_wheel_init(&wheel, 1000);
	assert_int_equal(kt_wheel_soon(&wheel), KT_FOREVER);
	assert_int_equal(kt_wheel_next_expiry(&wheel), KT_FOREVER);
	kt_timer_init(&t, NULL, NULL);
	for (unsigned level = 0; level < KT_WHEEL_LEVELS; level++) {
		kt_tick_t delay = level == 6 ? (1u << 30) + 7u :
					       (1u << (level * 5)) + 3u;
		kt_tick_t d;

		kt_wheel_init(&wheel, 0xfffff000u);
		t.expires = wheel.now + delay;
		kt_wheel_add(&wheel, &t);
		d = kt_wheel_soon(&wheel);
		/* Level 0 answers exactly; higher levels with their boundary. */
		assert_true(d >= 1 && d <= delay);
		if (level == 0)
			assert_int_equal(d, delay);
		/* The expiry itself, exactly, at every level. */
		assert_int_equal(kt_wheel_next_expiry(&wheel), delay);
		/* One advance over the whole delay fires it, on its tick. */
		fired = 0;
		fired_late_or_early = false;
		kt_wheel_advance(&wheel, t.expires, expect_exact);
		assert_int_equal(fired, 1);
		assert_false(fired_late_or_early);
		assert_int_equal(kt_wheel_soon(&wheel), KT_FOREVER);
	}
	t.expires = wheel.now; /* due at once */
	kt_wheel_add(&wheel, &t);
	assert_int_equal(kt_wheel_soon(&wheel), 0);
	assert_int_equal(kt_wheel_next_expiry(&wheel), 0);
}

static void past_expiry_goes_to_due(void **state)
{
	struct kt_timer t;
	(void)state;
	kt_wheel_init(&wheel, 1000);
	kt_timer_init(&t, NULL, NULL);
	t.expires = 1000; /* this tick was processed already */
	kt_wheel_add(&wheel, &t);
	assert_true(kt_wheel_has_due(&wheel));
	fired = 0;
	fired_late_or_early = false;
	kt_wheel_advance(&wheel, 1000, expect_exact);
	assert_int_equal(fired, 1);
	assert_false(kt_wheel_has_due(&wheel));
}

/* ---- randomized comparison with a reference model ------------------- */

#define MODEL_TIMERS 512

static struct kt_timer mt[MODEL_TIMERS];
static bool m_active[MODEL_TIMERS];
static kt_tick_t m_expires[MODEL_TIMERS];
static unsigned long model_errors;
static kt_tick_t last_fire_tick;

static uint64_t rng;

static uint32_t rnd(void)
{
	/* xorshift64*: seeded, repeatable */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

static void model_expire(struct kt_timer *t)
{
	size_t i = (size_t)(t - mt);

	if (!m_active[i] || t->expires != wheel.now ||
	    kt_tick_before(wheel.now, last_fire_tick))
		model_errors++;
	last_fire_tick = wheel.now;
	m_active[i] = false;
}

static void run_model(uint64_t seed, kt_tick_t start, unsigned long ops)
{
	unsigned long adds = 0, dels = 0, fires_expected = 0;

	rng = seed;
	model_errors = 0;
	kt_wheel_init(&wheel, start);
	for (unsigned i = 0; i < MODEL_TIMERS; i++) {
		kt_timer_init(&mt[i], NULL, NULL);
		m_active[i] = false;
	}
	for (unsigned long op = 0; op < ops; op++) {
		uint32_t r = rnd();
		unsigned i = r % MODEL_TIMERS;

		switch ((r >> 16) % 3) {
		case 0: { /* add: delays of every magnitude */
			if (m_active[i])
				break;
			unsigned bits = rnd() % 32;
			kt_tick_t d = 1 + (rnd() & ((1u << bits) - 1u) & KT_DELAY_MAX);

			if (bits > 20 && rnd() % 4 != 0)
				d &= 0xfffff; /* keep most of them reachable */
			mt[i].expires = wheel.now + d;
			m_expires[i] = mt[i].expires;
			m_active[i] = true;
			kt_wheel_add(&wheel, &mt[i]);
			adds++;
			break;
		}
		case 1: /* delete */
			if (!m_active[i])
				break;
			kt_wheel_del(&wheel, &mt[i]);
			m_active[i] = false;
			dels++;
			break;
		default: { /* advance */
			unsigned bits = rnd() % 11;
			kt_tick_t step = rnd() & ((1u << bits) - 1u);
			kt_tick_t from = wheel.now;

			kt_tick_t first = KT_FOREVER;

			if (rnd() % 50000 == 0)
				step = rnd() & 0x3ffffff; /* a long quiet stretch */
			/* kt_wheel_soon is never later than the first expiry. */
			for (unsigned k = 0; k < MODEL_TIMERS; k++)
				if (m_active[k] && m_expires[k] - from < first)
					first = m_expires[k] - from;
			if (kt_wheel_soon(&wheel) > first ||
			    kt_wheel_soon(&wheel) == 0)
				model_errors++;
			/* kt_wheel_next_expiry is the first expiry, exactly. */
			if (kt_wheel_next_expiry(&wheel) != first)
				model_errors++;
			for (unsigned k = 0; k < MODEL_TIMERS; k++)
				if (m_active[k] && m_expires[k] - from <= step)
					fires_expected++;
			last_fire_tick = from;
			kt_wheel_advance(&wheel, from + step, model_expire);
			/* Nothing that is due may be left behind. */
			for (unsigned k = 0; k < MODEL_TIMERS; k++)
				if (m_active[k] && m_expires[k] - from <= step)
					model_errors++;
			break;
		}
		}
	}
	/* The wheel's own view agrees with the model. */
	for (unsigned i = 0; i < MODEL_TIMERS; i++)
		if (kt_hnode_linked(&mt[i].node) != m_active[i])
			model_errors++;
	printf("  model seed %llu: %lu ops, %lu adds, %lu deletes, %lu fires, %lu errors\n",
	       (unsigned long long)seed, ops, adds, dels, fires_expected,
	       model_errors);
	assert_int_equal(model_errors, 0);
	assert_true(fires_expected > ops / 20);
}

static void randomized_against_model(void **state)
{
	(void)state;
	run_model(1, 0, 1000000);
	run_model(2, 0xffffffffu - 5000u, 1000000); /* across the wrap */
	run_model(3, 0x7ffffff0u, 500000);
}

/* ---- soft timers through the kernel ----------------------------------- */

static kt_tick_t fire_ticks[64];
static unsigned fire_count;

static void on_fire(void *arg)
{
	(void)arg;
	if (fire_count < 64)
		fire_ticks[fire_count] = kt_now();
	fire_count++;
}

static void one_shot_fires_once_on_time(void **state)
{
	struct kt_timer t;
	kt_tick_t start = kt_now();
	(void)state;
	fire_count = 0;
	kt_timer_init(&t, on_fire, NULL);
	assert_int_equal(kt_timer_start(&t, 10, 0), 0);
	assert_true(kt_timer_active(&t));
	kt_host_tick(9);
	assert_int_equal(fire_count, 0);
	kt_host_tick(1);
	assert_int_equal(fire_count, 1);
	assert_int_equal(fire_ticks[0], start + 10);
	assert_false(kt_timer_active(&t));
	kt_host_tick(100);
	assert_int_equal(fire_count, 1);
}

static void periodic_does_not_drift(void **state)
{
	struct kt_timer t;
	kt_tick_t start = kt_now();
	(void)state;
	fire_count = 0;
	kt_timer_init(&t, on_fire, NULL);
	assert_int_equal(kt_timer_start(&t, 7, 7), 0);
	kt_host_tick(7 * 50);
	assert_int_equal(fire_count, 50);
	for (unsigned i = 0; i < 50; i++)
		assert_int_equal(fire_ticks[i], start + 7 * (i + 1));
	assert_int_equal(kt_timer_stop(&t), 0);
	kt_host_tick(20);
	assert_int_equal(fire_count, 50);
}

/* Even when the scheduler catches up late, periods keep their phase. */
static void periodic_catches_up_without_drift(void **state)
{
	struct kt_timer t;
	kt_tick_t start = kt_now();
	(void)state;
	fire_count = 0;
	kt_timer_init(&t, on_fire, NULL);
	kt_timer_start(&t, 5, 5);
	for (int i = 0; i < 23; i++)
		kt_host_isr((void (*)(void *))kt_tick_isr, NULL); /* no scheduling */
	kt_run_until_idle();
	assert_int_equal(fire_count, 4); /* 5, 10, 15, 20 */
	kt_host_tick(2);
	assert_int_equal(fire_count, 5);
	assert_int_equal(fire_ticks[4], start + 25);
	kt_timer_stop(&t);
}

static void timer_api_errors(void **state)
{
	struct kt_timer t;
	(void)state;
	kt_timer_init(&t, on_fire, NULL);
	assert_int_equal(kt_timer_start(NULL, 1, 0), -EINVAL);
	assert_int_equal(kt_timer_start(&t, KT_DELAY_MAX + 1u, 0), -EINVAL);
	assert_int_equal(kt_timer_start(&t, 1, KT_DELAY_MAX + 1u), -EINVAL);
	assert_int_equal(kt_timer_stop(&t), -EALREADY);
	assert_int_equal(kt_timer_stop(NULL), -EINVAL);
	assert_int_equal(kt_timer_start(&t, 5, 0), 0);
	assert_int_equal(kt_timer_start(&t, 5, 0), -EBUSY);
	assert_int_equal(kt_timer_stop(&t), 0);
	assert_int_equal(kt_timer_stop(&t), -EALREADY);
	kt_timer_init(&t, NULL, NULL);
	assert_int_equal(kt_timer_start(&t, 5, 0), -EINVAL);
	assert_false(kt_timer_active(NULL));
}

static struct kt_timer self_stopper;

static void stop_self(void *arg)
{
	(void)arg;
	fire_count++;
	kt_timer_stop(&self_stopper);
}

static void periodic_stopped_from_its_callback(void **state)
{
	(void)state;
	fire_count = 0;
	kt_timer_init(&self_stopper, stop_self, NULL);
	kt_timer_start(&self_stopper, 3, 3);
	kt_host_tick(30);
	assert_int_equal(fire_count, 1);
	assert_false(kt_timer_active(&self_stopper));
}

static void zero_delay_fires_on_next_pass(void **state)
{
	struct kt_timer t;
	(void)state;
	fire_count = 0;
	kt_timer_init(&t, on_fire, NULL);
	kt_timer_start(&t, 0, 0);
	kt_run_until_idle();
	assert_int_equal(fire_count, 1);
	assert_int_equal(fire_ticks[0], kt_now());
}

/* Timers spanning the 32-bit wrap fire on time (clock starts near it). */
static void soft_timer_across_wrap(void **state)
{
	struct kt_timer t;
	kt_tick_t start = kt_now();
	(void)state;
	assert_true(start > 0xffffff00u);
	fire_count = 0;
	kt_timer_init(&t, on_fire, NULL);
	kt_timer_start(&t, 250, 0);
	kt_host_tick(249);
	assert_int_equal(fire_count, 0);
	kt_host_tick(1);
	assert_int_equal(fire_count, 1);
	assert_int_equal(fire_ticks[0], start + 250);
	assert_true(fire_ticks[0] < 1000); /* it did wrap */
}

/* ---- long uptimes and tickless catch-up ---------------------------------- */

static void announce(void *arg)
{
	kt_tick_announce((kt_tick_t)(uintptr_t)arg);
}

static void uptime_is_64_bit_across_the_wrap(void **state)
{
	kt_tick_t start = kt_now();
	(void)state;
	assert_true(start > 0xffffff00u);
	assert_true(kt_uptime64() == 0);
	kt_host_tick(250); /* across 2^32 */
	assert_true(kt_now() < 1000);
	assert_true(kt_uptime64() == 250);
	kt_host_isr(announce, (void *)(uintptr_t)0xfffffff0u);
	kt_run_until_idle();
	assert_true(kt_uptime64() == 250ull + 0xfffffff0ull); /* wrapped again */
}

/* A whole sleep announced at once fires every timer inside it, in order. */
static kt_tick_t order_ticks[8];
static unsigned order_n;

static void note_tick(void *arg)
{
	(void)arg;
	order_ticks[order_n++] = kt_now();
}

static void tickless_catch_up(void **state)
{
	static struct kt_timer t[3];
	static const kt_tick_t delays[3] = { 40, 3000, 70000 };
	kt_tick_t start = kt_now();
	(void)state;
	order_n = 0;
	for (int i = 0; i < 3; i++) {
		kt_timer_init(&t[i], note_tick, NULL);
		kt_timer_start(&t[i], delays[i], 0);
	}
	/*
	 * A tickless idle loop: sleep the budget (the next expiry, past the
	 * wheel's cascades before it), announce it in one go, run.  Every
	 * timer fires on its very tick, with a wake-up each instead of 70,000
	 * ticks.
	 */
	unsigned wakes = 0;

	while (order_n < 3 && wakes < 100) {
		kt_tick_t b = kt_idle_budget();

		assert_true(b >= 1 && b != KT_FOREVER);
		kt_host_isr(announce, (void *)(uintptr_t)b);
		kt_run_until_idle();
		wakes++;
	}
	print_message("  3 timers up to 70,000 ticks away: %u tickless wake-ups\n",
		      wakes);
	assert_int_equal(order_n, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(order_ticks[i], start + delays[i]);
	assert_int_equal(wakes, 3);
	assert_int_equal(kt_idle_budget(), KT_FOREVER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(level_and_slot),
		cmocka_unit_test(fires_exactly_at_every_level),
		cmocka_unit_test(delete_clears_occupancy),
		cmocka_unit_test(next_tick_with_work),
		cmocka_unit_test(past_expiry_goes_to_due),
		cmocka_unit_test(randomized_against_model),
		KT_TEST(one_shot_fires_once_on_time),
		KT_TEST(periodic_does_not_drift),
		KT_TEST_WRAP(periodic_does_not_drift),
		KT_TEST(periodic_catches_up_without_drift),
		KT_TEST(timer_api_errors),
		KT_TEST(periodic_stopped_from_its_callback),
		KT_TEST(zero_delay_fires_on_next_pass),
		KT_TEST_WRAP(soft_timer_across_wrap),
		KT_TEST_WRAP(uptime_is_64_bit_across_the_wrap),
		KT_TEST(tickless_catch_up),
	};
	return cmocka_run_group_tests_name("timer", tests, NULL, NULL);
}
