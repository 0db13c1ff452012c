/*
 * The board API: what applications, scenarios and the demo may use of
 * the board they run on.  Portable: every board implements all of it, with
 * no board-specific type in sight.
 *
 * Start-up order: the board's reset code sets up memory and stacks (thread
 * mode on the main stack, PSP; handlers on the interrupt stack, MSP), then
 * calls board_init() and main(), and board_exit(main's return value).
 *
 * The console UART is interrupt driven.  From a task, reads block until
 * input arrives and writes block while the transmit buffer is full.  From
 * anywhere else (before kt_run(), a scheduler callback, an interrupt or
 * fault handler) nothing blocks: writes are polled straight to the UART
 * and reads return what is buffered.
 */
#ifndef BOARD_H
#define BOARD_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kettle.h"

/* Ticks per second: the board programs its tick interrupt to this rate. */
#ifndef KT_TICK_HZ
#define KT_TICK_HZ 1000u
#endif

/*
 * Clocks, SysTick at KT_TICK_HZ, the console UART, interrupt enables.
 * Called once, by the reset code, before main().  stdout is unbuffered.
 */
void board_init(void);

/*
 * Stop (false) or restart (true) the tick interrupt, e.g. to keep it out
 * of a measurement.  The tick counter does not advance while it is off.
 * any.
 */
void board_tick_enable(bool on);

/*
 * Read 1..len bytes of console input.  task: waits up to timeout ticks for
 * the first byte, then returns what is buffered (at most len).  Returns the
 * count; -ETIMEDOUT; -EINVAL for a NULL buf or len 0; or the error of the
 * wait (-ECANCELED when the task is cancelled).  Outside a task it never
 * blocks: the count, or -EAGAIN when nothing is buffered (-EPERM in an
 * interrupt handler: the receive buffer has one consumer, thread mode).
 */
int board_uart_read(void *buf, size_t len, kt_tick_t timeout);

/*
 * Write len bytes to the console.  task: queues them, waiting up to
 * timeout ticks (in all) for room while the transmit buffer is full.
 * Returns len, or on timeout the partial count, or -ETIMEDOUT if nothing
 * went out; -EINVAL for a NULL buf or len 0.  Outside a task it writes
 * polled and returns len: in thread mode after what tasks queued, in an
 * interrupt or fault handler straight out, ahead of it.
 */
int board_uart_write(const void *buf, size_t len, kt_tick_t timeout);

/*
 * Hand every console byte received to hook, in the RX interrupt, instead
 * of buffering it for board_uart_read (NULL: buffer again).  For drivers
 * and tests that feed their own structure from the interrupt, such as a
 * kt_queue through kt_queue_put_isr.  rx_bytes still counts the bytes;
 * what the hook drops is its own to count.  any.
 */
void board_uart_set_rx_hook(void (*hook)(uint8_t byte));

/*
 * printf for tasks that share the console: formats into a buffer on the
 * caller's stack (BOARD_PRINTF_MAX bytes; longer output is cut) and writes
 * it whole under the console mutex, so lines from different tasks never
 * interleave, even when a writer blocks on a full transmit buffer.  Plain
 * printf/puts take the same mutex for each piece newlib hands over, so
 * their pieces never land inside a board_printf.  Returns the bytes
 * written, or a negative error (-ECANCELED when the task is cancelled
 * while waiting for the console).  Outside a task it writes polled.
 */
#define BOARD_PRINTF_MAX 160
int board_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* board_printf's formatting alone, for other sinks (the demo's shell
 * sessions): into buf, cut to BOARD_PRINTF_MAX - 1 bytes.  The length,
 * or -EINVAL for a bad format. */
int board_vformat(char buf[BOARD_PRINTF_MAX], const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/*
 * Write len bytes whole under the console mutex (as board_printf does).
 * Returns len, the part written, or a negative error.
 */
int board_console_write(const void *buf, size_t len);

/* The console mutex itself, for output that must stay together. */
extern struct kt_mutex board_console_mutex;

struct board_uart_stats {
	uint32_t rx_bytes;   /* taken from the UART, rx_dropped included */
	uint32_t tx_bytes;   /* handed to the UART */
	uint32_t rx_dropped; /* lost: the receive buffer was full */
	uint32_t rx_overrun; /* lost in hardware: overrun interrupts */
};

/* A snapshot of the console counters.  any. */
void board_uart_stats(struct board_uart_stats *s);

/*
 * Flush the console and stop the machine with exit status code (under QEMU
 * through semihosting).  Codes outside 0..255 read as 255, so a count of
 * 256 failures never looks like success.  any.
 */
void board_exit(int code) __attribute__((noreturn));

/*
 * A free-running 32-bit count of CPU clocks, up-counting and wrapping, for
 * measurements: subtract two readings as uint32_t.  any.
 */
uint32_t board_cycles(void);

/* The rate of board_cycles(), in Hz (the CPU clock). */
uint32_t board_cycles_hz(void);

/*
 * A spare interrupt line for tests and benchmarks: set the function its
 * handler calls (NULL: none), then pend it from anywhere to "simulate" a
 * device interrupt.  The handler runs as a real interrupt, on the
 * interrupt stack, as soon as interrupts are unmasked.
 */
void board_soft_irq_set(void (*handler)(void));
void board_soft_irq_pend(void);

#endif
