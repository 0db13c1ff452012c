/*
 * Time you can trust: the tick's phase, tickless idle against a simulated
 * board, no drift over a million periods, long uptimes and the longest
 * timeouts.
 *
 * The board half of tickless idle is the target's own code:
 * board/common/ticker.c and tick_phase.h are built into this test
 * (mk/tickless.mk) over a simulated board - a free-running 32-bit counter
 * (P counts a tick, wrapping every few hundred thousand ticks), an alarm
 * that fires on time, a little early or up to half a tick late, and other
 * interrupts (a UART byte) that wake the CPU anywhere in a sleep; the
 * alarm is one-shot (the micro:bit's compare) or, having fired, goes on
 * by itself every tick (as the MPS2 dual timer's reload would).  The
 * loop plays kt_run: run until idle, then sleep - port_idle_ticks with
 * the kernel's budget when tickless, or until the periodic alarm as with
 * KT_TICKLESS 0 - then the interrupts that came, and now and then a busy
 * stretch on the periodic tick.  The counter is the truth: at every point
 * where a task or callback looks, the kernel's tick count must equal the
 * whole ticks the counter has passed, neither ahead (a tick announced
 * that did not pass) nor behind (a partial tick lost).
 */
#include <signal.h>
#include <stdio.h>
#include <sys/time.h>

#include "kt_test.h"
#include "common/board_common.h"
#include "common/tick_phase.h"

/* ---- the phase alone ------------------------------------------------------ */

static uint64_t rng = 0x6b65747465ull;

static uint32_t rnd(void)
{
	/* xorshift64*: seeded, repeatable */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

/* Any walk of the counter: each tick counted once, when it has passed. */
static void phase_counts_each_tick_once(void **state)
{
	const uint32_t per = 25000, c0 = 0xffffffffu - 3u * 25000u;
	struct tick_phase p;
	uint64_t clock = 0, counted = 0;
	(void)state;
	tick_phase_init(&p, c0, per);
	for (unsigned long i = 0; i < 2000000; i++) {
		uint32_t r = rnd();

		switch (r % 4) {
		case 0: /* a few counts */
			clock += r >> 28;
			break;
		case 1: /* exactly to the next boundary, or one short of it */
			clock = (clock / per + 1) * per - (r >> 31);
			break;
		case 2: /* within a tick or two */
			clock += (r >> 8) % (2 * per);
			break;
		default: /* a long sleep */
			clock += (r >> 8) % (70000u * per);
			break;
		}
		counted += tick_phase_catch_up(&p, c0 + (uint32_t)clock);
		if (counted != clock / per)
			fail_msg("step %lu: %llu ticks counted, %llu passed", i,
				 (unsigned long long)counted,
				 (unsigned long long)(clock / per));
		/* The boundaries never moved: the next one is where it was. */
		assert_true(p.next == c0 + (uint32_t)((counted + 1) * per));
	}
	assert_true(clock > 100ull << 32); /* the counter wrapped, often */
}

/* A reading from before next (a stale one) counts nothing, changes nothing. */
static void phase_ignores_the_past(void **state)
{
	struct tick_phase p;
	(void)state;
	tick_phase_init(&p, 100, 1000);
	assert_int_equal(tick_phase_catch_up(&p, 1099), 0);
	assert_int_equal(tick_phase_catch_up(&p, 50), 0);
	assert_int_equal(p.next, 1100);
	assert_int_equal(tick_phase_catch_up(&p, 1100), 1);
	assert_int_equal(tick_phase_catch_up(&p, 1100), 0);
	assert_int_equal(tick_phase_catch_up(&p, 5099), 3); /* 2100, 3100, 4100 */
	assert_int_equal(p.next, 5100);
	assert_int_equal(tick_phase_at(&p, 1), 5100);
	assert_int_equal(tick_phase_at(&p, 10), 14100);
}

/* The longest sleep stays within the counter's half range, a tick spare. */
static void phase_max_ticks(void **state)
{
	static const uint32_t pers[] = { 1, 1000, 12500, 16000, 25000, 168000 };
	(void)state;
	for (unsigned i = 0; i < sizeof(pers) / sizeof(pers[0]); i++) {
		struct tick_phase p;
		uint64_t span;

		tick_phase_init(&p, 0, pers[i]);
		span = (uint64_t)(tick_phase_max_ticks(&p) + 1u) * pers[i];
		assert_true(span <= 0x80000000ull);
		assert_true(span + pers[i] > 0x80000000ull - pers[i]);
	}
}

/* ---- a simulated board under ticker.c ---------------------------------- */

#define P 25000u           /* counts per tick */
#define ALARM_LATE (P / 2) /* the latest an alarm comes */
#define ALARM_EARLY 40u    /* the earliest */
#define ISR_ENTRY 60u      /* counts from an interrupt to its handler's read */

struct sim_board {
	uint64_t clock;    /* counts since the tick started: the truth */
	uint32_t c0;       /* the counter at clock 0 */
	uint32_t alarm;    /* where the board's alarm is set */
	uint64_t alarm_at; /* and the clock at which it fires */
	bool armed;        /* a one-shot alarm that fired is spent */
	int32_t jitter;    /* how early (-) or late it fires */
	bool fixed;        /* keep the jitter as set, no handler delay */
	bool repeats;      /* having fired, the alarm fires every tick */
	uint64_t irq_at;   /* another interrupt due then (UINT64_MAX: none) */
	bool sleeping;     /* between setting the sleep's alarm and waking */
	bool in_isr;       /* the handler's read comes ISR_ENTRY late */
	bool alarm_fired;  /* the alarm raised its interrupt, pending */
	bool irq_fired;
	unsigned long sleeps, early_wakes, alarm_irqs;
};

static struct sim_board sim;

static uint32_t counter(void)
{
	return sim.c0 + (uint32_t)sim.clock;
}

/* When the alarm fires: never before it was set; never once spent. */
static uint64_t alarm_time(void)
{
	if (!sim.armed)
		return UINT64_MAX;
	return sim.alarm_at > sim.clock ? sim.alarm_at : sim.clock;
}

/* It fires: its interrupt is pending, and it goes on or is spent. */
static void fire(void)
{
	sim.alarm_fired = true;
	if (sim.repeats) { /* the hardware reloads as it fires */
		sim.alarm += P;
		sim.alarm_at += P;
	} else {
		sim.armed = false;
	}
}

uint32_t ticker_now(void)
{
	if (sim.sleeping) {
		/* The CPU slept since the alarm was set: it wakes now. */
		uint64_t wake = alarm_time();

		sim.sleeping = false;
		if (sim.irq_at < wake) {
			wake = sim.irq_at > sim.clock ? sim.irq_at : sim.clock;
			sim.irq_fired = true;
			sim.irq_at = UINT64_MAX;
		}
		assert_true(wake != UINT64_MAX); /* no alarm, no interrupt: asleep for good */
		if (wake >= alarm_time())
			fire();
		sim.clock = wake;
	} else if (sim.in_isr && !sim.fixed) {
		sim.clock += rnd() % ISR_ENTRY;
	}
	return counter();
}

void ticker_alarm(uint32_t at)
{
	int64_t d = (int32_t)(at - counter());

	sim.alarm = at;
	if (!sim.fixed)
		sim.jitter = (int32_t)(rnd() % (ALARM_EARLY + ALARM_LATE)) -
			     (int32_t)ALARM_EARLY;
	d += sim.jitter;
	sim.alarm_at = d > 0 ? sim.clock + (uint64_t)d : sim.clock;
	sim.armed = true;
}

/* The alarm's handler, its interrupt taken. */
static void alarm_isr(void *arg)
{
	(void)arg;
	sim.alarm_fired = false;
	sim.alarm_irqs++;
	sim.in_isr = true;
	ticker_isr();
	sim.in_isr = false;
}

/* The UART: a byte for the reader. */
static struct kt_sem byte_sem;

static void uart_isr(void *arg)
{
	(void)arg;
	kt_sem_give_isr(&byte_sem);
}

/*
 * Whole ticks the counter has passed, against what the kernel says: the
 * same, or with lag, one fewer (a boundary passed whose interrupt has not
 * come: the periodic tick, woken by another interrupt).
 */
static kt_tick_t start_tick;
static unsigned long clock_errors;

static void check_clock_lag(unsigned lag)
{
	uint64_t passed = sim.clock / P, up = kt_uptime64();

	if (up > passed || up + lag < passed ||
	    kt_now() != (kt_tick_t)(start_tick + up))
		clock_errors++;
}

static void check_clock(void)
{
	check_clock_lag(0);
}

static void sim_start(kt_tick_t start, bool repeats)
{
	kt_init(start);
	start_tick = start;
	sim = (struct sim_board){ .c0 = 0xffffffffu - 7u * P - 1234u,
				  .irq_at = UINT64_MAX,
				  .repeats = repeats };
	clock_errors = 0;
	ticker_start(P, 0xffffffffu, repeats);
	board_tick_enable(true);
	kt_sem_init(&byte_sem, 0, 0xffffu);
}

/* Maybe an interrupt somewhere in the coming sleep. */
static void plan_irq(unsigned percent)
{
	if (rnd() % 100 < percent)
		sim.irq_at = sim.clock + rnd() % (4u * P);
}

/* After a wake: the interrupts that came run, once unmasked. */
static void deliver(void)
{
	if (sim.alarm_fired)
		kt_host_isr(alarm_isr, NULL);
	sim.alarm_fired = false;
	if (sim.irq_fired) {
		sim.early_wakes++;
		kt_host_isr(uart_isr, NULL);
	}
	sim.alarm_fired = sim.irq_fired = false;
}

/* kt_run's idle path with KT_TICKLESS 1: sleep through the budget. */
static void sleep_tickless(unsigned irq_percent)
{
	plan_irq(irq_percent);
	sim.sleeping = true;
	ticker_idle(kt_idle_budget());
	sim.sleeping = false;
	sim.sleeps++;
	deliver();
}

/* With KT_TICKLESS 0: sleep until the periodic alarm or the interrupt. */
static void sleep_periodic(unsigned irq_percent)
{
	plan_irq(irq_percent);
	sim.sleeping = true;
	(void)ticker_now(); /* the WFI */
	sim.sleeps++;
	deliver();
}

/*
 * Busy for up to two and a half ticks, on the periodic tick: each alarm
 * that comes meanwhile, then the scheduler.  Without the alarm, nothing
 * tells the kernel that time passed.
 */
static void busy(void)
{
	uint64_t until = sim.clock + rnd() % (5u * P / 2u);

	while (alarm_time() <= until) {
		sim.clock = alarm_time();
		fire();
		kt_host_isr(alarm_isr, NULL);
		kt_run_until_idle();
	}
	if (until > sim.clock)
		sim.clock = until;
}

/* ---- no drift: a million periods ----------------------------------------- */

#define METRO_PERIOD 3u
#define TIMER_PERIOD 7u

static unsigned long metro_periods, metro_late, timer_fires, timer_late, bytes_seen;
static unsigned reader_lag; /* tickless: 0, the clock is right at once */
static kt_tick_t metro_deadline;
static struct test_task metro_task, reader_task;

static int metro(void *arg)
{
	unsigned long n = (unsigned long)(uintptr_t)arg;

	metro_deadline = kt_now();
	while (metro_periods < n) {
		if (kt_sleep_until(&metro_deadline, METRO_PERIOD) != 0 ||
		    kt_now() != metro_deadline)
			metro_late++;
		check_clock();
		metro_periods++;
	}
	return 0;
}

static void timer_fired(void *arg)
{
	(void)arg;
	timer_fires++;
	if (kt_now() != (kt_tick_t)(start_tick + timer_fires * TIMER_PERIOD))
		timer_late++;
	check_clock();
}

/*
 * Woken by the UART's interrupt: the clock must already be right.  Then a
 * deadline a tick away, sooner than the sleep the byte broke into was to
 * end, and often passed while the CPU is busy: the tick must be back.
 */
static unsigned long reader_late;

static int reader(void *arg)
{
	(void)arg;
	for (;;) {
		kt_tick_t t;

		if (kt_sem_take(&byte_sem, KT_FOREVER) != 0)
			return -1;
		bytes_seen++;
		check_clock_lag(reader_lag);
		t = kt_now();
		if (kt_sleep(1) != 0 || kt_now() != (kt_tick_t)(t + 1u))
			reader_late++;
	}
}

static void run_periods(bool tickless, bool repeats, unsigned long n)
{
	struct kt_timer t;
	kt_tick_t start = 0xffffffffu - 500u; /* across the 32-bit wrap */

	sim_start(start, repeats);
	metro_periods = metro_late = timer_fires = timer_late = bytes_seen = 0;
	reader_late = 0;
	reader_lag = tickless ? 0 : 1;
	kt_timer_init(&t, timer_fired, NULL);
	assert_int_equal(kt_timer_start(&t, TIMER_PERIOD, TIMER_PERIOD), 0);
	assert_int_equal(spawn(&metro_task, "metro", metro, (void *)(uintptr_t)n, 5),
			 0);
	assert_int_equal(spawn(&reader_task, "reader", reader, NULL, 6), 0);
	/* Until both have had n periods: the timer's are longer. */
	while (metro_task.task.state != KT_DONE || timer_fires < n) {
		kt_run_until_idle();
		if (rnd() % 4 == 0)
			busy();
		if (tickless)
			sleep_tickless(5);
		else
			sleep_periodic(5);
	}
	print_message("  %s, %s alarm: %lu periods of %u ticks, %lu timer periods of %u "
		      "(%llu ticks, counter wrapped %llu times), %lu sleeps, %lu alarm "
		      "interrupts, %lu early wakes\n",
		      tickless ? "tickless" : "periodic",
		      repeats ? "repeating" : "one-shot", n, METRO_PERIOD,
		      timer_fires, TIMER_PERIOD, (unsigned long long)kt_uptime64(),
		      (unsigned long long)((sim.clock + sim.c0) >> 32),
		      sim.sleeps, sim.alarm_irqs, sim.early_wakes);
	kt_run_until_idle(); /* what the last interrupt made due */
	assert_int_equal(metro_late, 0);
	assert_int_equal(timer_late, 0);
	assert_int_equal(reader_late, 0);
	assert_int_equal(clock_errors, 0);
	/* Zero ticks of error after n periods, by the kernel and the counter. */
	assert_int_equal(metro_deadline, (kt_tick_t)(start + n * METRO_PERIOD));
	check_clock_lag(reader_lag);
	assert_int_equal(clock_errors, 0);
	assert_true(kt_uptime64() >= (uint64_t)n * METRO_PERIOD);
	assert_true(timer_fires >= n);
	assert_int_equal(timer_fires, kt_uptime64() / TIMER_PERIOD);
	assert_int_equal(bytes_seen, sim.early_wakes);
	assert_true(sim.early_wakes > n / 100);
	assert_true(kt_now() < start); /* wrapped */
	if (tickless) /* a sleep is one alarm, not one per tick */
		assert_true(sim.alarm_irqs < sim.sleeps + sim.sleeps / 4);
	else
		assert_true(sim.alarm_irqs >= n * METRO_PERIOD);
	kt_timer_stop(&t);
}

static void no_drift_tickless(void **state)
{
	(void)state;
	run_periods(true, false, 1000000);
	run_periods(true, true, 1000000);
}

static void no_drift_periodic(void **state)
{
	(void)state;
	run_periods(false, false, 1000000);
	run_periods(false, true, 1000000);
}

/* ---- tickless sleeps ----------------------------------------------------- */

/* Nothing to wake for: each sleep is as long as the counter can measure. */
static void forever_sleeps_the_longest(void **state)
{
	const uint64_t longest = 0x80000000ull / P - 1u; /* tick_phase_max_ticks */
	(void)state;
	sim_start(0, false);
	for (int i = 0; i < 3; i++) {
		uint64_t before = kt_uptime64();

		kt_run_until_idle();
		assert_int_equal(kt_idle_budget(), KT_FOREVER);
		sim.sleeping = true;
		ticker_idle(KT_FOREVER);
		sim.sleeping = false;
		deliver();
		/* An early alarm leaves the last tick to its handler's read. */
		assert_true(kt_uptime64() - before >= longest - 1u);
		assert_true(kt_uptime64() - before <= longest);
		check_clock();
	}
	assert_int_equal(clock_errors, 0);
}

/* An alarm that comes early finds no tick and sets itself again. */
static void early_alarm_counts_nothing(void **state)
{
	(void)state;
	sim_start(10, false);
	/* The alarm a count before the end of the 5th tick, no handler delay. */
	sim.fixed = true;
	sim.jitter = -1;
	sim.sleeping = true;
	ticker_idle(5);
	sim.sleeping = false;
	assert_true(sim.clock == 5u * P - 1u);
	assert_int_equal(kt_now(), 14); /* 4 ticks: the 5th has not ended */
	assert_int_equal(sim.alarm, sim.c0 + 5u * P); /* set for it again */
	/* Its interrupt, pending, finds nothing either. */
	kt_host_isr(alarm_isr, NULL);
	assert_int_equal(kt_now(), 14);
	sim.clock = 5u * P;
	kt_host_isr(alarm_isr, NULL);
	assert_int_equal(kt_now(), 15);
	check_clock();
	assert_int_equal(clock_errors, 0);
}

/*
 * board_tick_enable(false): the alarm goes as far as it can, the phase
 * runs on, the kernel hears nothing, and the ticks while off are dropped.
 */
static void tick_off_keeps_the_phase(void **state)
{
	(void)state;
	sim_start(0, false);
	sim.clock = P / 2;
	board_tick_enable(false);
	assert_int_equal(sim.alarm, sim.c0 + (0x80000000u / P - 1u) * P);
	sim.clock = 10u * P + 5u;
	kt_host_isr(alarm_isr, NULL); /* were it to come */
	assert_int_equal(kt_now(), 0);
	sim.clock = 12u * P + 3u;
	board_tick_enable(true);
	assert_int_equal(kt_now(), 0);
	assert_int_equal(sim.alarm, sim.c0 + 13u * P); /* on the old phase */
	sim.clock = 13u * P;
	kt_host_isr(alarm_isr, NULL);
	assert_int_equal(kt_now(), 1);
}

/* ---- the longest timeouts and beyond ---------------------------------- */

static void announce(void *arg)
{
	kt_tick_announce((kt_tick_t)(uintptr_t)arg);
}

/* Sleep through the kernel's budgets, at most cap ticks at a time. */
static unsigned long idle_until(bool (*done)(void), kt_tick_t cap)
{
	unsigned long wakes = 0;

	kt_run_until_idle();
	while (!done()) {
		kt_tick_t b = kt_idle_budget();

		assert_true(b >= 1);
		kt_host_isr(announce, (void *)(uintptr_t)(b < cap ? b : cap));
		kt_run_until_idle();
		wakes++;
	}
	return wakes;
}

static kt_tick_t woke_at[3];
static struct test_task sleeper_task;

static bool sleeper_done(void)
{
	return sleeper_task.task.state == KT_DONE;
}

static int results[3];

static int sleep_max(void *arg)
{
	struct kt_event e;
	(void)arg;
	kt_event_init(&e);
	/* One tick more is refused, not cut short or wrapped. */
	results[0] = kt_sleep(KT_DELAY_MAX + 1u);
	woke_at[0] = kt_now();
	results[1] = kt_sleep(KT_DELAY_MAX);
	woke_at[1] = kt_now();
	results[2] = kt_event_wait(&e, KT_DELAY_MAX);
	woke_at[2] = kt_now();
	return 0;
}

/* A sleep and a timeout of 2^31 - 1 ticks (24.8 days at 1 kHz), exactly. */
static void longest_timeout_is_exact(void **state)
{
	unsigned long wakes;
	kt_tick_t start = kt_now();
	(void)state;
	assert_int_equal(spawn(&sleeper_task, "sleeper", sleep_max, NULL, 5), 0);
	wakes = idle_until(sleeper_done, KT_FOREVER);
	print_message("  2 x (2^31 - 1) ticks from %lu: %lu tickless wake-ups\n",
		      (unsigned long)start, wakes);
	assert_int_equal(results[0], -EINVAL);
	assert_int_equal(results[1], 0);
	assert_int_equal(results[2], -ETIMEDOUT);
	assert_int_equal(woke_at[0], start);
	assert_int_equal(woke_at[1], (kt_tick_t)(start + KT_DELAY_MAX));
	assert_int_equal(woke_at[2], (kt_tick_t)(start + 2u * KT_DELAY_MAX));
	assert_true(kt_uptime64() == 2ull * KT_DELAY_MAX);
	assert_true(wakes < 200);
}

static unsigned timer_n;
static kt_tick_t timer_at[3];
static struct kt_timer long_timer;

static void long_fired(void *arg)
{
	(void)arg;
	if (timer_n < 3)
		timer_at[timer_n] = kt_now();
	timer_n++;
}

static bool timer_twice(void)
{
	return timer_n >= 2;
}

/* A soft timer of the longest delay and period fires on its ticks. */
static void longest_timer_is_exact(void **state)
{
	kt_tick_t start = kt_now();
	(void)state;
	timer_n = 0;
	kt_timer_init(&long_timer, long_fired, NULL);
	assert_int_equal(kt_timer_start(&long_timer, KT_DELAY_MAX + 1u, 0), -EINVAL);
	assert_int_equal(kt_timer_start(&long_timer, 1, KT_DELAY_MAX + 1u), -EINVAL);
	assert_int_equal(kt_timer_start(&long_timer, KT_DELAY_MAX, KT_DELAY_MAX), 0);
	idle_until(timer_twice, 1000000u); /* at most 10^6 ticks a sleep */
	assert_int_equal(timer_at[0], (kt_tick_t)(start + KT_DELAY_MAX));
	assert_int_equal(timer_at[1], (kt_tick_t)(start + 2u * KT_DELAY_MAX));
	assert_true(kt_uptime64() == 2ull * KT_DELAY_MAX);
	kt_timer_stop(&long_timer);
}

/*
 * Longer than KT_DELAY_MAX: no single timeout takes it.  An application
 * sleeps in steps of at most KT_DELAY_MAX toward a 64-bit deadline on
 * kt_uptime64(), as here; each step lands exactly, so the last does.
 */
static uint64_t long_deadline;

static int sleep_until64(void *arg)
{
	(void)arg;
	for (;;) {
		uint64_t now = kt_uptime64();

		if (now >= long_deadline)
			return 0;
		kt_sleep(long_deadline - now > KT_DELAY_MAX ?
				 KT_DELAY_MAX :
				 (kt_tick_t)(long_deadline - now));
	}
}

static void beyond_the_longest_by_steps(void **state)
{
	kt_tick_t start = kt_now();
	(void)state;
	long_deadline = (1ull << 33) + 12345u; /* 99 days at 1 kHz */
	assert_int_equal(spawn(&sleeper_task, "sleeper", sleep_until64, NULL, 5), 0);
	idle_until(sleeper_done, KT_FOREVER);
	assert_true(kt_uptime64() == long_deadline);
	/* The 32-bit tick wrapped twice; the 64-bit uptime did not. */
	assert_int_equal(kt_now(), (kt_tick_t)(start + (kt_tick_t)long_deadline));
}

/* kt_uptime64 across many wraps, announced in any steps, never tears. */
static void uptime64_across_wraps(void **state)
{
	uint64_t sum = 0;
	kt_tick_t start = kt_now();
	(void)state;
	for (int i = 0; i < 100000; i++) {
		kt_tick_t n = rnd() % 4 == 0 ? rnd() : rnd() % 1000u;
		uint64_t before = kt_uptime64();

		kt_host_isr(announce, (void *)(uintptr_t)n);
		sum += n;
		assert_true(kt_uptime64() == sum);
		assert_true(kt_uptime64() >= before);
		assert_int_equal(kt_now(), (kt_tick_t)(start + (kt_tick_t)sum));
	}
	kt_run_until_idle();
	assert_true(sum >> 32 > 1000); /* wrapped a thousand times */
}

/*
 * Tearing: a signal plays the tick's interrupt - on this one thread, so,
 * as on a single core, it lands between any two instructions of the
 * reader and runs to the end before the reader goes on - while the reader
 * calls kt_uptime64() in a loop.  Every other signal announces the ticks
 * up to the last before the 32-bit wrap, and the ones between wrap the
 * count by either path: kt_tick_isr() (low word first) and
 * kt_tick_announce() (high word first).  A read that took the high word
 * from one side of a wrap and the low word from the other would be 2^32
 * off: every read must be at least the one before, and none past what
 * was announced.
 */
#define TEAR_WRAPS 2000

static volatile sig_atomic_t tear_wraps;
static volatile uint64_t tear_total;

static void tear_tick(int sig)
{
	kt_tick_t to_edge = 0xffffffffu - kt_now();

	(void)sig;
	if (tear_wraps >= TEAR_WRAPS)
		return;
	if (to_edge != 0) {
		kt_tick_announce(to_edge);
		tear_total += to_edge;
		return;
	}
	if (tear_wraps % 2 == 0)
		kt_tick_isr();
	else
		kt_tick_announce(1);
	tear_total += 1;
	tear_wraps++;
}

static void uptime64_never_tears(void **state)
{
	struct sigaction sa = { .sa_handler = tear_tick }, old;
	struct itimerval every = { { 0, 50 }, { 0, 50 } },
			 off = { { 0, 0 }, { 0, 0 } };
	uint64_t prev = 0, reads = 0;
	unsigned long bad = 0;
	(void)state;

	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &every, NULL), 0);
	while (tear_wraps < TEAR_WRAPS) {
		uint64_t v = kt_uptime64();

		if (v < prev || v > tear_total + 0xffffffffu)
			bad++;
		prev = v;
		reads++;
	}
	assert_int_equal(setitimer(ITIMER_REAL, &off, NULL), 0);
	assert_int_equal(sigaction(SIGALRM, &old, NULL), 0);
	print_message("  %d wraps by a signal, half of them by kt_tick_isr; %llu reads\n",
		      TEAR_WRAPS, (unsigned long long)reads);
	assert_int_equal(bad, 0);
	assert_true(kt_uptime64() == tear_total);
	kt_run_until_idle();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(phase_counts_each_tick_once),
		cmocka_unit_test(phase_ignores_the_past),
		cmocka_unit_test(phase_max_ticks),
		cmocka_unit_test(no_drift_tickless),
		cmocka_unit_test(no_drift_periodic),
		cmocka_unit_test(forever_sleeps_the_longest),
		cmocka_unit_test(early_alarm_counts_nothing),
		cmocka_unit_test(tick_off_keeps_the_phase),
		KT_TEST(longest_timeout_is_exact),
		KT_TEST_WRAP(longest_timeout_is_exact),
		KT_TEST_WRAP(longest_timer_is_exact),
		KT_TEST_WRAP(beyond_the_longest_by_steps),
		KT_TEST_WRAP(uptime64_across_wraps),
		KT_TEST(uptime64_never_tears),
	};
	return cmocka_run_group_tests_name("time", tests, NULL, NULL);
}
