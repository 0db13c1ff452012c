/*
 * The handler of every exception a board does not expect: faults, stray
 * interrupts, SVC/PendSV nobody claimed.  It never returns and never hangs:
 * it prints what it knows on the console (polled: board_uart_write in a
 * handler does not block or touch the transmit ring) and exits with
 * 100 + the exception number (HardFault 103, MemManage 104, BusFault 105,
 * UsageFault 106, IRQ n 116 + n), so a runner can tell a crash from a
 * failed check.
 *
 * The exception frame is on the stack the exception interrupted: PSP for
 * thread mode (a task, or main and the scheduler), MSP for a handler; the
 * entry in startup.c picks it and moves MSP to a stack of the report's
 * own.  The frame is only read when it lies in RAM (the linker script's
 * __ram_start..__ram_end), since a fault from a broken stack pointer
 * would otherwise fault again in here, and a fault in a fault handler
 * locks the CPU up; the instruction at the faulting PC only when it lies
 * in the image.  The report shows the registers as the interrupted code
 * had them: PC, LR, xPSR (without the frame's alignment bit), r0 and SP
 * above the frame.  The fault status registers exist on ARMv7-M only,
 * where they are printed with their set bits named, then cleared; on
 * ARMv6-M reading them would fault.
 *
 * Integer division by zero faults everywhere: the ARMv7-M divider traps
 * (CCR.DIV_0_TRP, startup.c), and the C library's divide routines, which
 * ARMv6-M and 64-bit division use, call __aeabi_idiv0/__aeabi_ldiv0,
 * defined here as an undefined instruction the report names, instead of
 * libgcc's, which return 0.
 */
#include <stdint.h>

#include "board.h"
#include "common/cortex_m.h"

extern char __ram_start[], __ram_end[], __vectors_start[], __data_load[];

#define EXIT_FAULT_BASE 100

#define ARMV6M (__ARM_ARCH_ISA_THUMB == 1)

#define XPSR_STACK_ALIGNED (1u << 9) /* in a frame: a word was skipped */
#define EXC_RETURN_BASIC_FRAME (1u << 4) /* clear: the frame has FP room */

#define UDF_DIV0 0xd0 /* udf #UDF_DIV0: the library divided by zero */
#define THUMB_UDF(imm) (0xde00u | (imm))

/* CFSR: the stacking faults, and whether MMFAR and BFAR hold addresses */
#define MMFSR_MSTKERR (1u << 4)
#define MMFSR_MMARVALID (1u << 7)
#define BFSR_STKERR (1u << 12)
#define BFSR_BFARVALID (1u << 15)

static const char *const exception_names[16] = {
	"thread", "reset", "NMI", "HardFault", "MemManage", "BusFault",
	"UsageFault", "reserved", "reserved", "reserved", "reserved", "SVCall",
	"DebugMonitor", "reserved", "PendSV", "SysTick",
};

struct bit_name {
	uint8_t bit;
	const char *name;
};

static const struct bit_name cfsr_names[] = {
	{ 0, "IACCVIOL" }, { 1, "DACCVIOL" }, { 3, "MUNSTKERR" },
	{ 4, "MSTKERR" }, { 5, "MLSPERR" }, { 7, "MMARVALID" },
	{ 8, "IBUSERR" }, { 9, "PRECISERR" }, { 10, "IMPRECISERR" },
	{ 11, "UNSTKERR" }, { 12, "STKERR" }, { 13, "LSPERR" },
	{ 15, "BFARVALID" }, { 16, "UNDEFINSTR" }, { 17, "INVSTATE" },
	{ 18, "INVPC" }, { 19, "NOCP" }, { 24, "UNALIGNED" },
	{ 25, "DIVBYZERO" },
};

static const struct bit_name hfsr_names[] = {
	{ 1, "VECTTBL" }, { 30, "FORCED" }, { 31, "DEBUGEVT" },
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

/* "[NAME NAME] " for the bits of v that have a name. */
static void put_bits(uint32_t v, const struct bit_name *names, size_t n)
{
	const char *sep = "[";

	for (size_t i = 0; i < n; i++) {
		if (v & (1u << names[i].bit)) {
			puts_raw(sep);
			puts_raw(names[i].name);
			sep = " ";
		}
	}
	if (sep[0] == ' ')
		puts_raw("] ");
}

/*
 * SP as the interrupted code had it: above the frame, its FP part
 * (EXC_RETURN bit 4 clear) and the word the frame was aligned by.
 */
static uintptr_t sp_before(const uint32_t *frame, uint32_t exc_return)
{
	uintptr_t sp = (uintptr_t)frame + 32u;

	if ((exc_return & EXC_RETURN_BASIC_FRAME) == 0)
		sp += 72u;
	if (frame[7] & XPSR_STACK_ALIGNED)
		sp += 4u;
	return sp;
}

static bool frame_readable(uintptr_t f)
{
	return f >= (uintptr_t)__ram_start && f <= (uintptr_t)__ram_end - 32u &&
	       (f & 3u) == 0;
}

/* The halfword at a, if a lies in the image's code; 0 otherwise. */
static uint16_t code_at(uint32_t a)
{
	if (a < (uintptr_t)__vectors_start || a >= (uintptr_t)__data_load ||
	    (a & 1u) != 0)
		return 0;
	return *(const volatile uint16_t *)(uintptr_t)a;
}

/* The first line: what happened, and where. */
static void put_headline(uint32_t n, bool thread)
{
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
	if (thread && t != NULL && t->name != NULL) {
		puts_raw(" in task ");
		puts_raw(t->name);
	}
}

/* The registers the exception stacked, as the interrupted code had them. */
static void put_frame(const uint32_t *frame, uint32_t exc_return, bool lost)
{
	uintptr_t sp = (uintptr_t)frame;

	puts_raw("\r\n ");
	if (lost) {
		puts_raw("frame lost (its stacking faulted) ");
	} else if (frame_readable(sp)) {
		put_hex("pc=", frame[6]);
		put_hex("lr=", frame[5]);
		put_hex("psr=", frame[7] & ~XPSR_STACK_ALIGNED);
		put_hex("r0=", frame[0]);
		if (code_at(frame[6]) == THUMB_UDF(UDF_DIV0))
			puts_raw("integer division by zero (the library's divide) ");
		sp = sp_before(frame, exc_return);
	} else {
		puts_raw("frame unreadable ");
	}
	put_hex("sp=", (uint32_t)sp);
}

/* ARMv7-M's fault status, its set bits named; then cleared. */
static void put_status(uint32_t cfsr, uint32_t hfsr)
{
	puts_raw("\r\n ");
	put_hex("cfsr=", cfsr);
	put_bits(cfsr, cfsr_names, sizeof(cfsr_names) / sizeof(cfsr_names[0]));
	put_hex("hfsr=", hfsr);
	put_bits(hfsr, hfsr_names, sizeof(hfsr_names) / sizeof(hfsr_names[0]));
	if (cfsr & MMFSR_MMARVALID)
		put_hex("mmfar=", SCB_MMFAR);
	if (cfsr & BFSR_BFARVALID)
		put_hex("bfar=", SCB_BFAR);
	SCB_CFSR = cfsr; /* write-one-to-clear: the next report starts clean */
	SCB_HFSR = hfsr;
}

void board_fault_report(const uint32_t *frame, uint32_t exc_return)
	__attribute__((noreturn, used));

void board_fault_report(const uint32_t *frame, uint32_t exc_return)
{
	uint32_t n = cm_ipsr() & 0x1ffu;
	uint32_t cfsr = ARMV6M ? 0 : SCB_CFSR, hfsr = ARMV6M ? 0 : SCB_HFSR;

	put_headline(n, (exc_return & 0xfu) == 0xdu);
	put_frame(frame, exc_return, (cfsr & (MMFSR_MSTKERR | BFSR_STKERR)) != 0);
	if (!ARMV6M)
		put_status(cfsr, hfsr);
	puts_raw("\r\n");
	board_exit(EXIT_FAULT_BASE + (int)n);
}

/*
 * libgcc's divide routines call these on a zero divisor; its own return 0.
 * The names are the ARM EABI's.
 */
__attribute__((naked, used)) void __aeabi_idiv0(void);
__attribute__((naked, used)) void __aeabi_ldiv0(void);

void __aeabi_idiv0(void)
{
	__asm volatile("udf	%0" ::"i"(UDF_DIV0));
}

void __aeabi_ldiv0(void)
{
	__asm volatile("udf	%0" ::"i"(UDF_DIV0));
}
