/*
 * What board/common/ gives the board directories: the pieces every board
 * has in the same form, so a board's own files only state its addresses,
 * interrupt lines and clocks.  Not for applications (they use board.h).
 *
 * - startup.c: the core vector table, the reset handler, the fault entry.
 *   The board supplies the rest of the table, its interrupt lines, with
 *   BOARD_IRQ_VECTORS; the linker script puts it right after.
 * - board_api.c: board.h's console calls over board_console_uart, which
 *   the board's init hands to its UART driver; board_exit; the soft
 *   interrupt's handler.
 * - systick.c: the kernel tick from SysTick, and a cycle counter made of
 *   SysTick and a software count of its wraps, for boards without a
 *   free-running timer.
 */
#ifndef BOARD_COMMON_H
#define BOARD_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "common/cortex_m.h"
#include "drivers/uart.h"

typedef void (*board_vector)(void);

/*
 * The board's interrupt vectors, lines 0..n-1, in a table that follows the
 * 16 core vectors: BOARD_IRQ_VECTORS(32) = { handler, ... };  A line with
 * no device of the board's goes to board_fault_handler, which reports it
 * as an unexpected interrupt and exits with 116 + the line.
 */
#define BOARD_IRQ_VECTORS(n) \
	__attribute__((section(".vectors.irq"), \
		       used)) static const board_vector board_irq_vectors[n]

/*
 * The MPU's board regions (mpu.c, ARMv7-M): the code read-only and the
 * NULL guard.  board_mpu_init once at start-up, after the port's guards;
 * board_mpu_pause from a fault handler, so the report may read anything;
 * board_null_access: addr lies in the NULL guard, and the guard is on
 * (false without an MPU).
 */
void board_mpu_init(void);
void board_mpu_pause(void);
bool board_null_access(uintptr_t addr);

/* The entry of every unexpected exception: reports and exits (fault.c). */
void board_fault_handler(void);

/*
 * Define name as a weak interrupt handler that reports an unexpected
 * interrupt, for a vector whose real handler lives in a file that only
 * some images link (the Ethernet driver's).  It branches on with LR
 * intact: the report needs EXC_RETURN.
 */
#define BOARD_WEAK_IRQ_HANDLER(name) \
	__attribute__((weak, naked)) void name(void) \
	{ \
		__asm volatile("ldr	r0, =board_fault_handler\n\t" \
			       "bx	r0\n\t" \
			       ".ltorg"); \
	}

/* The console; the board's init hands it to the UART driver. */
extern struct uart board_console_uart;

/*
 * Every interrupt handler brackets its work with these two, for the
 * schedule trace (kernel/trace.h, built with KT_TRACE=1):
 *
 *	uint32_t prev = board_irq_trace_enter();
 *	... the device's work ...
 *	board_irq_trace_exit(prev);
 *
 * so the trace shows the interrupt, and work it posts (an event set, a
 * queue put) names it as the waker of the task that work readies.  The
 * interrupt is named by its exception number as the core reports it
 * (IPSR: SysTick 15, line n 16 + n): one number space for SysTick and the
 * lines, no table to keep, and the same code in handlers that several
 * boards share (the soft interrupt's).  tools/trace2view.py maps numbers
 * to handler names from the image's vector table.  With KT_TRACE 0 both
 * are empty and the handler compiles to what it was without them.
 */
static inline uint32_t board_irq_trace_enter(void)
{
	return KT_TRACE ? kt_trace_irq_enter(cm_ipsr() & 0x1ffu) : 0;
}

static inline void board_irq_trace_exit(uint32_t prev)
{
	if (KT_TRACE)
		kt_trace_irq_exit(cm_ipsr() & 0x1ffu, prev);
}

/* The soft interrupt's handler: the board's vector for its line calls it. */
void board_soft_irq_isr(void);

/*
 * Start SysTick on the core clock (CSR = 7: some cores have no reference
 * clock, and selecting a missing one stops SysTick) as the kernel's tick,
 * cycles_per_tick core clocks long, periodic or tickless (systick.c).  Its
 * interrupt counts every cycle for systick_cycles(), also while
 * board_tick_enable(false) keeps the ticks from the kernel.
 */
void systick_start(uint32_t cycles_per_tick);

/* Core clocks since systick_start(): SysTick and its reloads.  any. */
uint32_t systick_cycles(void);

/*
 * The kernel's tick from a free-running counter and an alarm (ticker.c),
 * for boards that have both.  The board provides the two hooks, each
 * called with interrupts masked or from the alarm's handler:
 *
 * - ticker_now(): the counter, 32 bits counting up and wrapping, never
 *   written once the tick has started;
 * - ticker_alarm(at): interrupt when the counter reaches at (a value at
 *   most 2^31 counts ahead, or one already passed: interrupt soon).  It
 *   replaces the alarm set before.  Late by the alarm's resolution is
 *   fine, and so is early, which costs an interrupt.  An alarm that can
 *   go on by itself fires again every per_tick counts after at.
 *
 * ticker_start() starts the tick, per_tick counts long, and returns the
 * counter value of the end of the first tick (the tick's phase, for a
 * board that keeps another timer in step with it); a sleep lasts at most
 * max_ticks (what the alarm can span); repeats says the alarm goes on by
 * itself, so the periodic tick leaves it alone.  The alarm's handler
 * clears the alarm and calls ticker_isr().  ticker_idle() is the board's
 * port_idle_ticks() (a board may cap max first).  board_tick_enable() is
 * ticker.c's.
 */
uint32_t ticker_now(void);
void ticker_alarm(uint32_t at);
uint32_t ticker_start(uint32_t per_tick, kt_tick_t max_ticks, bool repeats);
void ticker_isr(void);
void ticker_idle(kt_tick_t max);

#endif
