/*
 * The MPS2 boards under QEMU: mps2-an385 (Cortex-M3), and mps2-an386
 * (M4F) and mps2-an500 (M7), which carry the same peripherals at the same
 * addresses and build this file too (their board.mk).  All run at 25 MHz.
 *
 * The console is UART0, a CMSDK APB UART (board/drivers/cmsdk_uart.c) on
 * interrupts 0 (RX) and 1 (TX), with the overrun interrupts of UARTs 0-2
 * ORed onto line 12.  SysTick counts the kernel's ticks on the core clock
 * (board/common/systick.c).  CMSDK TIMER0 free-runs from 0xffffffff down
 * at the CPU clock and board_cycles() returns its complement, which counts
 * up; TIMER1 only paces QEMU's virtual clock (icount_pacer_start).
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

/* The exit code for a board that cannot even bring up its console. */
#define EXIT_BOARD_INIT 99

/* RX: ~50 ms of input at the ~10 KB/s QEMU delivers.  TX: a few lines. */
static uint8_t console_rx[512];
static uint8_t console_tx[1024];

/*
 * A QEMU workaround, harmless elsewhere.  Under -icount sleep=off, QEMU
 * 7.2 advances virtual time past the tick when the CPU wakes from WFI
 * unless some timer is due no later than the next tick: each idle wake
 * then costs two tick periods of virtual time and the second SysTick is
 * merged into the first, still pending, so the kernel counts one tick
 * where 50,000 cycles passed (measured: exactly 2x on every idle tick,
 * with SysTick and with a CMSDK timer alike, at any -icount shift).
 * TIMER1 running at the tick period, started with SysTick and with its
 * interrupt off, restores exactly 25,000 cycles per tick: board_cycles()
 * and kt_now() then agree.  It costs nothing but a timer this board has
 * no other use for.
 */
static void icount_pacer_start(void)
{
	TIMER1_CTRL = 0;
	TIMER1_RELOAD = CPU_HZ / KT_TICK_HZ - 1u;
	TIMER1_VALUE = CPU_HZ / KT_TICK_HZ - 1u;
	TIMER1_CTRL = TIMER_CTRL_EN; /* no interrupt: it only has to be due */
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

	systick_start(CPU_HZ / KT_TICK_HZ); /* board_cycles(): TIMER0 */
	icount_pacer_start();

	/* Unbuffered: printf output reaches the UART when printf returns. */
	setvbuf(stdout, NULL, _IONBF, 0);
}

/* ---- interrupt vectors ------------------------------------------------------ */

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

/* clang-format off */
BOARD_IRQ_VECTORS(32) = {
	uart0_rx_handler,          /* 0: UART0 RX */
	uart0_tx_handler,          /* 1: UART0 TX */
	F, F, F, F, F, F,          /* 2-5: UART1/2, 6-7: free */
	F, F, F, F,                /* 8-9: TIMER0/1 (polled), 10: dual timer, 11: SPI */
	uart_overflow_handler,     /* 12: UART 0-2 overrun */
	eth_handler, F, F,         /* 13: Ethernet (LAN9118), 14-15 free */
	F, F, F, F, F, F, F, F,    /* 16-23 */
	F, F, F, F, F, F, F,       /* 24-30 */
	board_soft_irq_isr,        /* 31: no device: the soft interrupt */
};
/* clang-format on */

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
