/*
 * Start-up for every board: the core half of the vector table, the reset
 * handler and the entry of the fault report.  The board's half of the
 * table, its interrupt lines, comes from BOARD_IRQ_VECTORS in its board.c
 * and the linker script places it right after this one.
 *
 * Reset runs on the interrupt stack (MSP, the table's first word).  On a
 * core with an FPU it first grants access to it (CPACR): the compiler may
 * use FP registers anywhere once that is allowed, and any FP instruction
 * before it faults.  It then copies .data from its load image, zeroes
 * .bss, and points PSP at the main stack and sets CONTROL.SPSEL, so that
 * from here on thread mode - main(), the scheduler and every task - runs
 * on PSP and exceptions on MSP.  The Cortex-M port relies on this: a task
 * switch is a plain change of SP in thread mode, and an interrupt pushes
 * only its frame on the interrupted task's stack, never its own calls.
 * Then kt_init(0) (the kernel idle before the tick starts), board_init(),
 * main(), and board_exit() with main's return value.
 *
 * Every core exception the board does not claim goes to
 * board_fault_handler, which reports and exits with 100 + the exception
 * number, or stops a task whose stack overflowed (fault.c).  The handlers
 * are weak aliases so that board code, or a port that wants SVC or
 * PendSV, can claim them by defining the name.
 *
 * The stacks' guards (kernel/port/cortex-m/guard.c) are set up here,
 * before main: the interrupt stack's and the main stack's; a task's when
 * it is spawned.  Then, on ARMv7-M, the MPU's board regions (mpu.c): the
 * NULL guard and the code memory, vector table included, read-only.  On ARMv7-M every interrupt line, SysTick and PendSV get
 * a priority below the faults', so that a fault in a handler - the
 * interrupt stack hitting its guard - is taken as itself at once instead
 * of escalating to HardFault, whose entry would then push onto the
 * guarded stack again; handlers still never preempt each other.
 */
#include <stdint.h>

#include "board.h"
#include "common/board_common.h"
#include "common/cortex_m.h"
#include "guard.h"

extern void kt_init(kt_tick_t start) __attribute__((weak));

extern uint32_t __isr_stack_top[], __main_stack_top[];
extern uint32_t __isr_stack_bottom[], __main_stack_bottom[];
extern uint32_t __data_start[], __data_end[], __data_load[];
extern uint32_t __bss_start__[], __bss_end__[];

int main(void);
void __libc_init_array(void);
void board_fault_report(const uint32_t *frame, uint32_t exc_return, uint32_t msp)
	__attribute__((noreturn));

/*
 * The fault report's own stack: the interrupt stack may be the one that
 * overflowed, and the frames on it are what the report reads.
 */
__attribute__((used, aligned(8))) static uint32_t fault_stack[128];

/*
 * The entry: pick the stack the frame is on from EXC_RETURN bit 2, pass
 * EXC_RETURN and MSP along, move MSP to the fault stack and go on in C.
 * Naked, so that nothing touches the stacks first; Thumb-1 only, so that
 * ARMv6-M runs it too.
 */
__attribute__((naked)) void board_fault_handler(void)
{
	__asm volatile("mov	r1, lr\n\t"
		       "mrs	r2, msp\n\t"
		       "mov	r0, r2\n\t"
		       "movs	r3, #4\n\t"
		       "tst	r1, r3\n\t"
		       "beq	1f\n\t"
		       "mrs	r0, psp\n"
		       "1:\tldr	r3, =fault_stack + 512\n\t"
		       "msr	msp, r3\n\t"
		       "ldr	r3, =board_fault_report\n\t"
		       "bx	r3\n\t"
		       ".ltorg\n\t");
}

#define WEAK_FAULT __attribute__((weak, alias("board_fault_handler")))

void nmi_handler(void) WEAK_FAULT;
void hardfault_handler(void) WEAK_FAULT;
void memmanage_handler(void) WEAK_FAULT;
void busfault_handler(void) WEAK_FAULT;
void usagefault_handler(void) WEAK_FAULT;
void svc_handler(void) WEAK_FAULT;
void debugmon_handler(void) WEAK_FAULT;
void pendsv_handler(void) WEAK_FAULT;
void systick_handler(void) WEAK_FAULT;
void reset_handler(void);

#define F board_fault_handler

__attribute__((section(".vectors"),
	       used)) static const board_vector core_vectors[16] = {
	(board_vector)(uintptr_t)__isr_stack_top,
	reset_handler,
	nmi_handler,
	hardfault_handler,
	memmanage_handler, /* ARMv7-M only, like the next two */
	busfault_handler,
	usagefault_handler,
	F,
	F,
	F,
	F, /* reserved */
	svc_handler,
	debugmon_handler,
	F, /* reserved */
	pendsv_handler,
	systick_handler,
};

/* C, on MSP, before .data and .bss exist: touches only linker symbols. */
__attribute__((used)) static void startup_memory(void)
{
	uint32_t *src = __data_load;

	for (uint32_t *dst = __data_start; dst < __data_end;)
		*dst++ = *src++;
	for (uint32_t *dst = __bss_start__; dst < __bss_end__;)
		*dst++ = 0;
#if __ARM_ARCH >= 7
	/* ARMv6-M has no VTOR to set (the table stays at 0) nor these. */
	SCB_VTOR = (uint32_t)(uintptr_t)core_vectors;
	/*
	 * Faults on their own vectors, so the exit code names them (104-106,
	 * not all 103), and a division by zero faults instead of giving 0.
	 */
	SCB_SHCSR |= SCB_SHCSR_FAULTS_ENA;
	SCB_CCR |= SCB_CCR_DIV_0_TRP;
	/* Below the faults' 0: the top bit alone exists on every core. */
	for (uint32_t i = 0; i <= (SCS_ICTR & 0xfu) * 8u + 7u; i++)
		NVIC_IPR(i) = 0x80808080u;
	SCB_SHPR3 = 0x80800000u; /* SysTick, PendSV */
#endif
	port_guard_init(__isr_stack_bottom, __isr_stack_top, __main_stack_bottom);
#if __ARM_ARCH >= 7
	board_mpu_init(); /* after the guards: it adds regions above theirs */
#endif
#if defined(__ARM_FP)
	/*
	 * Lazy FP stacking, as after reset, set here so nothing earlier can
	 * have changed it: an exception reserves room for the FP registers
	 * only when the interrupted context used the FPU (CONTROL.FPCA), and
	 * fills it only if the handler uses the FPU too.
	 */
	FPU_FPCCR |= FPU_FPCCR_ASPEN | FPU_FPCCR_LSPEN;
#endif
}

/* C, on PSP: the rest of the life of thread mode. */
__attribute__((used, noreturn)) static void startup_main(void)
{
	__libc_init_array();
	/*
	 * The kernel's idle state before board_init() starts the tick: a tick
	 * before main() calls kt_init() then counts into it instead of
	 * finding no running context.  Weak: an image without the kernel.
	 */
	if (kt_init != NULL)
		kt_init(0);
	board_init();
	board_exit(main());
}

/* Naked: SP changes under it, so no C frame may live across. */
__attribute__((naked, noreturn)) void reset_handler(void)
{
	__asm volatile(
#if defined(__ARM_FP)
		/* CPACR: full access to CP10 and CP11, the FPU. */
		"ldr	r0, =0xe000ed88\n\t"
		"ldr	r1, [r0]\n\t"
		"orr	r1, r1, #(0xf << 20)\n\t"
		"str	r1, [r0]\n\t"
		"dsb\n\t"
		"isb\n\t"
#endif
		"bl	startup_memory\n\t"
		"ldr	r0, =__main_stack_top\n\t"
		"msr	psp, r0\n\t"
		"movs	r0, #2\n\t" /* CONTROL.SPSEL: thread mode uses PSP */
		"msr	control, r0\n\t"
		"isb\n\t"
		"bl	startup_main\n\t"
		".ltorg\n\t");
}
