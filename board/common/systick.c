/*
 * The kernel tick from SysTick, and a cycle counter built on it, for the
 * boards whose tick is SysTick (all but the micro:bit, whose nRF51 has
 * none).
 *
 * SysTick counts the core clock down from period - 1 to 0 and reloads; at
 * each wrap its interrupt calls kt_tick_isr() and adds one period to
 * wrap_cycles, the core clocks up to the last reload.  So
 * systick_cycles() = wrap_cycles + (period - 1 - current value): a 32-bit
 * free-running count of core clocks for boards with no free-running timer
 * QEMU models (lm3s6965evb, netduinoplus2).  It wraps every 2^32 clocks,
 * as board_cycles() may.  A read that races a wrap sees SysTick's pending
 * bit (ICSR.PENDSTSET) with the handler not yet run: it then counts the
 * wrap itself and rereads the counter, now past the reload.  The read
 * masks interrupts for those few instructions so that the handler cannot
 * run between the two halves.
 *
 * board_tick_enable(false) stops the tick interrupt (TICKINT), so that it
 * stays out of measurements, unless the board counts cycles with SysTick:
 * then the interrupt keeps counting wraps, or the cycle counter would
 * lose them while the tick is off (the benchmark measures with the tick
 * off), and only its calls to kt_tick_isr() stop.  The counter keeps
 * running either way, so the tick keeps its phase.
 */
#include "board.h"
#include "common/board_common.h"
#include "common/cortex_m.h"
#include "port.h"

static uint32_t period;
static bool counting;
static volatile uint32_t wrap_cycles;
static volatile bool tick_on = true;

void systick_start(uint32_t cycles_per_tick, bool count_cycles)
{
	period = cycles_per_tick;
	counting = count_cycles;
	wrap_cycles = 0;
	SYST_CSR = 0;
	SYST_RVR = cycles_per_tick - 1u;
	SYST_CVR = 0; /* any write: reload now, from RVR */
	SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CORECLK;
}

void systick_handler(void)
{
	uint32_t prev;

	/*
	 * The wrap first: the trace's clock may be systick_cycles(), which in
	 * here, with the wrap no longer pending, would read a period behind.
	 */
	wrap_cycles += period;
	prev = board_irq_trace_enter();
	if (tick_on)
		kt_tick_isr();
	board_irq_trace_exit(prev);
}

void board_tick_enable(bool on)
{
	if (counting)
		tick_on = on;
	else if (on)
		SYST_CSR |= SYST_CSR_TICKINT;
	else
		SYST_CSR &= ~SYST_CSR_TICKINT;
}

uint32_t systick_cycles(void)
{
	uint32_t s = port_irq_save();
	uint32_t base = wrap_cycles, value = SYST_CVR;

	if (SCB_ICSR & SCB_ICSR_PENDSTSET) {
		/* Wrapped, handler pending: count it, read past the reload. */
		base += period;
		value = SYST_CVR;
	}
	port_irq_restore(s);
	return base + (period - 1u - value);
}
