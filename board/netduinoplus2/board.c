/*
 * netduinoplus2: the Netduino Plus 2, an STMicro STM32F405RG - a
 * Cortex-M4F at 168 MHz, 1 MiB of flash at 0x08000000 (seen at 0 too),
 * 128 KiB of SRAM - as QEMU's -M netduinoplus2 and as the real board,
 * flashed through an SWD probe (OpenOCD's stm32f4x target).
 *
 * Clock: QEMU models no RCC (its registers read 0) and runs the core at
 * 168 MHz whatever is written; the real chip starts on its 16 MHz RC
 * oscillator.  clock_init() brings the real chip to the same 168 MHz
 * (the board's 25 MHz crystal through the PLL, APB1 at 42 MHz, APB2 at
 * 84 MHz), and finds out from RCC->CR that there is no RCC when the
 * oscillator-ready bit of the HSI, set on any real chip, reads 0.  The
 * console is USART1 (board/drivers/stm32_usart.c) at 0x40011000 on line
 * 37, on PA9 (TX) and PA10 (RX): QEMU connects its first -serial to it.
 * SysTick counts the kernel's ticks and, extended by its interrupt, the
 * cycles (board/common/systick.c): QEMU's timers do not count the CPU
 * clock.  TIM2 only paces QEMU's virtual clock (icount_pacer_start).
 * Line 80 (the RNG's, never enabled) is the soft interrupt.
 *
 * Every interrupt keeps the default priority, so handlers never preempt
 * each other; faults preempt them all.
 */
#include <stdio.h>

#include "board.h"
#include "common/board_common.h"
#include "common/cortex_m.h"
#include "drivers/stm32_usart.h"

#define CPU_HZ 168000000u
#define PCLK2_HZ 84000000u
#define CONSOLE_BAUD 115200u

#define USART1_BASE 0x40011000u
#define USART1_IRQ 37u
#define SOFT_IRQ 80u

/* RCC */
#define RCC_CR CM_REG(0x40023800u)
#define RCC_PLLCFGR CM_REG(0x40023804u)
#define RCC_CFGR CM_REG(0x40023808u)
#define RCC_AHB1ENR CM_REG(0x40023830u)
#define RCC_APB1ENR CM_REG(0x40023840u)
#define RCC_APB2ENR CM_REG(0x40023844u)
#define CR_HSIRDY (1u << 1)
#define CR_HSEON (1u << 16)
#define CR_HSERDY (1u << 17)
#define CR_PLLON (1u << 24)
#define CR_PLLRDY (1u << 25)
/* PLL: 25 MHz / M 25 x N 336 / P 2 = 168 MHz; / Q 7 = 48 MHz for USB */
#define PLLCFGR_168MHZ (25u | 336u << 6 | 0u << 16 | 1u << 22 | 7u << 24)
#define CFGR_SW_PLL 2u
#define CFGR_SWS_MASK (3u << 2)
#define CFGR_SWS_PLL (2u << 2)
#define CFGR_PPRE1_DIV4 (5u << 10)
#define CFGR_PPRE2_DIV2 (4u << 13)
#define AHB1ENR_GPIOA (1u << 0)
#define APB1ENR_TIM2 (1u << 0)
#define APB2ENR_USART1 (1u << 4)
#define READY_POLLS 1000000u

/* Flash: 5 wait states at 168 MHz and 3.3 V, caches and prefetch on */
#define FLASH_ACR CM_REG(0x40023c00u)
#define ACR_168MHZ (5u | 1u << 8 | 1u << 9 | 1u << 10)

/* GPIO A: PA9, PA10 to alternate function 7, USART1 */
#define GPIOA_MODER CM_REG(0x40020000u)
#define GPIOA_AFRH CM_REG(0x40020024u)

/* TIM2 */
#define TIM2_CR1 CM_REG(0x40000000u)
#define TIM2_DIER CM_REG(0x4000000cu)
#define TIM2_EGR CM_REG(0x40000014u)
#define TIM2_PSC CM_REG(0x40000028u)
#define TIM2_ARR CM_REG(0x4000002cu)
#define TIM_CR1_CEN (1u << 0)
#define TIM_DIER_UIE (1u << 0)
#define TIM_EGR_UG (1u << 0)
#define QEMU_TIM_HZ 1000000000u

/* The exit code for a board that cannot even bring up its console. */
#define EXIT_BOARD_INIT 99

static uint8_t console_rx[512];
static uint8_t console_tx[1024];

static bool wait_ready(volatile uint32_t *reg, uint32_t mask, uint32_t want)
{
	for (uint32_t i = 0; i < READY_POLLS; i++) {
		if ((*reg & mask) == want)
			return true;
	}
	return false;
}

/*
 * 168 MHz from the crystal through the PLL, as the reference manual
 * orders it: crystal on, PLL set up and on, flash wait states raised,
 * bus dividers set, then the switch.  On a chip whose crystal does not
 * start, the core stays on its RC oscillator.
 */
static void clock_init(void)
{
	if (!(RCC_CR & CR_HSIRDY))
		return; /* no RCC here: QEMU, already at 168 MHz */
	RCC_CR |= CR_HSEON;
	if (!wait_ready(&RCC_CR, CR_HSERDY, CR_HSERDY))
		return;
	RCC_PLLCFGR = PLLCFGR_168MHZ;
	RCC_CR |= CR_PLLON;
	if (!wait_ready(&RCC_CR, CR_PLLRDY, CR_PLLRDY))
		return;
	FLASH_ACR = ACR_168MHZ;
	RCC_CFGR = CFGR_PPRE1_DIV4 | CFGR_PPRE2_DIV2 | CFGR_SW_PLL;
	wait_ready(&RCC_CFGR, CFGR_SWS_MASK, CFGR_SWS_PLL);
}

/*
 * The QEMU workaround of the MPS2 boards (see board/mps2-an385/board.c):
 * a timer due at every tick keeps QEMU's -icount sleep=off from
 * overshooting each idle wake-up by a whole tick (measured here too:
 * without it, 2004 SysTick expiries for 1000 idle ticks; with it, 1002).
 * TIM2 with a period of 1 ms in QEMU 7.2's model, which clocks its
 * timers at 1 GHz through the prescaler and re-arms a timer only while
 * its update interrupt is enabled (UIE).  The interrupt stays off in the
 * NVIC, so only the pending bit of line 28 ever sees it.  On the real
 * chip the period comes out at about 12 ms, and does nothing.
 */
static void icount_pacer_start(void)
{
	TIM2_CR1 = 0;
	TIM2_PSC = QEMU_TIM_HZ / 1000000u - 1u; /* 1 MHz */
	TIM2_ARR = 1000000u / KT_TICK_HZ - 1u;
	TIM2_DIER = TIM_DIER_UIE;
	TIM2_CR1 = TIM_CR1_CEN;
	TIM2_EGR = TIM_EGR_UG; /* start counting from here */
}

void board_init(void)
{
	const struct stm32_usart_config cfg = {
		.base = USART1_BASE,
		.pclk_hz = PCLK2_HZ,
		.baud = CONSOLE_BAUD,
		.irq = USART1_IRQ,
		.rx_buf = console_rx,
		.rx_size = sizeof(console_rx),
		.tx_buf = console_tx,
		.tx_size = sizeof(console_tx),
	};

	clock_init();
	RCC_AHB1ENR |= AHB1ENR_GPIOA;
	RCC_APB1ENR |= APB1ENR_TIM2;
	RCC_APB2ENR |= APB2ENR_USART1;
	GPIOA_AFRH = (GPIOA_AFRH & ~(0xffu << 4)) | 7u << 4 | 7u << 8;
	GPIOA_MODER = (GPIOA_MODER & ~(0xfu << 18)) | 2u << 18 | 2u << 20;

	if (stm32_usart_init(&board_console_uart, &cfg) != 0)
		board_exit(EXIT_BOARD_INIT);
	nvic_enable(SOFT_IRQ);
	systick_start(CPU_HZ / KT_TICK_HZ);
	icount_pacer_start();

	/* Unbuffered: printf output reaches the UART when printf returns. */
	setvbuf(stdout, NULL, _IONBF, 0);
}

/* ---- interrupt vectors ------------------------------------------------------ */

static void usart1_handler(void)
{
	uint32_t prev = board_irq_trace_enter();

	stm32_usart_isr(&board_console_uart);
	board_irq_trace_exit(prev);
}

#define F board_fault_handler

/* clang-format off */
BOARD_IRQ_VECTORS(82) = {
	F, F, F, F, F, F, F, F,    /* 0-7: WWDG, PVD, TAMP, RTC, FLASH, RCC, EXTI0-1 */
	F, F, F, F, F, F, F, F,    /* 8-15: EXTI2-4, DMA1 0-4 */
	F, F, F, F, F, F, F, F,    /* 16-23: DMA1 5-6, ADC, CAN1, EXTI9_5 */
	F, F, F, F, F, F, F, F,    /* 24-31: TIM1, 28: TIM2 (the pacer: off), TIM3-4, I2C1 */
	F, F, F, F, F,             /* 32-36: I2C2, SPI1-2 */
	usart1_handler,            /* 37: USART1 */
	F, F,                      /* 38-39: USART2-3 */
	F, F, F, F, F, F, F, F,    /* 40-47: EXTI15_10, RTC alarm, OTG, TIM8, DMA1 7 */
	F, F, F, F, F, F, F, F,    /* 48-55: FSMC, SDIO, TIM5, SPI3, UART4-5, TIM6-7 */
	F, F, F, F, F, F, F, F,    /* 56-63: DMA2 0-4, (ETH), CAN2 */
	F, F, F, F, F, F, F, F,    /* 64-71: OTG_FS, DMA2 5-7, USART6, I2C3 */
	F, F, F, F, F, F, F, F,    /* 72-79: OTG_HS, DCMI, CRYP */
	board_soft_irq_isr,        /* 80: HASH_RNG, never enabled: the soft interrupt */
	F,                         /* 81: FPU */
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
