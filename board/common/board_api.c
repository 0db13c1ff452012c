/*
 * The parts of board.h that are the same on every board: the console
 * calls over the board's console UART (whichever driver it has; see
 * board/drivers/uart.h), board_exit through semihosting, and the
 * dispatch of the soft interrupt.  A board's own board.c keeps only what
 * differs: board_init with its clocks and addresses, its vectors, its
 * cycle counter and which interrupt line is the soft one.
 */
#include "board.h"
#include "common/board_common.h"
#include "common/semihost.h"

struct uart board_console_uart;

static void (*volatile soft_irq_handler)(void);

int board_uart_read(void *buf, size_t len, kt_tick_t timeout)
{
	return uart_read(&board_console_uart, buf, len, timeout);
}

int board_uart_write(const void *buf, size_t len, kt_tick_t timeout)
{
	return uart_write(&board_console_uart, buf, len, timeout);
}

void board_uart_set_rx_hook(void (*hook)(uint8_t byte))
{
	uart_set_rx_hook(&board_console_uart, hook);
}

void board_uart_stats(struct board_uart_stats *s)
{
	uart_get_stats(&board_console_uart, s);
}

void board_exit(int code)
{
	if (code < 0 || code > 255)
		code = 255;
	uart_flush(&board_console_uart);
	semihost_exit((uint32_t)code);
	/* Only reached when the host ignores semihosting: stop here. */
	for (;;)
		__asm volatile("cpsid i\n\twfi" ::: "memory");
}

void board_soft_irq_set(void (*handler)(void))
{
	soft_irq_handler = handler;
}

void board_soft_irq_isr(void)
{
	uint32_t prev = board_irq_trace_enter();
	void (*h)(void) = soft_irq_handler;

	if (h != NULL)
		h();
	board_irq_trace_exit(prev);
}
