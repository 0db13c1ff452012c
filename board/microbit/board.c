/*
 * microbit: the BBC micro:bit (v1), a Nordic nRF51822 - a Cortex-M0
 * (ARMv6-M) at 16 MHz with 256 KiB of flash and 16 KiB of RAM - as QEMU's
 * -M microbit and as the real board, flashed through its on-board
 * CMSIS-DAP interface.
 *
 * The nRF51's Cortex-M0 has no SysTick, so TIMER0 (line 8) keeps the
 * time: it free-runs in 32-bit mode at 16 MHz, the CPU clock, and so is
 * board_cycles() itself (read through a capture register), and the
 * clock of the kernel's tick, periodic or tickless (board/common/
 * ticker.c), whose alarm is compare register 0: every 16,000 counts
 * while the kernel is busy, where its sleep ends while it is idle (up to
 * 134 s ahead, half the counter's range).  If the counter passes a
 * compare value before it is written, the alarm pends the interrupt
 * itself, since the compare would then only match after the counter
 * wraps (268 s).  The console is the
 * UART (board/drivers/nrf51_uart.c) at 0x40002000 on line 2, on the edge
 * connector's pins P0.24 (TX) and P0.25 (RX), which the board's interface
 * chip bridges to USB.  SWI0 (line 20), a software interrupt by design,
 * is the soft interrupt.
 */
#include <stdio.h>

#include "board.h"
#include "common/board_common.h"
#include "common/cortex_m.h"
#include "drivers/nrf51_uart.h"
#include "port.h"

#define CPU_HZ 16000000u
#define TICK_COUNTS (CPU_HZ / KT_TICK_HZ)

#define UART_BASE 0x40002000u
#define UART_IRQ 2u
#define UART_TX_PIN 24u
#define UART_RX_PIN 25u
#define TIMER0_IRQ 8u
#define SOFT_IRQ 20u

/* CLOCK: the crystal oscillator, for an accurate UART and timer */
#define CLOCK_TASKS_HFCLKSTART CM_REG(0x40000000u)
#define CLOCK_EVENTS_HFCLKSTARTED CM_REG(0x40000100u)
#define HFCLK_POLLS 100000u

/* TIMER0 */
#define TIMER0_TASKS_START CM_REG(0x40008000u)
#define TIMER0_TASKS_STOP CM_REG(0x40008004u)
#define TIMER0_TASKS_CLEAR CM_REG(0x4000800cu)
#define TIMER0_TASKS_CAPTURE(n) CM_REG(0x40008040u + 4u * (n))
#define TIMER0_EVENTS_COMPARE(n) CM_REG(0x40008140u + 4u * (n))
#define TIMER0_INTENSET CM_REG(0x40008304u)
#define TIMER0_MODE CM_REG(0x40008504u)
#define TIMER0_BITMODE CM_REG(0x40008508u)
#define TIMER0_PRESCALER CM_REG(0x40008510u)
#define TIMER0_CC(n) CM_REG(0x40008540u + 4u * (n))
#define TIMER_MODE_TIMER 0u
#define TIMER_BITMODE_32 3u
#define TIMER_INT_COMPARE0 (1u << 16)
#define CC_TICK 0u   /* the tick's alarm */
#define CC_CYCLES 1u /* board_cycles() captures here */
#define CC_NOW 2u    /* the tick captures here */

/* The exit code for a board that cannot even bring up its console. */
#define EXIT_BOARD_INIT 99

/* 16 KiB of RAM in all: smaller rings than the other boards. */
static uint8_t console_rx[256];
static uint8_t console_tx[256];

static void tick_start(void)
{
	TIMER0_TASKS_STOP = 1;
	TIMER0_MODE = TIMER_MODE_TIMER;
	TIMER0_BITMODE = TIMER_BITMODE_32;
	TIMER0_PRESCALER = 0; /* 16 MHz */
	TIMER0_TASKS_CLEAR = 1;
	TIMER0_TASKS_START = 1;
	/* The compare does not repeat; the counter's range caps a sleep. */
	ticker_start(TICK_COUNTS, 0xffffffffu, false);
	/* Only now: the compare register held 0, matched at the start. */
	TIMER0_EVENTS_COMPARE(CC_TICK) = 0;
	TIMER0_INTENSET = TIMER_INT_COMPARE0;
	nvic_unpend(TIMER0_IRQ);
	nvic_enable(TIMER0_IRQ);
}

void board_init(void)
{
	const struct nrf51_uart_config cfg = {
		.base = UART_BASE,
		.baudrate = NRF51_UART_BAUD_115200,
		.tx_pin = UART_TX_PIN,
		.rx_pin = UART_RX_PIN,
		.irq = UART_IRQ,
		.rx_buf = console_rx,
		.rx_size = sizeof(console_rx),
		.tx_buf = console_tx,
		.tx_size = sizeof(console_tx),
	};

	/* Without the crystal the RC oscillator may be too far off for 115200. */
	CLOCK_EVENTS_HFCLKSTARTED = 0;
	CLOCK_TASKS_HFCLKSTART = 1;
	for (uint32_t i = 0; i < HFCLK_POLLS && !CLOCK_EVENTS_HFCLKSTARTED; i++)
		;

	if (nrf51_uart_init(&board_console_uart, &cfg) != 0)
		board_exit(EXIT_BOARD_INIT);
	nvic_enable(SOFT_IRQ);
	tick_start();

	/* Unbuffered: printf output reaches the UART when printf returns. */
	setvbuf(stdout, NULL, _IONBF, 0);
}

/* ---- interrupt vectors ------------------------------------------------------ */

static void uart_handler(void)
{
	uint32_t prev = board_irq_trace_enter();

	nrf51_uart_isr(&board_console_uart);
	board_irq_trace_exit(prev);
}

static uint32_t capture(unsigned cc)
{
	TIMER0_TASKS_CAPTURE(cc) = 1;
	return TIMER0_CC(cc);
}

/* ---- the tick: ticker.c's clock and alarm -------------------------------- */

uint32_t ticker_now(void)
{
	return capture(CC_NOW);
}

void ticker_alarm(uint32_t at)
{
	TIMER0_CC(CC_TICK) = at;
	/* Passed before the write: no compare until the wrap, so come back. */
	if ((int32_t)(capture(CC_NOW) - at) >= 0)
		nvic_pend(TIMER0_IRQ);
}

/*
 * A QEMU lapse (see nrf51_uart.c): while a byte is in flight, the tick's
 * handler may have to finish it, so idle sleeps one tick at a time then.
 */
void port_idle_ticks(kt_tick_t max)
{
	ticker_idle(board_console_uart.tx_busy && max > 1u ? 1u : max);
}

static void timer0_handler(void)
{
	uint32_t prev = board_irq_trace_enter();

	TIMER0_EVENTS_COMPARE(CC_TICK) = 0;
	ticker_isr();
	nrf51_uart_poll_isr(&board_console_uart); /* a QEMU lapse: see there */
	board_irq_trace_exit(prev);
}

#define F board_fault_handler

/* clang-format off */
BOARD_IRQ_VECTORS(32) = {
	F, F,                      /* 0: POWER_CLOCK, 1: RADIO */
	uart_handler,              /* 2: UART0 */
	F, F, F, F, F,             /* 3-4: SPI/TWI, 5: free, 6: GPIOTE, 7: ADC */
	timer0_handler,            /* 8: TIMER0: the tick */
	F, F, F, F, F, F, F,       /* 9-10: TIMER1-2, 11: RTC0, 12-15: TEMP, RNG, ECB, CCM */
	F, F, F, F,                /* 16: WDT, 17: RTC1, 18: QDEC, 19: LPCOMP */
	board_soft_irq_isr,        /* 20: SWI0: the soft interrupt */
	F, F, F, F, F,             /* 21-25: SWI1-5 */
	F, F, F, F, F, F,          /* 26-31 */
};
/* clang-format on */

/* ---- the rest of the board API ---------------------------------------------- */

uint32_t board_cycles(void)
{
	uint32_t s = port_irq_save(); /* the handler captures too */
	uint32_t c = capture(CC_CYCLES);

	port_irq_restore(s);
	return c;
}

uint32_t board_cycles_hz(void)
{
	return CPU_HZ;
}

void board_soft_irq_pend(void)
{
	nvic_pend(SOFT_IRQ);
}
