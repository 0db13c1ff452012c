/*
 * The MPS2 boards under QEMU: mps2-an385 (Cortex-M3), and mps2-an386
 * (M4F) and mps2-an500 (M7), which carry the same peripherals at the same
 * addresses and build this file too (their board.mk).  All run at 25 MHz.
 *
 * The console is UART0, a CMSDK APB UART (board/drivers/cmsdk_uart.c) on
 * interrupts 0 (RX) and 1 (TX), with the overrun interrupts of UARTs 0-2
 * ORed onto line 12.  The kernel's tick, periodic or tickless, comes
 * from board/common/ticker.c over the CMSDK dual timer (line 10): its
 * timer 1 free-runs at the CPU clock and is the tick's clock, its timer 2
 * is the alarm, 32 bits of cycles (a tickless sleep of up to 85 s in one
 * interrupt) that reloads itself from BGLOAD once it has fired, so the
 * periodic tick needs no write at all.  SysTick is not used.  CMSDK
 * TIMER0 free-runs from 0xffffffff down at the CPU clock and
 * board_cycles() returns its complement, which counts up: a second clock,
 * independent of the tick's, that tests check the tick against.  TIMER1
 * only paces QEMU's virtual clock (icount_pacer_start).
 * Interrupt line 31 has no device on these boards: it is the soft
 * interrupt.  Line 13 is the LAN9118 Ethernet, whose handler eth.c
 * provides in the images that link it.
 *
 * Every interrupt keeps the default priority (0), so handlers never
 * preempt each other; faults preempt them all.
 */
#include <stdio.h>

#include "board.h"
#include "common/board_common.h"
#include "common/cortex_m.h"
#include "drivers/cmsdk_uart.h"

#define CPU_HZ 25000000u
#define CONSOLE_BAUD 115200u

#define UART0_BASE 0x40004000u
#define UART0_RX_IRQ 0u
#define UART0_TX_IRQ 1u
#define UART_OVERFLOW_IRQ 12u
#define SOFT_IRQ 31u

#define TIMER0_CTRL CM_REG(0x40000000u)
#define TIMER0_VALUE CM_REG(0x40000004u)
#define TIMER0_RELOAD CM_REG(0x40000008u)
#define TIMER1_CTRL CM_REG(0x40001000u)
#define TIMER1_VALUE CM_REG(0x40001004u)
#define TIMER1_RELOAD CM_REG(0x40001008u)
#define TIMER_CTRL_EN (1u << 0)

/*
 * Dual timer: timer 1 32-bit free-running, no interrupt (the tick's
 * clock); timer 2 32-bit periodic with its interrupt (the alarm).  Their
 * period is LOAD + 1 cycles; a write to LOAD restarts the count, one to
 * BGLOAD only sets the period after the current one.
 */
#define DUALTIMER_IRQ 10u
#define DUALTIMER1_LOAD CM_REG(0x40002000u)
#define DUALTIMER1_VALUE CM_REG(0x40002004u)
#define DUALTIMER1_CONTROL CM_REG(0x40002008u)
#define DUALTIMER2_LOAD CM_REG(0x40002020u)
#define DUALTIMER2_CONTROL CM_REG(0x40002028u)
#define DUALTIMER2_INTCLR CM_REG(0x4000202cu)
#define DUALTIMER2_BGLOAD CM_REG(0x40002038u)
#define DUALTIMER_SIZE_32 (1u << 1)
#define DUALTIMER_INTEN (1u << 5)
#define DUALTIMER_PERIODIC (1u << 6)
#define DUALTIMER_ENABLE (1u << 7)

#define TICK_CYCLES (CPU_HZ / KT_TICK_HZ)
/* How long after each tick's end the pacer is due (see icount_pacer_start). */
#define PACER_LAG 125u

/* The exit code for a board that cannot even bring up its console. */
#define EXIT_BOARD_INIT 99

/* RX: ~50 ms of input at the ~10 KB/s QEMU delivers.  TX: a few lines. */
static uint8_t console_rx[512];
static uint8_t console_tx[1024];

/*
 * A QEMU workaround, harmless elsewhere.  Under -icount sleep=off, QEMU
 * 7.2 advances virtual time, when a timer wakes the CPU from WFI, on to
 * the next timer due before the CPU runs: a SysTick at the tick period
 * woke it after two periods each time (measured: exactly 2x on every idle
 * tick, with SysTick and with a CMSDK timer alike, at any -icount shift),
 * and the tickless alarm would wake it at whatever timer came next.  So
 * TIMER1, its interrupt off, is due PACER_LAG cycles after the end of
 * every tick, in step with the tick's clock: every alarm (set a few
 * cycles late by the time it takes to write it) is followed at once by
 * it, and the CPU wakes 5 us after the tick's end, always the same.  It
 * costs nothing but a timer this board has no other use for.
 */
static void icount_pacer_start(uint32_t first_tick_end)
{
	TIMER1_CTRL = 0;
	TIMER1_RELOAD = TICK_CYCLES - 1u; /* sets VALUE too */
	TIMER1_VALUE = first_tick_end + PACER_LAG - ticker_now();
	TIMER1_CTRL = TIMER_CTRL_EN; /* no interrupt: it only has to be due */
}

/* ---- the tick: ticker.c's clock and alarm -------------------------------- */

uint32_t ticker_now(void)
{
	return ~DUALTIMER1_VALUE;
}

#define ALARM_CONTROL (DUALTIMER_SIZE_32 | DUALTIMER_PERIODIC | \
		       DUALTIMER_INTEN | DUALTIMER_ENABLE)

/*
 * Timer 2 fires at at, then every tick after it by itself.  An at that
 * has passed, or is a cycle away, gets the interrupt now and the timer
 * from the next tick on (LOAD 0 would stop it).  QEMU 7.2 turns the timer
 * one-shot on a write to LOAD (it restarts it as if it had expired): the
 * same CONTROL written again makes it periodic, and changes nothing on
 * the hardware.
 */
void ticker_alarm(uint32_t at)
{
	uint32_t d = at - ticker_now();

	if ((int32_t)d <= 1) {
		nvic_pend(DUALTIMER_IRQ);
		d += ((uint32_t)(1 - (int32_t)d) / TICK_CYCLES + 1u) * TICK_CYCLES;
	}
	DUALTIMER2_LOAD = d - 1u;
	DUALTIMER2_CONTROL = ALARM_CONTROL;
	DUALTIMER2_BGLOAD = TICK_CYCLES - 1u;
}

void port_idle_ticks(kt_tick_t max)
{
	ticker_idle(max);
}

static void tick_start(void)
{
	DUALTIMER1_CONTROL = DUALTIMER_SIZE_32;
	DUALTIMER1_LOAD = 0xffffffffu; /* free-running: sets the count */
	DUALTIMER1_CONTROL = DUALTIMER_SIZE_32 | DUALTIMER_ENABLE;
	DUALTIMER2_CONTROL = DUALTIMER_SIZE_32 | DUALTIMER_PERIODIC;
	DUALTIMER2_LOAD = TICK_CYCLES - 1u;
	DUALTIMER2_CONTROL = ALARM_CONTROL;
	icount_pacer_start(ticker_start(TICK_CYCLES, 0xffffffffu, true));
	nvic_unpend(DUALTIMER_IRQ);
	nvic_enable(DUALTIMER_IRQ);
}

void board_init(void)
{
	const struct cmsdk_uart_config cfg = {
		.base = UART0_BASE,
		.pclk_hz = CPU_HZ,
		.baud = CONSOLE_BAUD,
		.rx_irq = UART0_RX_IRQ,
		.tx_irq = UART0_TX_IRQ,
		.rx_buf = console_rx,
		.rx_size = sizeof(console_rx),
		.tx_buf = console_tx,
		.tx_size = sizeof(console_tx),
	};

	TIMER0_CTRL = 0;
	TIMER0_RELOAD = 0xffffffffu;
	TIMER0_VALUE = 0xffffffffu;
	TIMER0_CTRL = TIMER_CTRL_EN;

	if (cmsdk_uart_init(&board_console_uart, &cfg) != 0)
		board_exit(EXIT_BOARD_INIT);
	nvic_enable(UART_OVERFLOW_IRQ);
	nvic_enable(SOFT_IRQ);

	tick_start();

	/* Unbuffered: printf output reaches the UART when printf returns. */
	setvbuf(stdout, NULL, _IONBF, 0);
}

/* ---- interrupt vectors ------------------------------------------------------ */

static void dualtimer_handler(void)
{
	uint32_t prev = board_irq_trace_enter();

	DUALTIMER2_INTCLR = 1;
	ticker_isr();
	board_irq_trace_exit(prev);
}

static void uart0_rx_handler(void)
{
	uint32_t prev = board_irq_trace_enter();

	cmsdk_uart_rx_isr(&board_console_uart);
	board_irq_trace_exit(prev);
}

static void uart0_tx_handler(void)
{
	uint32_t prev = board_irq_trace_enter();

	cmsdk_uart_tx_isr(&board_console_uart);
	board_irq_trace_exit(prev);
}

static void uart_overflow_handler(void)
{
	uint32_t prev = board_irq_trace_enter();

	/* Lines of UARTs 1 and 2 too, but only UART0 enables its overrun irq. */
	cmsdk_uart_overflow_isr(&board_console_uart);
	board_irq_trace_exit(prev);
}

BOARD_WEAK_IRQ_HANDLER(eth_handler)

#define F board_fault_handler

BOARD_IRQ_VECTORS(32) = {
	uart0_rx_handler,          /* 0: UART0 RX */
	uart0_tx_handler,          /* 1: UART0 TX */
	F, F, F, F, F, F,          /* 2-5: UART1/2, 6-7: free */
	F, F,                      /* 8-9: TIMER0/1 (polled) */
	dualtimer_handler,         /* 10: dual timer: the tick */
	F,                         /* 11: SPI */
	uart_overflow_handler,     /* 12: UART 0-2 overrun */
	eth_handler, F, F,         /* 13: Ethernet (LAN9118), 14-15 free */
	F, F, F, F, F, F, F, F,    /* 16-23 */
	F, F, F, F, F, F, F,       /* 24-30 */
	board_soft_irq_isr,        /* 31: no device: the soft interrupt */
};

/* ---- the rest of the board API ---------------------------------------------- */

uint32_t board_cycles(void)
{
	return ~TIMER0_VALUE;
}

uint32_t board_cycles_hz(void)
{
	return CPU_HZ;
}

void board_soft_irq_pend(void)
{
	nvic_pend(SOFT_IRQ);
}
