/*
 * The interrupt-driven console UART end to end, driven by tests/qemu/run.py
 * over a TCP socket (the protocol is described there too):
 *
 *   firmware -> "uart_echo: ready\n"
 *   runner   -> header: payload length, seed, burst length (little-endian
 *               u32 each)
 *   1. echo: the runner sends the payload paced at ~8 KB/s and every byte
 *      comes back verbatim; then the runner sends "Q"
 *   2. burst: firmware -> "uart_echo: burst\n"; the runner sends the burst
 *      at full speed and the firmware reads none of it until all of it
 *      has arrived, so the RX ring overflows
 *   firmware -> its report and summary, and exits
 *
 * 1: the echo task reads whatever has arrived (board_uart_read blocks
 * until at least one byte) and writes it back, while a second task keeps
 * sleeping and waking at the same priority, so the echo shares the CPU.
 * The payload holds every byte value, so binary data, including 0x00,
 * 0xff and control characters, must pass untouched.  Nothing is printed
 * between the banner and "Q": the echo stream must be pure.  Checks:
 * every byte matched the generator the runner uses too, every write took
 * all it was given, and the driver's counters show no byte dropped (RX
 * ring full) or overrun (UART) at this rate.
 * 2: what the RX ring kept is exactly the start of the burst (buffered
 * bytes are never overwritten) and every other byte was counted dropped.
 *
 * The transmit side under back-pressure is sc_uart_flood's: behind a full
 * socket QEMU stalls as a whole rather than the UART (measured: 5 MB
 * written to a paused socket reader never made the writer wait), while
 * behind a full pipe the UART itself stalls.
 */
#include <stdio.h>

#include "echo_proto.h"
#include "scenario.h"

#define STACK 2048
#define CHUNK 64

static struct kt_task echo_task, background_task;
static uint8_t echo_stack[STACK], background_stack[STACK];
static volatile uint32_t background_wakes;
static volatile bool echo_done;

/* Exactly len bytes, however they arrive; the error of a failed read. */
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

/* 2: let the burst arrive unread, then take what the RX ring kept. */
static void burst_phase(uint32_t burst, uint32_t rx_before)
{
	struct board_uart_stats st;
	uint8_t b;
	uint32_t kept = 0, wrong = 0;

	printf(ECHO_BURST);
	do {
		kt_sleep(1);
		board_uart_stats(&st);
	} while (st.rx_bytes - rx_before < burst);
	while (board_uart_read(&b, 1, KT_NOWAIT) == 1)
		wrong += b != burst_byte(kept++);
	board_uart_stats(&st);
	printf("uart_echo: burst of %lu: kept %lu, dropped %lu\n",
	       (unsigned long)burst, (unsigned long)kept,
	       (unsigned long)st.rx_dropped);
	SC_CHECK(kept > 0 && kept < burst);
	SC_CHECK_EQ(wrong, 0); /* the oldest bytes, in order */
	SC_CHECK_EQ(st.rx_dropped, burst - kept);
	SC_CHECK_EQ(st.rx_overrun, 0);
}

static int echo(void *arg)
{
	uint8_t hdr[ECHO_HEADER], buf[CHUNK], quit = 0;
	struct board_uart_stats st;
	struct gen g = { 0, 0 };
	uint32_t count, burst, got = 0, mismatches = 0;
	uint32_t short_writes = 0, reads = 0;
	int err = 0;
	(void)arg;

	printf(ECHO_READY);
	err = read_exact(hdr, sizeof(hdr));
	count = le32(hdr);
	g.x = le32(hdr + 4);
	burst = le32(hdr + 8);
	while (err == 0 && got < count) {
		uint32_t want = count - got < CHUNK ? count - got : CHUNK;
		int n = board_uart_read(buf, want, KT_FOREVER);

		if (n <= 0) {
			err = n;
			break;
		}
		reads++;
		for (int i = 0; i < n; i++)
			mismatches += buf[i] != gen_next(&g);
		if (board_uart_write(buf, (size_t)n, KT_FOREVER) != n)
			short_writes++;
		got += (uint32_t)n;
	}
	if (err == 0)
		err = read_exact(&quit, 1);

	/* The echo is over: printing is allowed again. */
	board_uart_stats(&st);
	printf("\nuart_echo: %lu bytes in %lu reads; rx %lu tx %lu dropped %lu "
	       "overrun %lu; background woke %lu times; at tick %lu\n",
	       (unsigned long)got, (unsigned long)reads,
	       (unsigned long)st.rx_bytes, (unsigned long)st.tx_bytes,
	       (unsigned long)st.rx_dropped, (unsigned long)st.rx_overrun,
	       (unsigned long)background_wakes, (unsigned long)kt_now());
	SC_CHECK_EQ(err, 0);
	SC_CHECK(count >= 256);
	SC_CHECK_EQ(got, count);
	SC_CHECK_EQ(mismatches, 0);
	SC_CHECK_EQ(short_writes, 0);
	SC_CHECK_EQ(quit, 'Q');
	SC_CHECK_EQ(st.rx_dropped, 0);
	SC_CHECK_EQ(st.rx_overrun, 0);
	SC_CHECK_EQ(st.rx_bytes, sizeof(hdr) + count + 1);
	SC_CHECK(st.tx_bytes >= count + 17); /* the banner, and the echo */
	SC_CHECK(background_wakes > 0);
	/* Nothing buffered now: a poll and a short wait time out. */
	SC_CHECK_EQ(board_uart_read(buf, sizeof(buf), KT_NOWAIT), -ETIMEDOUT);
	SC_CHECK_EQ(board_uart_read(buf, sizeof(buf), 3), -ETIMEDOUT);
	SC_CHECK_EQ(board_uart_read(NULL, 1, 3), -EINVAL);
	SC_CHECK_EQ(board_uart_read(buf, 0, 3), -EINVAL);
	SC_CHECK_EQ(board_uart_write(NULL, 1, 3), -EINVAL);

	if (err == 0 && burst != 0)
		burst_phase(burst, st.rx_bytes);
	echo_done = true;
	sc_finish();
}

/* Something else to run while the echo waits for input. */
static int background(void *arg)
{
	(void)arg;
	while (!echo_done) {
		kt_sleep(1);
		background_wakes++;
	}
	return 0;
}

int main(void)
{
	kt_init(0);
	sc_begin("uart_echo");
	/* Before kt_run nothing may block: an empty console reads -EAGAIN. */
	{
		uint8_t b;

		SC_CHECK_EQ(board_uart_read(&b, 1, KT_FOREVER), -EAGAIN);
	}
	SC_CHECK_EQ(kt_task_spawn(&echo_task, "echo", echo, NULL, echo_stack,
				  STACK, 5),
		    0);
	SC_CHECK_EQ(kt_task_spawn(&background_task, "background", background,
				  NULL, background_stack, STACK, 5),
		    0);
	kt_run();
}
