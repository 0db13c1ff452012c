/*
 * The on-target test harness: a scenario is a program with its own main()
 * that checks things with SC_CHECK/SC_CHECK_EQ, prints progress on the
 * console, and ends with sc_finish(), which prints a summary line and
 * exits with the number of failed checks (tests/qemu/run.py reads both).
 *
 * A failed check prints "FAIL file:line: what" and counts; the scenario
 * goes on, so one run shows every failure.  The checks may be used from
 * tasks, callbacks and before kt_run(), not from interrupt handlers (they
 * print).
 */
#ifndef SCENARIO_H
#define SCENARIO_H

#include <stdbool.h>

#include "board.h"
#include "kettle.h"

/*
 * 1 when the board's console UART backs up under QEMU while the host side
 * does (a full pipe): its model then waits, and writers block.  0 when
 * QEMU's model writes each byte synchronously and stalls QEMU itself
 * instead, so the UART never fills and nothing ever blocks on it.
 * mk/boards.mk sets it from the board's BOARD_UART_STALLS.
 */
#ifndef SC_UART_STALLS
#define SC_UART_STALLS 1
#endif

/* Count one check of cond; print it when false.  Returns cond. */
#define SC_CHECK(cond) sc_check(!!(cond), __FILE__, __LINE__, #cond)

/*
 * Check that integers a and b are equal as numbers (both converted to long
 * long, each evaluated once: no surprises from C's unsigned conversions,
 * so a uint32_t 0xffffffff is not -1), and print both when they differ.
 * Pointers go in SC_CHECK(p == q).
 */
#define SC_CHECK_EQ(a, b) \
	sc_check_eq((long long)(a), (long long)(b), __FILE__, __LINE__, #a, #b)

bool sc_check(bool ok, const char *file, int line, const char *what);
bool sc_check_eq(long long a, long long b, const char *file, int line,
		 const char *a_text, const char *b_text);

/* Name the scenario (for the summary) and say so on the console. */
void sc_begin(const char *name);

/*
 * Fail the scenario if it has not finished after ticks ticks (a task that
 * never wakes would otherwise leave QEMU idling until the runner's hard
 * timeout).  Call after kt_init(); uses a soft timer.
 */
void sc_watchdog(kt_tick_t ticks);

/*
 * For scenarios that fault on purpose (named sc_fault_*): announce what
 * the runner must see - the exit code, and text the output must hold,
 * such as a line of the fault report (tests/qemu/run.py).  Call before
 * kt_run(), so the lines go out at once, ahead of any fault.
 */
void sc_expect_exit(int code);
void sc_expect(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Use the running stack down to limit: recurse 8 bytes at a time, every
 * word written on the way, until SP is at or below limit; then return.
 * For the stack guard scenarios.
 */
void sc_dig(uintptr_t limit);

int sc_failures(void);
int sc_checks(void);

/* Print "scenario <name>: N checks, M failed" and exit with M. */
void sc_finish(void) __attribute__((noreturn));

#endif
