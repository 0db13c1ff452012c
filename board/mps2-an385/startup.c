/*
 * mps2-an385 start-up: the vector table and the reset handler.
 *
 * Reset runs on the interrupt stack (MSP, the table's first word).  It
 * copies .data from its load image, zeroes .bss, then points PSP at the
 * main stack and sets CONTROL.SPSEL, so that from here on thread mode -
 * main(), the scheduler and every task - runs on PSP and exceptions on
 * MSP.  The Cortex-M port relies on this: a task switch is a plain change
 * of SP in thread mode, and an interrupt pushes only its 8-word frame on
 * the interrupted task's stack, never its own calls.  Then board_init(),
 * main(), and board_exit() with main's return value.
 *
 * Every vector the board does not use goes to board_fault_handler, which
 * reports and exits with 100 + the exception number.  The handlers are
 * weak aliases so that board.c, or a port that wants SVC or PendSV, can
 * claim them by defining the name.
 */
#include <stdint.h>

#include "board.h"
#include "common/cortex_m.h"

extern uint32_t __isr_stack_top[], __main_stack_top[];
extern uint32_t __data_start[], __data_end[], __data_load[];
extern uint32_t __bss_start__[], __bss_end__[];

int main(void);
void __libc_init_array(void);
void board_fault_handler(void);

/* Branch, not call: the fault handler reads LR (EXC_RETURN) as it was. */
__attribute__((naked)) static void default_handler(void)
{
	__asm volatile("b	board_fault_handler");
}

#define WEAK_DEFAULT __attribute__((weak, alias("default_handler")))

void nmi_handler(void) WEAK_DEFAULT;
void hardfault_handler(void) WEAK_DEFAULT;
void memmanage_handler(void) WEAK_DEFAULT;
void busfault_handler(void) WEAK_DEFAULT;
void usagefault_handler(void) WEAK_DEFAULT;
void svc_handler(void) WEAK_DEFAULT;
void debugmon_handler(void) WEAK_DEFAULT;
void pendsv_handler(void) WEAK_DEFAULT;
void uart0_rx_handler(void) WEAK_DEFAULT;
void uart0_tx_handler(void) WEAK_DEFAULT;
void uart_overflow_handler(void) WEAK_DEFAULT;
void soft_irq_handler_entry(void) WEAK_DEFAULT;
void eth_handler(void) WEAK_DEFAULT;
void reset_handler(void);

static void systick_handler(void)
{
	kt_tick_isr();
}

typedef void (*vector_fn)(void);

#define IRQ_COUNT 32 /* QEMU's an385 NVIC */
#define D default_handler

__attribute__((section(".vectors"), used))
static const vector_fn vectors[16 + IRQ_COUNT] = {
	(vector_fn)(uintptr_t)__isr_stack_top,
	reset_handler,
	nmi_handler,
	hardfault_handler,
	memmanage_handler,
	busfault_handler,
	usagefault_handler,
	D, D, D, D,                /* reserved */
	svc_handler,
	debugmon_handler,
	D,                         /* reserved */
	pendsv_handler,
	systick_handler,
	/* IRQ 0..15 */
	uart0_rx_handler,          /* 0: UART0 RX */
	uart0_tx_handler,          /* 1: UART0 TX */
	D, D, D, D, D, D,          /* 2-5: UART1/2, 6-7: free */
	D, D, D, D,                /* 8-9: TIMER0/1 (polled), 10: dual timer, 11: SPI */
	uart_overflow_handler,     /* 12: UART 0-2 overrun */
	eth_handler, D, D,         /* 13: Ethernet (LAN9118), 14-15 free */
	/* IRQ 16..31 */
	D, D, D, D, D, D, D, D,
	D, D, D, D, D, D, D,
	soft_irq_handler_entry,    /* 31: no device: the soft interrupt */
};

/* C, on MSP, before .data and .bss exist: touches only linker symbols. */
__attribute__((used)) static void startup_memory(void)
{
	uint32_t *src = __data_load;

	for (uint32_t *dst = __data_start; dst < __data_end;)
		*dst++ = *src++;
	for (uint32_t *dst = __bss_start__; dst < __bss_end__;)
		*dst++ = 0;
	SCB_VTOR = (uint32_t)(uintptr_t)vectors;
	/*
	 * Faults on their own vectors, so the exit code names them (104-106,
	 * not all 103), and a division by zero faults instead of giving 0.
	 */
	SCB_SHCSR |= SCB_SHCSR_FAULTS_ENA;
	SCB_CCR |= SCB_CCR_DIV_0_TRP;
}

/* C, on PSP: the rest of the life of thread mode. */
__attribute__((used, noreturn)) static void startup_main(void)
{
	__libc_init_array();
	board_init();
	board_exit(main());
}

/* Naked: SP changes under it, so no C frame may live across. */
__attribute__((naked, noreturn)) void reset_handler(void)
{
	__asm volatile(
		"bl	startup_memory\n\t"
		"ldr	r0, =__main_stack_top\n\t"
		"msr	psp, r0\n\t"
		"movs	r0, #2\n\t"     /* CONTROL.SPSEL: thread mode uses PSP */
		"msr	control, r0\n\t"
		"isb\n\t"
		"bl	startup_main\n\t"
		".ltorg\n\t");
}
