/*
 * The soak's network half: a flood of checksummed UDP datagrams from the
 * runner (tests/qemu/soak.py; the format in soak_proto.h) taken by three
 * tasks while sc_soak.c's UART flood and churn go on.
 *
 * - netrx, the stack's receive task (ours, not net_start's, so that it can
 *   stop now and then): it takes each frame from the driver, notes whether
 *   it is a flood datagram (by its bytes: IPv4, UDP to SOAK_NET_PORT,
 *   'S'), hands it to net_input() and, for flood datagrams, keeps what
 *   became of it: delivered to the socket, dropped because the socket's
 *   ring was full, or refused by the stack.  It pauses for RX_PAUSE ticks
 *   every RX_PAUSE_EVERY, so the driver's ring overflows and drops.
 * - dgram, the socket's owner: checks each datagram (CRC, the length and
 *   the bytes its sequence number makes, order) and pauses for
 *   DGRAM_PAUSE ticks every DGRAM_PAUSE_EVERY, so the socket's ring
 *   overflows and the stack drops.
 * - acker: every tick that saw a frame reach the driver (and every
 *   ACK_IDLE ticks anyway) it tells the runner how many frames reached it,
 *   counting drops, and how many of those were not flood datagrams.  The
 *   runner keeps at most a window of frame bytes beyond that in flight:
 *   QEMU's LAN9118 drops a frame that finds its 10 KiB receive FIFO full
 *   without telling anyone, and a window well under that keeps every loss
 *   where a counter sees it.  The acker never pauses, so the flood goes
 *   on while the others do.
 *
 * At the end, after the trailer (every flood datagram was sent before it,
 * and QEMU's user networking keeps order): every datagram accepted was
 * whole, right and in order; every one the stack delivered was accepted;
 * and every one sent but never accepted is accounted for: dropped at the
 * socket (counted per datagram by netrx), refused by the stack (none
 * expected) or never taken from the driver - and those are no more than
 * the frames the driver counted as dropped.  The driver's drops that are
 * left over were other frames (ARP); how many is printed.
 */
#include <stdio.h>
#include <string.h>

#include "board_eth.h"
#include "net.h"
#include "scenario.h"
#include "soak_net.h"
#include "soak_proto.h"

/*
 * netrx uses about 400 bytes of stack, dgram about 200 and the acker
 * about 450 (measured: its first ack waits for ARP); as in sc_soak.c,
 * 2 KiB on 1 KiB boundaries keeps QEMU fast (a stack that shares its
 * 1 KiB page with its guard runs slower, not wrongly).  The acker, which
 * runs little, has 1 KiB.  The lm3s6965evb's 64 KiB of RAM
 * hold this only with 1 KiB stacks for all three and a socket ring of 2
 * datagrams, not 4 (mk/soak.mk sets SOAK_NET_STACK and SOAK_NET_SLOTS):
 * newlib's stdout buffer comes from what is left.
 */
#ifndef SOAK_NET_STACK
#define SOAK_NET_STACK 2048
#endif
#ifndef SOAK_NET_SLOTS
#define SOAK_NET_SLOTS 4
#endif
#define STACK SOAK_NET_STACK
#define ACKER_STACK 1024
#define STACK_ALIGN __attribute__((aligned(1024)))
#define SLOTS SOAK_NET_SLOTS
#define RX_PAUSE_EVERY 700 /* ticks of receiving between netrx's pauses */
#define RX_PAUSE 150
#define DGRAM_PAUSE_EVERY 450
#define DGRAM_PAUSE 100
#define ACK_EVERY 1    /* ticks between the acker's looks */
#define ACK_IDLE 50    /* an ack at least this often */
#define ACK_TIMEOUT 10 /* ticks an ack may wait for transmit room */
#define WAIT 100       /* receive timeouts: the tasks see the end */

/* A frame from QEMU's user networking: IPv4 without options. */
#define OFF_TYPE 12
#define OFF_VIHL 14
#define OFF_PROTO (NET_ETH_HDR + 9)
#define OFF_DPORT (NET_ETH_HDR + NET_IPV4_HDR + 2)
#define TRAILER_LEN 13

struct flood {
	/* dgram's */
	uint32_t seed, peer_ip;
	uint16_t peer_port;
	volatile bool hello, done;
	uint32_t next_seq, accepted, bytes, gaps, pauses;
	uint32_t bad_crc, wrong_len, wrong, out_of_order, junk, read_errors;
	uint32_t host_sent, host_bytes;
	/* netrx's */
	uint32_t flood_frames, delivered, sock_dropped, stack_errors, other;
	uint32_t rx_errors, rx_pauses;
	/* the acker's */
	uint32_t acks, ack_errors, ack_arp_full;
};

/* Work between pauses, counted from the start of the run. */
struct pacer {
	kt_tick_t at;
	bool armed;
};

static struct soak_net_ctx ctx;
static struct flood fl;
static struct net_stack stack;
static struct net_udp_socket sock;
static struct net_udp_slot slots[SLOTS];
static struct net_frame_buf rx_frame;
static uint8_t dgram_buf[NET_UDP_PAYLOAD_MAX];
static uint8_t netrx_stack[STACK] STACK_ALIGN, dgram_stack[STACK] STACK_ALIGN;
static uint8_t acker_stack[ACKER_STACK] STACK_ALIGN;
static struct kt_event hello_seen;
static volatile bool quit;

/* Time to pause?  Only while the run is on; the first pause comes every
 * ticks after the start. */
static bool pause_due(struct pacer *p, kt_tick_t every)
{
	if (!*ctx.running || *ctx.stopping) {
		p->armed = false;
		return false;
	}
	if (!p->armed) {
		p->at = kt_now() + every;
		p->armed = true;
	}
	return !kt_tick_before(kt_now(), p->at);
}

static void rest(struct pacer *p, kt_tick_t every, kt_tick_t ticks)
{
	kt_sleep(ticks);
	p->at = kt_now() + every;
}

/* ---- netrx: the stack's receive task -------------------------------------- */

static bool is_flood(const uint8_t *f, size_t n)
{
	return n > NET_UDP_PAYLOAD_OFF && f[OFF_TYPE] == 0x08 &&
	       f[OFF_TYPE + 1] == 0x00 && f[OFF_VIHL] == 0x45 &&
	       f[OFF_PROTO] == NET_IPPROTO_UDP &&
	       ((unsigned)f[OFF_DPORT] << 8 | f[OFF_DPORT + 1]) == SOAK_NET_PORT &&
	       f[NET_UDP_PAYLOAD_OFF] == SOAK_MAGIC;
}

static int netrx_fn(void *arg)
{
	struct pacer pace = { 0 };

	(void)arg;
	while (!quit) {
		uint8_t *f = net_frame(&rx_frame);
		int n = board_eth_recv(f, NET_FRAME_MAX, WAIT);

		ctx.progress[SOAK_NETRX]++;
		if (n == -ECANCELED)
			return n;
		if (n < 0) {
			fl.rx_errors += n != -ETIMEDOUT;
		} else if (is_flood(f, (size_t)n)) {
			int err = net_input(&stack, f, (size_t)n);

			fl.flood_frames++;
			if (err == 0)
				fl.delivered++;
			else if (err == -ENOBUFS)
				fl.sock_dropped++;
			else
				fl.stack_errors++;
		} else {
			fl.other++;
			net_input(&stack, f, (size_t)n);
		}
		if (pause_due(&pace, RX_PAUSE_EVERY)) {
			rest(&pace, RX_PAUSE_EVERY, RX_PAUSE);
			fl.rx_pauses++;
		}
	}
	return 0;
}

/* ---- dgram: the socket's owner ---------------------------------------------- */

static void take_flood(const uint8_t *b, size_t n)
{
	uint32_t seq = soak_le32(b + 1);

	if (!fl.hello) {
		fl.junk++;
		return;
	}
	if (n != soak_net_len(seq, fl.seed)) {
		fl.wrong_len++;
		return;
	}
	if (!soak_net_matches(seq, fl.seed, b + 5, n - SOAK_NET_MIN)) {
		fl.wrong++;
		return;
	}
	if (seq < fl.next_seq) {
		fl.out_of_order++;
		return;
	}
	fl.gaps += seq != fl.next_seq;
	fl.next_seq = seq + 1;
	fl.accepted++;
	fl.bytes += (uint32_t)n;
}

static void take(const uint8_t *b, size_t n, uint32_t ip, uint16_t port)
{
	if (n < SOAK_NET_MIN || soak_crc32(b, n - 4) != soak_le32(b + n - 4)) {
		fl.bad_crc++;
		return;
	}
	switch (b[0]) {
	case SOAK_MAGIC:
		take_flood(b, n);
		break;
	case SOAK_NET_HELLO:
		if (!fl.hello && n == SOAK_NET_MIN) {
			fl.seed = soak_le32(b + 1) ^ SOAK_NET_SALT;
			fl.peer_ip = ip;
			fl.peer_port = port;
			fl.hello = true;
			kt_event_set(&hello_seen);
		}
		break; /* copies sent before the ack came: nothing new */
	case SOAK_TRAILER:
		if (n != TRAILER_LEN || !fl.hello) {
			fl.junk++;
			break;
		}
		fl.host_sent = soak_le32(b + 1);
		fl.host_bytes = soak_le32(b + 5);
		fl.gaps += fl.host_sent > fl.next_seq;
		fl.done = true;
		break;
	default:
		fl.junk++;
	}
}

static int dgram_fn(void *arg)
{
	struct pacer pace = { 0 };

	(void)arg;
	while (!fl.done) {
		uint32_t ip;
		uint16_t port;
		int n = net_udp_recv(&sock, dgram_buf, sizeof(dgram_buf), &ip,
				     &port, WAIT);

		ctx.progress[SOAK_DGRAM]++;
		if (n == -ECANCELED)
			return n;
		if (n < 0)
			fl.read_errors += n != -ETIMEDOUT;
		else
			take(dgram_buf, (size_t)n, ip, port);
		if (pause_due(&pace, DGRAM_PAUSE_EVERY)) {
			rest(&pace, DGRAM_PAUSE_EVERY, DGRAM_PAUSE);
			fl.pauses++;
		}
	}
	return 0;
}

/* ---- the acker ------------------------------------------------------------------ */

/* Frames that reached the driver: delivered into its ring or dropped. */
static uint32_t reached(void)
{
	struct board_eth_stats st;

	board_eth_stats(&st);
	return st.rx_frames + st.rx_dropped + st.rx_errors + st.rx_runt +
	       st.rx_oversize + st.rx_filtered;
}

static void ack(uint32_t flags, uint32_t frames)
{
	uint8_t a[SOAK_ACK_LEN];
	int err;

	a[0] = SOAK_NET_ACK;
	soak_put32(a + 1, flags);
	soak_put32(a + 5, frames);
	soak_put32(a + 9, fl.other);
	soak_put32(a + 13, fl.accepted);
	soak_put32(a + 17, fl.next_seq);
	soak_put32(a + 21, soak_crc32(a, 21));
	err = net_udp_sendto(&sock, fl.peer_ip, fl.peer_port, a, sizeof(a),
			     ACK_TIMEOUT);
	/*
	 * An ack is a hint: one lost only holds the runner back until the
	 * next.  Acks find the stack's queue for frames waiting for ARP full
	 * when the entry for the gateway expired (every 60 s) and the answer
	 * is slow to come (the ring may drop it); anything else is an error.
	 */
	fl.acks++;
	fl.ack_arp_full += err == -ENOBUFS;
	fl.ack_errors += err < 0 && err != -ENOBUFS;
}

static int acker_fn(void *arg)
{
	struct net_config cfg;
	uint32_t last = 0;
	kt_tick_t last_at = kt_now();
	int err;

	(void)arg;
	err = kt_event_wait(&hello_seen, KT_FOREVER);
	if (err != 0)
		return err;
	/*
	 * Forget the gateway's address (QEMU's ARP request for ours taught
	 * it), so that the first ack waits for ARP as the acks do when the
	 * entry expires, every 60 s: the acker's deepest path is then taken
	 * at the start, not first in the second half of a long run, where
	 * the stack marks must not grow (measured: 296 -> 432 bytes).
	 */
	net_get_config(&stack, &cfg);
	net_set_addr(&stack, cfg.ip, cfg.netmask, cfg.gateway);
	for (bool first = true;; first = false) {
		bool done = fl.done;
		uint32_t now = reached();

		if (first || done || now != last || kt_now() - last_at >= ACK_IDLE) {
			ack(SOAK_ACK_HELLO | (done ? SOAK_ACK_TRAILER : 0), now);
			last = now;
			last_at = kt_now();
		}
		ctx.progress[SOAK_ACKER]++;
		if (done)
			return 0;
		kt_sleep(ACK_EVERY);
	}
}

/* ---- start and end ------------------------------------------------------------- */

int soak_net_start(const struct soak_net_ctx *c)
{
	const struct net_if nif = { board_eth_send, board_eth_recv };
	struct net_config cfg = {
		.ip = NET_IP4(10, 0, 2, 15),
		.netmask = NET_IP4(255, 255, 255, 0),
		.gateway = NET_IP4(10, 0, 2, 2),
		.tick_hz = KT_TICK_HZ,
	};
	static const char *const names[SOAK_NET_TASKS] = { "netrx", "dgram", "acker" };
	static int (*const fns[SOAK_NET_TASKS])(void *) = { netrx_fn, dgram_fn,
							    acker_fn };
	static const unsigned prios[SOAK_NET_TASKS] = { 6, 4, 7 };
	uint8_t *const stacks[SOAK_NET_TASKS] = { netrx_stack, dgram_stack,
						  acker_stack };
	static const size_t sizes[SOAK_NET_TASKS] = { STACK, STACK, ACKER_STACK };
	int err;

	ctx = *c;
	kt_event_init(&hello_seen);
	err = board_eth_init();
	if (err != 0)
		return err;
	board_eth_mac(cfg.mac);
	err = net_init(&stack, &cfg, &nif);
	if (err == 0)
		err = net_udp_bind(&stack, &sock, SOAK_NET_PORT, slots, SLOTS);
	for (int i = 0; i < SOAK_NET_TASKS && err == 0; i++)
		err = kt_task_spawn(&ctx.tasks[i], names[i], fns[i], NULL,
				    stacks[i], sizes[i], prios[i]);
	return err;
}

/* The bytes of datagrams 0..n-1. */
static uint32_t bytes_of(uint32_t n)
{
	uint32_t sum = 0;

	for (uint32_t seq = 0; seq < n; seq++)
		sum += soak_net_len(seq, fl.seed);
	return sum;
}

/* Join t, or cancel it after wait ticks; its result. */
static int end_task(struct kt_task *t, kt_tick_t wait)
{
	int result = -1;

	if (kt_task_join(t, &result, wait) != 0) {
		kt_task_cancel(t);
		if (kt_task_join(t, &result, WAIT * 2) != 0)
			result = -1;
	}
	return result;
}

void soak_net_end(kt_tick_t wait)
{
	struct board_eth_stats st;
	static struct net_stats ns; /* static: the frame stays small */
	uint32_t lost, ring_lost;
	int32_t others_dropped;

	SC_CHECK_EQ(end_task(&ctx.tasks[SOAK_DGRAM], wait), 0);
	SC_CHECK_EQ(end_task(&ctx.tasks[SOAK_ACKER], WAIT), 0);
	quit = true;
	SC_CHECK_EQ(end_task(&ctx.tasks[SOAK_NETRX], WAIT * 2), 0);
	board_eth_stats(&st);
	net_get_stats(&stack, &ns);
	lost = fl.host_sent - fl.accepted;
	ring_lost = fl.host_sent - fl.flood_frames;
	others_dropped = (int32_t)(st.rx_dropped + st.rx_errors - ring_lost);

	/* Lines under BOARD_PRINTF_MAX; newlib-nano has no %lld. */
	board_printf("soak: net host sent %lu datagrams %lu bytes; accepted %lu "
		     "(%lu bytes), lost %lu in %lu gaps\n",
		     (unsigned long)fl.host_sent, (unsigned long)fl.host_bytes,
		     (unsigned long)fl.accepted, (unsigned long)fl.bytes,
		     (unsigned long)lost, (unsigned long)fl.gaps);
	board_printf("soak: net lost: %lu never left the driver's ring, %lu "
		     "dropped at the socket, %lu refused by the stack\n",
		     (unsigned long)ring_lost, (unsigned long)fl.sock_dropped,
		     (unsigned long)fl.stack_errors);
	board_printf("soak: net driver: %lu frames in, %lu dropped (ring full; "
		     "%ld of them not flood datagrams), %lu errors\n",
		     (unsigned long)st.rx_frames, (unsigned long)st.rx_dropped,
		     (long)others_dropped, (unsigned long)st.rx_errors);
	board_printf("soak: net netrx took %lu datagrams, %lu other frames, "
		     "paused %lu times; dgram paused %lu times; %lu acks, %lu "
		     "lost waiting for ARP\n",
		     (unsigned long)fl.flood_frames, (unsigned long)fl.other,
		     (unsigned long)fl.rx_pauses, (unsigned long)fl.pauses,
		     (unsigned long)fl.acks, (unsigned long)fl.ack_arp_full);
	SC_CHECK(fl.hello);
	SC_CHECK(fl.done);
	SC_CHECK(fl.accepted > 0);
	SC_CHECK_EQ(fl.host_bytes, bytes_of(fl.host_sent));
	/* Every datagram accepted was whole, right and in order. */
	SC_CHECK_EQ(fl.bad_crc, 0);
	SC_CHECK_EQ(fl.wrong_len, 0);
	SC_CHECK_EQ(fl.wrong, 0);
	SC_CHECK_EQ(fl.out_of_order, 0);
	SC_CHECK_EQ(fl.junk, 0);
	SC_CHECK(fl.accepted <= fl.host_sent);
	SC_CHECK(fl.next_seq <= fl.host_sent);
	SC_CHECK(fl.gaps <= lost);
	SC_CHECK(lost == 0 || fl.gaps > 0);
	/* Every datagram the stack delivered was read and accepted. */
	SC_CHECK_EQ(fl.delivered, fl.accepted);
	SC_CHECK_EQ(fl.stack_errors, 0);
	SC_CHECK(fl.sock_dropped <= sock.dropped);
	/* The rest were dropped where a counter saw them: at the driver. */
	SC_CHECK(fl.flood_frames <= fl.host_sent);
	SC_CHECK(others_dropped >= 0);
	SC_CHECK_EQ(st.rx_errors, 0);
	SC_CHECK_EQ(ns.rx_frames, fl.flood_frames + fl.other);
	SC_CHECK_EQ(fl.rx_errors, 0);
	SC_CHECK_EQ(fl.read_errors, 0);
	SC_CHECK_EQ(fl.ack_errors, 0);
}
