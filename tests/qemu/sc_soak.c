/*
 * Soak: for a fixed stretch of guest time the runner floods the UART with
 * checksummed frames (tests/qemu/soak.py, the protocol in soak_proto.h)
 * while tasks are spawned, cancelled and joined and mutexes change hands;
 * then everything is accounted for.  make test runs it for 3 s of guest
 * time on every board, make soak for 60 s (mk/soak.mk).
 *
 * The tasks, highest priority first: the controller (watches everyone's
 * progress, and ends the run); the reporter (tells the runner how many
 * bytes reached the UART, so the runner keeps only a small window in
 * flight and the end comes promptly); the reader (takes the bytes and
 * finds the frames; it stops reading now and then so that the receive
 * ring overflows and the driver drops bytes, which also happens where
 * QEMU's UART delivers faster than the board keeps up with, as on the
 * micro:bit and lm3s6965evb); the spawner (spawns four
 * workers at random priorities, cancels some, joins them all, again and
 * again); two lockers (take both mutexes, always in the same order).  A
 * worker takes one mutex at a time, with a timeout.  Whoever holds a
 * mutex bumps the counter it guards across a yield, so a second holder
 * would lose a bump.  On boards with Ethernet the runner floods the
 * network at the same time, and three more tasks take it (soak_net.c:
 * the stack's receive task, the socket's reader and the acker); they are
 * watched and their stacks checked like the others, and their own
 * accounts are checked at the end.
 *
 * At the end:
 * - every frame accepted is whole (CRC), holds its own payload and comes
 *   after the one before; the runner's count (its trailer) minus those
 *   accepted were lost, and each lost frame lost a byte to a counted
 *   drop: between two frames accepted the parser saw at most 31 bytes
 *   per frame missing, none when none is, and lost frames <= bytes
 *   dropped <= 32 x lost frames;
 * - every byte the runner sent reached the driver (rx_bytes), and every
 *   one it took was either read or counted dropped; no overrun;
 * - every join came back in time with the result its task had to give
 *   (0, or -ECANCELED for a cancelled one), no long-lived task ever went
 *   a watch period without progress, and the guarded counters saw every
 *   bump;
 * - the stack high-water marks of the long-lived tasks grew by no more
 *   than one exception frame in the second half of the run, nor did the
 *   workers' deepest: the deepest call path is reached early, but an
 *   interrupt may land on it only late (measured: up to 36 bytes on the
 *   M0, 32 on lm3s6965evb), while a leak would grow without bound.
 */
#include <stdio.h>
#include <string.h>

#include "board_eth.h"
#include "scenario.h"
#include "soak_net.h"
#include "soak_proto.h"

#define WORKERS 4
/*
 * Stacks: the reader, the spawner, the lockers and the workers use about
 * 300 bytes, the reporter and the controller (board_printf) about 650.
 * On ARMv7-M they get 2 KiB each on 1 KiB boundaries, for QEMU's sake:
 * it checks every access to a 1 KiB page that holds part of an MPU region
 * the slow way, so a task whose stack top shared a page with its guard
 * ran several times slower (the micro:bit has no MPU, and no RAM to
 * spare).
 */
#if __ARM_ARCH >= 7
#define STACK 2048
#define WORKER_STACK 2048
#define PRINT_STACK 2048
#define SOAK_STACK_ALIGN __attribute__((aligned(1024)))
#else
#define STACK 512
#define WORKER_STACK 512
#define PRINT_STACK 1024
#define SOAK_STACK_ALIGN __attribute__((aligned(8)))
#endif
#define REPORT_EVERY 10 /* ticks between the reporter's lines */
#define WATCH_EVERY 500 /* ticks between the controller's checks */
#define PAUSE_EVERY 600 /* ticks of reading between the reader's pauses */
#define PAUSE 200       /* ticks the reader stops for */
#define JOIN_TIMEOUT 3000
#define EXC_FRAME 36 /* an interrupt's frame and its aligning word (no FPU) */

/* The network's tasks come last, on boards with Ethernet (soak_net.c). */
enum {
	READER,
	REPORTER,
	SPAWNER,
	LOCKER0,
	LOCKER1,
	NET0,
	LONG_LIVED = NET0 + SOAK_NET_TASKS
};

/*
 * The reader's frames.  Between two frames it accepts, the frames that
 * went missing must each have lost a byte to a drop: the bytes the parser
 * saw in between (the missing frames' survivors) are at most 31 per
 * missing frame, and none when none is missing.  A frame that arrived
 * whole but wrong, a byte that came from nowhere, a frame the parser
 * skipped would each break that ("unexplained").
 */
struct parser {
	uint8_t buf[SOAK_FRAME];
	unsigned n;
	uint32_t seed, next_seq, pos, last_end;
	uint32_t accepted, bad_crc, junk, wrong, out_of_order;
	uint32_t gaps, unexplained;
	uint32_t host_frames, host_bytes;
	bool done;
};

struct worker {
	struct kt_task task;
	uint8_t *stack;
	uint32_t x, rounds;
	bool cancelled;
};

static struct kt_task tasks[LONG_LIVED], controller;
static uint8_t stacks[NET0][STACK] SOAK_STACK_ALIGN;
static uint8_t reporter_stack[PRINT_STACK] SOAK_STACK_ALIGN;
static uint8_t controller_stack[PRINT_STACK] SOAK_STACK_ALIGN;
static const char *const names[LONG_LIVED] = {
	"reader",  "reporter", "spawner", "locker0",
	"locker1", "netrx",    "dgram",   "acker",
};
/* The long-lived tasks this board runs: the network's only with Ethernet. */
static const int long_lived = BOARD_HAS_ETH ? LONG_LIVED : NET0;
static struct worker workers[WORKERS];
/* Apart from the workers: inside them each one's alignment padded it out
 * to twice its size. */
static uint8_t worker_stacks[WORKERS][WORKER_STACK] SOAK_STACK_ALIGN;
static struct kt_mutex mutexes[2];
static struct kt_event started;
static struct parser parser;
static uint32_t duration, consumed, read_errors, pauses;
static volatile bool running, stopping, reader_over;
static struct kt_event ended; /* set with stopping: cuts the reader's pause short */
static uint32_t progress[LONG_LIVED];
static uint32_t guarded[2], bumps[2], contended, lock_timeouts, lock_errors;
static uint32_t spawns, cancels, joins, join_failures, wrong_results;
static uint32_t worker_hwm[2], rnd_state;
static kt_tick_t start_time, half_time;

static uint32_t rnd(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* ---- the reader: frames out of the byte stream ------------------------- */

static void drop(struct parser *p, unsigned k)
{
	memmove(p->buf, p->buf + k, p->n - k);
	p->n -= k;
}

/* The frames missing before the one at hand, which starts at pos - 32. */
static void account_gap(struct parser *p, uint32_t seq)
{
	uint32_t missing = seq - p->next_seq;
	uint32_t seen = p->pos - SOAK_FRAME - p->last_end;

	p->gaps += missing != 0;
	p->unexplained += seen > missing * (SOAK_FRAME - 1);
	p->last_end = p->pos;
}

static void accept(struct parser *p)
{
	uint8_t want[SOAK_PAYLOAD];
	uint32_t seq = soak_le32(p->buf + 1);

	if (p->buf[0] == SOAK_TRAILER) {
		p->host_frames = seq;
		p->host_bytes = soak_le32(p->buf + 5);
		p->done = true;
		if (seq >= p->next_seq)
			account_gap(p, seq);
		return;
	}
	soak_payload(seq, p->seed, want);
	p->wrong += memcmp(p->buf + 5, want, SOAK_PAYLOAD) != 0;
	if (seq < p->next_seq) {
		p->out_of_order++;
		return;
	}
	account_gap(p, seq);
	p->next_seq = seq + 1;
	p->accepted++;
}

/* One byte in; whole frames out.  After a loss every 'S' is tried. */
static void feed(struct parser *p, uint8_t b)
{
	p->pos++;
	p->buf[p->n++] = b;
	while (p->n > 0 && !p->done) {
		if (p->buf[0] != SOAK_MAGIC && p->buf[0] != SOAK_TRAILER) {
			p->junk++;
			drop(p, 1);
		} else if (p->n < SOAK_FRAME) {
			return;
		} else if (soak_crc32(p->buf, SOAK_FRAME - 4) !=
			   soak_le32(p->buf + SOAK_FRAME - 4)) {
			p->bad_crc++;
			drop(p, 1);
		} else {
			accept(p);
			drop(p, SOAK_FRAME);
		}
	}
}

static int read_exact(uint8_t *p, size_t len)
{
	size_t got = 0;

	while (got < len) {
		int n = board_uart_read(p + got, len - got, KT_FOREVER);

		if (n < 0)
			return n;
		got += (size_t)n;
	}
	return 0;
}

static int reader_fn(void *arg)
{
	uint8_t buf[64];
	kt_tick_t pause_at;
	int err;

	(void)arg;
	err = read_exact(buf, SOAK_HEADER);
	if (err != 0)
		return err;
	consumed = SOAK_HEADER;
	duration = soak_le32(buf);
	parser.seed = soak_le32(buf + 4);
	/* The runner floods the network exactly where there is one. */
	SC_CHECK_EQ((soak_le32(buf + 8) & SOAK_FLAG_NET) != 0, BOARD_HAS_ETH);
	rnd_state = parser.seed | 1u;
	start_time = kt_now();
	half_time = start_time + duration / 2;
	running = true;
	kt_event_set(&started);
	pause_at = kt_now() + PAUSE_EVERY;
	while (!parser.done) {
		int n = board_uart_read(buf, sizeof(buf), 100);

		progress[READER]++;
		if (n == -ECANCELED)
			return n;
		if (n < 0) {
			read_errors += n != -ETIMEDOUT;
			continue;
		}
		consumed += (uint32_t)n;
		for (int i = 0; i < n; i++)
			feed(&parser, buf[i]);
		/* Stop reading for a while: the receive ring overflows. */
		if (!stopping && !kt_tick_before(kt_now(), pause_at)) {
			kt_event_wait(&ended, PAUSE);
			pauses++;
			pause_at = kt_now() + PAUSE_EVERY;
		}
	}
	return 0;
}

/*
 * ---- the reporter: how much reached the UART, for the runner's window --
 *
 * And how much of it was read or dropped: after "soak: stop" the runner
 * sends the trailer only when everything it sent reached the UART and
 * the receive ring is empty, so the trailer cannot be dropped (it is
 * sent once).  The reporter goes on until the reader is over.
 */
static int reporter_fn(void *arg)
{
	struct board_uart_stats st;

	(void)arg;
	while (!reader_over) {
		board_uart_stats(&st);
		board_printf("soak: rx %lu read %lu dropped %lu\n",
			     (unsigned long)st.rx_bytes, (unsigned long)consumed,
			     (unsigned long)st.rx_dropped);
		kt_sleep(REPORT_EVERY);
		progress[REPORTER]++;
	}
	return 0;
}

/* ---- mutexes changing hands --------------------------------------------- */

/* Lock, counting the locks that find the mutex held. */
static int lock(struct kt_mutex *m, kt_tick_t timeout)
{
	contended += kt_mutex_owner(m) != NULL;
	return kt_mutex_lock(m, timeout);
}

/* The holder's bump: a second holder at the same time would lose one. */
static void bump(int k)
{
	uint32_t v = guarded[k];

	kt_yield();
	guarded[k] = v + 1;
	bumps[k]++;
}

static int locker_fn(void *arg)
{
	int me = (int)(intptr_t)arg;

	kt_event_wait(&started, KT_FOREVER);
	while (!stopping) {
		int err = lock(&mutexes[0], 50);

		if (err == 0) {
			err = lock(&mutexes[1], 50);
			if (err == 0) {
				bump(0);
				bump(1);
				kt_mutex_unlock(&mutexes[1]);
			}
			kt_mutex_unlock(&mutexes[0]);
		}
		lock_timeouts += err == -ETIMEDOUT;
		lock_errors += err != 0 && err != -ETIMEDOUT;
		progress[me]++;
		kt_sleep(1);
	}
	return 0;
}

/* A worker: a few rounds of one mutex and a short sleep; cancellable. */
static int worker_fn(void *arg)
{
	struct worker *w = arg;

	for (uint32_t i = 0; i < w->rounds; i++) {
		int k = (int)(rnd(&w->x) & 1u);
		int err = lock(&mutexes[k], 1 + rnd(&w->x) % 8);

		if (err == -ECANCELED)
			return err;
		if (err == 0) {
			bump(k);
			kt_mutex_unlock(&mutexes[k]);
		}
		lock_timeouts += err == -ETIMEDOUT;
		lock_errors += err != 0 && err != -ETIMEDOUT;
		err = kt_sleep(rnd(&w->x) % 3);
		if (err == -ECANCELED)
			return err;
	}
	return 0;
}

static int spawner_fn(void *arg)
{
	struct kt_task_info info;

	(void)arg;
	kt_event_wait(&started, KT_FOREVER);
	while (!stopping) {
		for (int i = 0; i < WORKERS; i++) {
			struct worker *w = &workers[i];

			w->stack = worker_stacks[i];
			w->x = rnd(&rnd_state) | 1u;
			w->rounds = 1 + rnd(&rnd_state) % 6;
			w->cancelled = false;
			if (kt_task_spawn(&w->task, "worker", worker_fn, w,
					  w->stack, WORKER_STACK,
					  2 + rnd(&rnd_state) % 4) == 0)
				spawns++;
		}
		kt_sleep(rnd(&rnd_state) % 4);
		for (int i = 0; i < WORKERS; i++) {
			if (rnd(&rnd_state) % 3 == 0 &&
			    kt_task_cancel(&workers[i].task) == 0) {
				workers[i].cancelled = true;
				cancels++;
			}
		}
		for (int i = 0; i < WORKERS; i++) {
			struct worker *w = &workers[i];
			int result = 0;
			bool late = !kt_tick_before(kt_now(), half_time);

			if (kt_task_join(&w->task, &result, JOIN_TIMEOUT) != 0) {
				join_failures++;
				continue;
			}
			joins++;
			wrong_results += !(result == 0 ||
					   (result == -ECANCELED && w->cancelled));
			kt_task_info(&w->task, &info);
			if (info.stack_used > worker_hwm[late])
				worker_hwm[late] = (uint32_t)info.stack_used;
		}
		progress[SPAWNER]++;
	}
	return 0;
}

/* ---- the controller ------------------------------------------------------ */

static void stack_marks(uint32_t *marks)
{
	struct kt_task_info info;

	for (int i = 0; i < long_lived; i++)
		if (kt_task_info(&tasks[i], &info) == 0)
			marks[i] = (uint32_t)info.stack_used;
}

static void check_accounts(void)
{
	struct board_uart_stats st;
	uint32_t lost = parser.host_frames - parser.accepted;

	board_uart_stats(&st);
	board_printf("soak: host sent %lu frames %lu bytes; accepted %lu, lost %lu "
		     "in %lu gaps, bad crc %lu, junk %lu\n",
		     (unsigned long)parser.host_frames,
		     (unsigned long)parser.host_bytes, (unsigned long)parser.accepted,
		     (unsigned long)lost, (unsigned long)parser.gaps,
		     (unsigned long)parser.bad_crc, (unsigned long)parser.junk);
	board_printf("soak: uart rx %lu read %lu dropped %lu overrun %lu; "
		     "reader paused %lu times\n",
		     (unsigned long)st.rx_bytes, (unsigned long)consumed,
		     (unsigned long)st.rx_dropped, (unsigned long)st.rx_overrun,
		     (unsigned long)pauses);
	SC_CHECK(parser.done);
	SC_CHECK(parser.accepted > 0);
	SC_CHECK_EQ(parser.host_bytes, parser.host_frames * SOAK_FRAME);
	SC_CHECK_EQ(parser.wrong, 0);
	SC_CHECK_EQ(parser.out_of_order, 0);
	SC_CHECK(parser.accepted <= parser.host_frames);
	SC_CHECK_EQ(read_errors, 0);
	/* Every byte sent reached the driver; each was read or dropped. */
	SC_CHECK_EQ(st.rx_bytes, SOAK_HEADER + parser.host_bytes + SOAK_FRAME);
	SC_CHECK_EQ(consumed + st.rx_dropped, st.rx_bytes);
	SC_CHECK_EQ(st.rx_overrun, 0);
	/* Every lost frame lost a byte to a drop, every drop hit a frame. */
	SC_CHECK(lost <= st.rx_dropped);
	SC_CHECK(st.rx_dropped <= lost * SOAK_FRAME);
	SC_CHECK_EQ(parser.unexplained, 0);
	SC_CHECK(parser.gaps <= lost);
	SC_CHECK_EQ(parser.next_seq, parser.host_frames);
}

static int controller_fn(void *arg)
{
	uint32_t last[LONG_LIVED] = { 0 }, mid[LONG_LIVED] = { 0 };
	uint32_t end[LONG_LIVED] = { 0 }, stuck = 0, watches = 0;
	kt_tick_t deadline;
	bool sampled = false;
	int result;

	(void)arg;
	SC_CHECK_EQ(kt_event_wait(&started, KT_FOREVER), 0);
	deadline = start_time;
	for (int i = 0; i < long_lived; i++)
		last[i] = progress[i];
	while (kt_tick_before(kt_now(), start_time + duration)) {
		kt_sleep_until(&deadline, WATCH_EVERY);
		watches++;
		for (int i = 0; i < long_lived; i++) {
			if (progress[i] == last[i]) {
				board_printf("soak: %s made no progress for %u ticks\n",
					     names[i], WATCH_EVERY);
				stuck++;
			}
			last[i] = progress[i];
		}
		if (!sampled && !kt_tick_before(kt_now(), half_time)) {
			stack_marks(mid);
			sampled = true;
		}
	}
	stopping = true;
	kt_event_set(&ended);
	for (int i = SPAWNER; i < NET0; i++) {
		SC_CHECK_EQ(kt_task_join(&tasks[i], &result, JOIN_TIMEOUT), 0);
		SC_CHECK_EQ(result, 0);
	}
	board_printf(SOAK_STOP);
	if (kt_task_join(&tasks[READER], &result, 60000) != 0) {
		kt_task_cancel(&tasks[READER]);
		kt_task_join(&tasks[READER], &result, JOIN_TIMEOUT);
	}
	SC_CHECK_EQ(result, 0);
	reader_over = true;
	SC_CHECK_EQ(kt_task_join(&tasks[REPORTER], &result, JOIN_TIMEOUT), 0);
	SC_CHECK_EQ(result, 0);
	if (BOARD_HAS_ETH)
		soak_net_end(60000);
	stack_marks(end);

	check_accounts();
	board_printf("soak: %lu ticks, %lu watches; %lu workers spawned, %lu "
		     "cancelled, %lu joined\n",
		     (unsigned long)(kt_now() - start_time),
		     (unsigned long)watches, (unsigned long)spawns,
		     (unsigned long)cancels, (unsigned long)joins);
	board_printf("soak: mutexes: %lu + %lu bumps, %lu locks found them held, "
		     "%lu timed out\n",
		     (unsigned long)bumps[0], (unsigned long)bumps[1],
		     (unsigned long)contended, (unsigned long)lock_timeouts);
	SC_CHECK(watches >= duration / WATCH_EVERY);
	SC_CHECK_EQ(stuck, 0);
	SC_CHECK(spawns > 0);
	SC_CHECK(cancels > 0);
	SC_CHECK_EQ(joins, spawns);
	SC_CHECK_EQ(join_failures, 0);
	SC_CHECK_EQ(wrong_results, 0);
	SC_CHECK_EQ(lock_errors, 0);
	SC_CHECK_EQ(guarded[0], bumps[0]);
	SC_CHECK_EQ(guarded[1], bumps[1]);
	for (int i = 0; i < long_lived; i++) {
		board_printf("soak: stack %s: %lu bytes at half time, %lu at the end\n",
			     names[i], (unsigned long)mid[i],
			     (unsigned long)end[i]);
		SC_CHECK(sampled);
		SC_CHECK(end[i] <= mid[i] + EXC_FRAME);
	}
	board_printf("soak: stack workers: %lu bytes in the first half, %lu in the second\n",
		     (unsigned long)worker_hwm[0], (unsigned long)worker_hwm[1]);
	SC_CHECK(worker_hwm[1] <= worker_hwm[0] + EXC_FRAME);
	sc_finish();
}

int main(void)
{
	kt_init(0);
	sc_begin("soak");
	kt_event_init(&started);
	kt_event_init(&ended);
	kt_mutex_init(&mutexes[0]);
	kt_mutex_init(&mutexes[1]);
	SC_CHECK_EQ(kt_task_spawn(&controller, "controller", controller_fn, NULL,
				  controller_stack, sizeof(controller_stack), 8),
		    0);
	SC_CHECK_EQ(kt_task_spawn(&tasks[REPORTER], names[REPORTER], reporter_fn,
				  NULL, reporter_stack, PRINT_STACK, 7),
		    0);
	SC_CHECK_EQ(kt_task_spawn(&tasks[READER], names[READER], reader_fn,
				  NULL, stacks[READER], STACK, 6),
		    0);
	SC_CHECK_EQ(kt_task_spawn(&tasks[SPAWNER], names[SPAWNER], spawner_fn,
				  NULL, stacks[SPAWNER], STACK, 3),
		    0);
	SC_CHECK_EQ(kt_task_spawn(&tasks[LOCKER0], names[LOCKER0], locker_fn,
				  (void *)(intptr_t)LOCKER0, stacks[LOCKER0],
				  STACK, 2),
		    0);
	SC_CHECK_EQ(kt_task_spawn(&tasks[LOCKER1], names[LOCKER1], locker_fn,
				  (void *)(intptr_t)LOCKER1, stacks[LOCKER1],
				  STACK, 5),
		    0);
	if (BOARD_HAS_ETH) {
		const struct soak_net_ctx net = {
			.tasks = &tasks[NET0],
			.progress = &progress[NET0],
			.running = &running,
			.stopping = &stopping,
		};

		SC_CHECK_EQ(soak_net_start(&net), 0);
	}
	printf(SOAK_READY);
	kt_run();
}
