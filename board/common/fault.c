/*
 * The handler of every exception a board does not expect: faults, stray
 * interrupts, SVC/PendSV nobody claimed.  It never returns and never hangs:
 * it prints what it knows on the console (polled: board_uart_write in a
 * handler does not block or touch the transmit ring) and exits with
 * 100 + the exception number (HardFault 103, BusFault 105, IRQ n 116 + n),
 * so a runner can tell a crash from a failed check.
 *
 * The exception frame is on the stack the exception interrupted: PSP for
 * thread mode (a task, or main and the scheduler), MSP for a handler; the
 * entry in startup.c picks it.  It is only read when it lies in RAM (the
 * linker script's __ram_start..__ram_end), since a fault from a broken
 * stack pointer would otherwise fault again in here, and a fault in a
 * fault handler locks the CPU up.  The fault status registers exist on
 * ARMv7-M only; on ARMv6-M reading them would fault.
 */
#include <stdint.h>

#include "board.h"
#include "common/cortex_m.h"

extern char __ram_start[], __ram_end[];

#define EXIT_FAULT_BASE 100

static const char *const exception_names[16] = {
	"thread", "reset", "NMI", "HardFault", "MemManage", "BusFault",
	"UsageFault", "reserved", "reserved", "reserved", "reserved", "SVCall",
	"DebugMonitor", "reserved", "PendSV", "SysTick",
};

static void puts_raw(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	if (n != 0)
		board_uart_write(s, n, KT_NOWAIT);
}

/* No printf: the C library's state may be what broke. */
static void put_hex(const char *label, uint32_t v)
{
	char buf[12];

	buf[0] = '0';
	buf[1] = 'x';
	for (int i = 0; i < 8; i++)
		buf[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 0xfu];
	buf[10] = ' ';
	buf[11] = '\0';
	puts_raw(label);
	puts_raw(buf);
}

static void put_dec(uint32_t v)
{
	char buf[11];
	int i = sizeof(buf) - 1;

	buf[i] = '\0';
	do {
		buf[--i] = (char)('0' + v % 10u);
		v /= 10u;
	} while (v != 0);
	puts_raw(buf + i);
}

void board_fault_report(const uint32_t *frame, uint32_t exc_return)
	__attribute__((noreturn, used));

void board_fault_report(const uint32_t *frame, uint32_t exc_return)
{
	uint32_t n = cm_ipsr() & 0x1ffu;
	uintptr_t f = (uintptr_t)frame;
	struct kt_task *t = kt_self();

	puts_raw("\r\nFAULT: ");
	if (n < 16) {
		puts_raw(exception_names[n]);
	} else {
		puts_raw("unexpected IRQ ");
		put_dec(n - 16);
	}
	puts_raw(" (exception ");
	put_dec(n);
	puts_raw(")");
	if ((exc_return & 0xfu) == 0xdu && t != NULL && t->name != NULL) {
		puts_raw(" in task ");
		puts_raw(t->name);
	}
	puts_raw("\r\n ");
	if (f >= (uintptr_t)__ram_start && f <= (uintptr_t)__ram_end - 32u &&
	    (f & 3u) == 0) {
		put_hex("pc=", frame[6]);
		put_hex("lr=", frame[5]);
		put_hex("psr=", frame[7]);
		put_hex("r0=", frame[0]);
	} else {
		puts_raw("frame unreadable");
	}
	put_hex("sp=", (uint32_t)f);
#if __ARM_ARCH >= 7
	puts_raw("\r\n ");
	put_hex("cfsr=", SCB_CFSR);
	put_hex("hfsr=", SCB_HFSR);
	put_hex("mmfar=", SCB_MMFAR);
	put_hex("bfar=", SCB_BFAR);
#endif
	puts_raw("\r\n");
	board_exit(EXIT_FAULT_BASE + (int)n);
}
