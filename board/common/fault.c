/*
 * The handler of every exception a board does not expect: faults, stray
 * interrupts, SVC/PendSV nobody claimed.  It never hangs: it prints what
 * it knows on the console (polled: board_uart_write in a handler does not
 * block or touch the transmit ring) and either exits with 100 + the
 * exception number (HardFault 103, MemManage 104, BusFault 105,
 * UsageFault 106, IRQ n 116 + n), so a runner can tell a crash from a
 * failed check, or - for a task whose stack overflowed - stops that task
 * and lets the others go on.
 *
 * Stack overflows are caught by the port's guards (kernel/port/cortex-m/
 * guard.c): on ARMv7-M a MemManage fault on a guard region, whether a
 * push hit it or the exception's own stacking did (MSTKERR: the frame is
 * then lost, and said so); on ARMv6-M a canary check at a task switch,
 * which traps here with SVC.  An overflowing task is named, its guard
 * shown, and it ends with -EFAULT (port_guard_recover); an overflow of
 * the interrupt stack or of the main stack (main, the scheduler) exits
 * with 98 on every board.
 *
 * The exception frame is on the stack the exception interrupted: PSP for
 * thread mode (a task, or main and the scheduler), MSP for a handler; the
 * entry in startup.c picks it and moves MSP to a stack of the report's
 * own.  The MPU is turned off first, so the report may read any stack.
 * The frame is only read when it lies in RAM (the linker script's
 * __ram_start..__ram_end), since a fault from a broken stack pointer
 * would otherwise fault again in here, and a fault in a fault handler
 * locks the CPU up; the instruction at the faulting PC only when it lies
 * in the image.  The report shows the registers as the interrupted code
 * had them: PC, LR, xPSR (without the frame's alignment bit), r0 and SP
 * above the frame.  The fault status registers exist on ARMv7-M only,
 * where they are printed with their set bits named, then cleared; on
 * ARMv6-M reading them would fault.
 *
 * A NULL pointer is caught where the core has an MPU (board/common/mpu.c
 * makes the first bytes of the address space fault on any access): a load
 * or store there is a MemManage fault with MMFAR in the guard, running
 * code there (a call through NULL) a fault with PC in it.  The report
 * says so on the line after the headline, with the address.  Without an
 * MPU (ARMv6-M) nothing faults: a NULL read returns the vector table's
 * first word, and the report can only say what else went wrong.
 *
 * Integer division by zero faults everywhere: the ARMv7-M divider traps
 * (CCR.DIV_0_TRP, startup.c), and the C library's divide routines, which
 * ARMv6-M and 64-bit division use, call __aeabi_idiv0/__aeabi_ldiv0,
 * defined here as an undefined instruction the report names, instead of
 * libgcc's, which return 0.
 */
#include <stdint.h>

#include "board.h"
#include "common/board_common.h"
#include "common/cortex_m.h"
#include "guard.h"

extern char __ram_start[], __ram_end[], __vectors_start[], __data_load[];

#define EXIT_FAULT_BASE 100
#define EXIT_STACK_OVERFLOW 98

#define EXC_HARDFAULT 3
#define EXC_MEMMANAGE 4
#define EXC_SVCALL 11
#define ARMV6M (__ARM_ARCH_ISA_THUMB == 1)

#define XPSR_STACK_ALIGNED (1u << 9)     /* in a frame: a word was skipped */
#define EXC_RETURN_BASIC_FRAME (1u << 4) /* clear: the frame has FP room */

#define UDF_DIV0 0xd0 /* udf #UDF_DIV0: the library divided by zero */
#define THUMB_UDF(imm) (0xde00u | (imm))
#define THUMB_SVC(imm) (0xdf00u | (imm))

/* CFSR's MemManage bits */
#define MMFSR_MSTKERR (1u << 4)
#define MMFSR_MLSPERR (1u << 5)
#define MMFSR_MMARVALID (1u << 7)
#define BFSR_STKERR (1u << 12)
#define BFSR_BFARVALID (1u << 15)

static const char *const exception_names[16] = {
	"thread",       "reset",    "NMI",        "HardFault",
	"MemManage",    "BusFault", "UsageFault", "reserved",
	"reserved",     "reserved", "reserved",   "SVCall",
	"DebugMonitor", "reserved", "PendSV",     "SysTick",
};

struct bit_name {
	uint8_t bit;
	const char *name;
};

static const struct bit_name cfsr_names[] = {
	{ 0, "IACCVIOL" },   { 1, "DACCVIOL" },    { 3, "MUNSTKERR" },
	{ 4, "MSTKERR" },    { 5, "MLSPERR" },     { 7, "MMARVALID" },
	{ 8, "IBUSERR" },    { 9, "PRECISERR" },   { 10, "IMPRECISERR" },
	{ 11, "UNSTKERR" },  { 12, "STKERR" },     { 13, "LSPERR" },
	{ 15, "BFARVALID" }, { 16, "UNDEFINSTR" }, { 17, "INVSTATE" },
	{ 18, "INVPC" },     { 19, "NOCP" },       { 24, "UNALIGNED" },
	{ 25, "DIVBYZERO" },
};

static const struct bit_name hfsr_names[] = {
	{ 1, "VECTTBL" },
	{ 30, "FORCED" },
	{ 31, "DEBUGEVT" },
};

enum overflow_kind { NO_OVERFLOW, TASK_STACK, MAIN_STACK, ISR_STACK };

/* What overflowed, the guard that caught it, the task if a task did. */
struct overflow {
	enum overflow_kind kind;
	struct kt_task *task;
	uintptr_t guard;
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

static void put_range(const char *label, uintptr_t lo, uintptr_t hi)
{
	puts_raw(label);
	put_hex("", (uint32_t)lo);
	puts_raw("- ");
	put_hex("", (uint32_t)hi);
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

/* a lies in the guard at lo. */
static bool in_guard(uintptr_t a, uintptr_t lo)
{
	return a >= lo && a < lo + PORT_GUARD_SIZE;
}

/*
 * sp, after a stacking that faulted, lies in or just under the guard at
 * lo: the frame went down from the guard's top at most a frame's length.
 */
static bool stacked_into(uintptr_t sp, uintptr_t lo)
{
	return sp + PORT_GUARD_RESERVE >= lo && sp < lo + PORT_GUARD_SIZE;
}

/* ARMv6-M: the canary trap (switch.S) carries the context and the stack. */
static struct overflow canary_trap(const uint32_t *frame)
{
	struct overflow o = { NO_OVERFLOW, NULL, 0 };
	struct kt_task *t = (struct kt_task *)(uintptr_t)frame[0];

	if (frame[1] == 1) {
		o.kind = ISR_STACK;
		o.guard = port_guards.isr_lo;
	} else if (t->stack == NULL) {
		o.kind = MAIN_STACK;
		o.guard = port_guards.main_lo;
	} else {
		o.kind = TASK_STACK;
		o.task = t;
		o.guard = port_guard_lo(t);
	}
	return o;
}

/* ARMv7-M: a MemManage fault (maybe escalated) on one of the guards. */
static struct overflow guard_hit(uint32_t cfsr, bool thread, uintptr_t sp)
{
	struct overflow o = { NO_OVERFLOW, NULL, 0 };
	uintptr_t addr = (cfsr & MMFSR_MMARVALID) ? SCB_MMFAR : 0;
	bool stacking = (cfsr & (MMFSR_MSTKERR | MMFSR_MLSPERR)) != 0;
	struct kt_task *t = thread ? port_guard_armed() : NULL;

	if (t != NULL && (in_guard(addr, port_guard_lo(t)) ||
			  (stacking && stacked_into(sp, port_guard_lo(t))))) {
		o.kind = TASK_STACK;
		o.task = t;
		o.guard = port_guard_lo(t);
	} else if (thread && (in_guard(addr, port_guards.main_lo) ||
			      (stacking && stacked_into(sp, port_guards.main_lo)))) {
		o.kind = MAIN_STACK;
		o.guard = port_guards.main_lo;
	} else if (!thread && (in_guard(addr, port_guards.isr_lo) ||
			       (stacking && stacked_into(sp, port_guards.isr_lo)))) {
		o.kind = ISR_STACK;
		o.guard = port_guards.isr_lo;
	}
	return o;
}

static void report_overflow(const struct overflow *o, uint32_t n)
{
	puts_raw("stack overflow ");
	if (o->kind == TASK_STACK) {
		puts_raw("in task ");
		puts_raw(o->task->name != NULL ? o->task->name : "?");
	} else if (o->kind == MAIN_STACK) {
		puts_raw("of the main stack (main, the scheduler)");
	} else {
		puts_raw("of the interrupt stack");
	}
	puts_raw("\r\n caught by ");
	if (n == EXC_SVCALL) {
		puts_raw("its canary, at a task switch: ");
		put_hex("", *((const uint32_t *)(o->guard + PORT_GUARD_SIZE) - 1));
		puts_raw("instead of ");
		put_hex("", PORT_GUARD_CANARY);
	} else {
		puts_raw("the MPU, ");
		puts_raw(exception_names[n]);
		puts_raw(" ");
	}
	put_range("guard ", o->guard, o->guard + PORT_GUARD_SIZE - 1);
	if (o->kind == TASK_STACK)
		put_range("stack ", (uintptr_t)o->task->stack,
			  (uintptr_t)o->task->stack + o->task->stack_size - 1);
}

/* The first line: what happened, and where. */
static void put_headline(const struct overflow *o, uint32_t n, bool thread)
{
	struct kt_task *t = kt_self();

	puts_raw("\r\nFAULT: ");
	if (o->kind != NO_OVERFLOW) {
		report_overflow(o, n);
		return;
	}
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

/*
 * ARMv7-M: the fault came from the NULL guard (mpu.c): a load or store
 * there (MMFAR) or code run there (PC, frame read only if readable).
 */
static void put_null(uint32_t cfsr, const uint32_t *frame, bool lost)
{
	if ((cfsr & MMFSR_MMARVALID) && board_null_access(SCB_MMFAR)) {
		puts_raw("\r\n NULL pointer: an access to ");
		put_hex("", SCB_MMFAR);
	} else if (!lost && frame_readable((uintptr_t)frame) &&
		   board_null_access(frame[6])) {
		puts_raw("\r\n NULL pointer: code run at ");
		put_hex("", frame[6]);
	} else {
		return;
	}
	puts_raw("(the NULL guard: the address space's first bytes)");
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

void board_fault_report(const uint32_t *frame, uint32_t exc_return, uint32_t msp)
	__attribute__((noreturn, used));

void board_fault_report(const uint32_t *frame, uint32_t exc_return, uint32_t msp)
{
	uint32_t n = cm_ipsr() & 0x1ffu;
	bool thread = (exc_return & 0xfu) == 0xdu;
	bool trap = false;
	uint32_t cfsr = 0, hfsr = 0;
	struct overflow o = { NO_OVERFLOW, NULL, 0 };

	port_guard_pause();
	if (!ARMV6M) {
		board_mpu_pause(); /* its regions too, not only the guards' */
		cfsr = SCB_CFSR;
		hfsr = SCB_HFSR;
		if (n == EXC_MEMMANAGE || n == EXC_HARDFAULT)
			o = guard_hit(cfsr, thread, thread ? (uintptr_t)frame : msp);
	} else if (n == EXC_SVCALL && frame_readable((uintptr_t)frame) &&
		   code_at(frame[6] - 2) == THUMB_SVC(PORT_SVC_OVERFLOW)) {
		o = canary_trap(frame);
		trap = true;
	}

	put_headline(&o, n, thread);
	if (!ARMV6M && o.kind == NO_OVERFLOW)
		put_null(cfsr, frame, (cfsr & (MMFSR_MSTKERR | BFSR_STKERR)) != 0);
	if (trap) /* the frame is the trap's: nobody's registers */
		puts_raw("\r\n found at a switch: no registers of the fault's own");
	else
		put_frame(frame, exc_return,
			  (cfsr & (MMFSR_MSTKERR | BFSR_STKERR)) != 0);
	if (!ARMV6M)
		put_status(cfsr, hfsr);
	else if (PORT_STACK_GUARD && o.kind != ISR_STACK &&
		 *port_guards.isr_canary != PORT_GUARD_CANARY)
		puts_raw("\r\n the interrupt stack's canary is overwritten too");
	puts_raw("\r\n");
	if (PORT_STACK_GUARD && o.kind == TASK_STACK && thread) {
		puts_raw(" task ");
		puts_raw(o.task->name != NULL ? o.task->name : "?");
		puts_raw(" stopped (-EFAULT); the others go on\r\n");
		port_guard_recover(o.task);
	}
	board_exit(o.kind != NO_OVERFLOW ? EXIT_STACK_OVERFLOW :
					   EXIT_FAULT_BASE + (int)n);
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
