/*
 * lm3s6965evb: TI (Luminary) Stellaris LM3S6965, a Cortex-M3, as QEMU's
 * -M lm3s6965evb and as the EK-LM3S6965 board: 256 KiB flash, 64 KiB RAM.
 *
 * Clock: 12.5 MHz, the PLL (200 MHz from the 8 MHz crystal) divided by
 * 16.  That is also what QEMU models with the reset value of RCC and
 * computes from RCC once the PLL is selected, so hardware and emulator
 * agree.  The console is UART0, a PL011 (board/drivers/pl011.c) at
 * 0x4000C000 on line 5, its pins PA0/PA1.  SysTick counts the kernel's
 * ticks on the core clock (this core's SysTick has no reference clock)
 * and, extended by its interrupt, the cycles (board/common/systick.c):
 * QEMU's general-purpose timers cannot be read.  Timer 0 only paces
 * QEMU's virtual clock (icount_pacer_start).  Line 43 (the hibernation
 * module's, which is never enabled) is the soft interrupt; line 42 is
 * the Ethernet controller's, for a driver to claim as eth_handler.
 *
 * Every interrupt keeps the default priority, so handlers never preempt
 * each other; faults preempt them all.
 */
#include <stdio.h>

#include "board.h"
#include "common/board_common.h"
#include "common/cortex_m.h"
#include "drivers/pl011.h"

#define CPU_HZ 12500000u
#define CONSOLE_BAUD 115200u

#define UART0_BASE 0x4000c000u
#define UART0_IRQ 5u
#define SOFT_IRQ 43u

/* System control */
#define SYSCTL_RIS CM_REG(0x400fe050u)
#define SYSCTL_RCC CM_REG(0x400fe060u)
#define SYSCTL_RCGC1 CM_REG(0x400fe104u)
#define SYSCTL_RCGC2 CM_REG(0x400fe108u)
#define RIS_PLLLRIS (1u << 6)
#define RCC_XTAL_MASK (0xfu << 6)
#define RCC_XTAL_8MHZ (0xeu << 6)
#define RCC_OSCSRC_MASK (3u << 4) /* 0: the main oscillator */
#define RCC_BYPASS (1u << 11)
#define RCC_PWRDN (1u << 13)
#define RCC_USESYSDIV (1u << 22)
#define RCC_SYSDIV_MASK (0xfu << 23)
#define RCC_SYSDIV_16 (15u << 23) /* 200 MHz / 16 */
#define RCGC1_UART0 (1u << 0)
#define RCGC1_TIMER0 (1u << 16)
#define RCGC2_GPIOA (1u << 0)
#define PLL_LOCK_POLLS 100000u

/* GPIO port A: PA0/PA1 to UART0 */
#define GPIOA_AFSEL CM_REG(0x40004420u)
#define GPIOA_DEN CM_REG(0x4000451cu)

/* General-purpose timer 0 */
#define GPTM0_CFG CM_REG(0x40030000u)
#define GPTM0_TAMR CM_REG(0x40030004u)
#define GPTM0_CTL CM_REG(0x4003000cu)
#define GPTM0_IMR CM_REG(0x40030018u)
#define GPTM0_TAILR CM_REG(0x40030028u)
#define GPTM_CFG_32BIT 0u
#define GPTM_TAMR_PERIODIC 2u
#define GPTM_CTL_TAEN (1u << 0)

/* The exit code for a board that cannot even bring up its console. */
#define EXIT_BOARD_INIT 99

static uint8_t console_rx[512];
static uint8_t console_tx[1024];

/*
 * The system clock from the PLL, as the data sheet orders it: bypass the
 * PLL and drop the divider, select the crystal and power the PLL up, set
 * the divider, wait for lock, then take the PLL.  A PLL that does not
 * lock leaves the clock on the crystal, bypassed.
 */
static void clock_init(void)
{
	uint32_t rcc = SYSCTL_RCC;

	rcc = (rcc | RCC_BYPASS) & ~RCC_USESYSDIV;
	SYSCTL_RCC = rcc;
	rcc = (rcc & ~(RCC_XTAL_MASK | RCC_OSCSRC_MASK | RCC_PWRDN)) | RCC_XTAL_8MHZ;
	SYSCTL_RCC = rcc;
	rcc = (rcc & ~RCC_SYSDIV_MASK) | RCC_SYSDIV_16 | RCC_USESYSDIV;
	SYSCTL_RCC = rcc;
	for (uint32_t i = 0; i < PLL_LOCK_POLLS; i++) {
		if (SYSCTL_RIS & RIS_PLLLRIS) {
			SYSCTL_RCC = rcc & ~RCC_BYPASS;
			return;
		}
	}
}

/*
 * The QEMU workaround of the MPS2 boards (see board/mps2-an385/board.c):
 * a timer due at every tick keeps QEMU's -icount sleep=off from
 * overshooting each idle wake-up by a whole tick.  Timer 0, periodic at
 * the tick period, its interrupt masked.
 */
static void icount_pacer_start(void)
{
	GPTM0_CTL = 0;
	GPTM0_CFG = GPTM_CFG_32BIT;
	GPTM0_TAMR = GPTM_TAMR_PERIODIC;
	GPTM0_TAILR = CPU_HZ / KT_TICK_HZ - 1u;
	GPTM0_IMR = 0;
	GPTM0_CTL = GPTM_CTL_TAEN;
}

void board_init(void)
{
	const struct pl011_config cfg = {
		.base = UART0_BASE,
		.uartclk_hz = CPU_HZ,
		.baud = CONSOLE_BAUD,
		.irq = UART0_IRQ,
		.rx_buf = console_rx,
		.rx_size = sizeof(console_rx),
		.tx_buf = console_tx,
		.tx_size = sizeof(console_tx),
	};

	clock_init();
	SYSCTL_RCGC1 |= RCGC1_UART0 | RCGC1_TIMER0;
	SYSCTL_RCGC2 |= RCGC2_GPIOA;
	GPIOA_AFSEL |= 3u;
	GPIOA_DEN |= 3u;

	if (pl011_init(&board_console_uart, &cfg) != 0)
		board_exit(EXIT_BOARD_INIT);
	nvic_enable(SOFT_IRQ);
	systick_start(CPU_HZ / KT_TICK_HZ);
	icount_pacer_start();

	/* Unbuffered: printf output reaches the UART when printf returns. */
	setvbuf(stdout, NULL, _IONBF, 0);
}

/* ---- interrupt vectors ------------------------------------------------------ */

static void uart0_handler(void)
{
	uint32_t prev = board_irq_trace_enter();

	pl011_isr(&board_console_uart);
	board_irq_trace_exit(prev);
}

BOARD_WEAK_IRQ_HANDLER(eth_handler)

#define F board_fault_handler

/* clang-format off */
BOARD_IRQ_VECTORS(48) = {
	F, F, F, F, F,             /* 0-4: GPIO A-E */
	uart0_handler,             /* 5: UART0 */
	F, F, F, F,                /* 6: UART1, 7: SSI0, 8: I2C0, 9: PWM fault */
	F, F, F, F,                /* 10-12: PWM, 13: QEI0 */
	F, F, F, F, F,             /* 14-17: ADC, 18: watchdog */
	F, F, F, F, F, F,          /* 19-24: timers 0A-2B (polled) */
	F, F, F, F, F,             /* 25-27: comparators, 28: system control, 29: flash */
	F, F, F, F, F, F, F, F,    /* 30-37 */
	F, F, F, F,                /* 38-41 */
	eth_handler,               /* 42: Ethernet */
	board_soft_irq_isr,        /* 43: hibernation, never enabled: the soft interrupt */
	F, F, F, F,                /* 44-47 */
};
/* clang-format on */

/* ---- the rest of the board API ---------------------------------------------- */

uint32_t board_cycles(void)
{
	return systick_cycles();
}

uint32_t board_cycles_hz(void)
{
	return CPU_HZ;
}

void board_soft_irq_pend(void)
{
	nvic_pend(SOFT_IRQ);
}
