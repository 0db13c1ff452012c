/*
 * The Cortex-M core peripherals the boards touch: NVIC, SysTick, SCB.
 *
 * These sit at the same addresses on every Cortex-M (the System Control
 * Space at 0xE000E000), so every board and driver shares this header
 * instead of a vendor CMSIS.  Plain volatile accesses; each helper is a
 * single store or load, callable from any context.
 */
#ifndef BOARD_CORTEX_M_H
#define BOARD_CORTEX_M_H

#include <stdint.h>

#define CM_REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* SysTick */
#define SYST_CSR CM_REG(0xe000e010u)
#define SYST_RVR CM_REG(0xe000e014u)
#define SYST_CVR CM_REG(0xe000e018u)
#define SYST_CSR_ENABLE (1u << 0)
#define SYST_CSR_TICKINT (1u << 1)
#define SYST_CSR_CORECLK (1u << 2) /* the core clock, not the reference */
#define SYST_MAX 0x1000000u        /* 24 bits: RVR + 1 at most */

/* SCB */
/* interrupt lines: 32 x (1 + low 4 bits) */
#define SCS_ICTR CM_REG(0xe000e004u)
#define SCB_ICSR CM_REG(0xe000ed04u)
#define SCB_VTOR CM_REG(0xe000ed08u)
#define SCB_CCR CM_REG(0xe000ed14u)
#define SCB_SHPR3 CM_REG(0xe000ed20u) /* SysTick, PendSV priorities */
#define SCB_SHCSR CM_REG(0xe000ed24u)
#define SCB_CFSR CM_REG(0xe000ed28u)
#define SCB_HFSR CM_REG(0xe000ed2cu)
#define SCB_MMFAR CM_REG(0xe000ed34u)
#define SCB_BFAR CM_REG(0xe000ed38u)
#define SCB_ICSR_PENDSTSET (1u << 26) /* SysTick pending */
#define SCB_ICSR_PENDSTCLR (1u << 25) /* write 1: SysTick no longer pending */
/* the pending exception, masked or not */
#define SCB_ICSR_VECTPENDING (0x1ffu << 12)
#define SCB_CCR_DIV_0_TRP (1u << 4)
#define SCB_SHCSR_FAULTS_ENA (7u << 16) /* MemManage, BusFault, UsageFault */

/* MPU (ARMv7-M's PMSAv7; absent when MPU_TYPE's DREGION reads 0) */
#define MPU_TYPE CM_REG(0xe000ed90u)
#define MPU_CTRL CM_REG(0xe000ed94u)
#define MPU_RNR CM_REG(0xe000ed98u)
#define MPU_RBAR CM_REG(0xe000ed9cu)
#define MPU_RASR CM_REG(0xe000eda0u)
#define MPU_CTRL_ENABLE (1u << 0)
#define MPU_CTRL_PRIVDEFENA (1u << 2) /* the default map under the regions */
#define MPU_RBAR_VALID (1u << 4)      /* the low bits select the region */

/* FPU (Cortex-M4F, M7) */
#define FPU_CPACR CM_REG(0xe000ed88u)
#define FPU_FPCCR CM_REG(0xe000ef34u)
#define FPU_FPCCR_LSPEN (1u << 30) /* lazy: reserve room, save on use */
#define FPU_FPCCR_ASPEN (1u << 31) /* FP instructions set CONTROL.FPCA */

/* NVIC: one bit per external interrupt line in each bank of 32. */
#define NVIC_ISER(n) CM_REG(0xe000e100u + 4u * (n))
#define NVIC_ICER(n) CM_REG(0xe000e180u + 4u * (n))
#define NVIC_ISPR(n) CM_REG(0xe000e200u + 4u * (n))
#define NVIC_ICPR(n) CM_REG(0xe000e280u + 4u * (n))
#define NVIC_IPR(n) CM_REG(0xe000e400u + 4u * (n)) /* 4 lines a word */

static inline void nvic_enable(unsigned irq)
{
	NVIC_ISER(irq / 32) = 1u << (irq % 32);
}

static inline void nvic_disable(unsigned irq)
{
	NVIC_ICER(irq / 32) = 1u << (irq % 32);
	__asm volatile("dsb\n\tisb" ::: "memory");
}

static inline void nvic_pend(unsigned irq)
{
	NVIC_ISPR(irq / 32) = 1u << (irq % 32);
}

static inline void nvic_unpend(unsigned irq)
{
	NVIC_ICPR(irq / 32) = 1u << (irq % 32);
}

/* The active exception number: 0 in thread mode, 16 + n in IRQ n. */
static inline uint32_t cm_ipsr(void)
{
	uint32_t ipsr;

	__asm volatile("mrs %0, ipsr" : "=r"(ipsr));
	return ipsr;
}

#endif
