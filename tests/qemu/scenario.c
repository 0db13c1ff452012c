/*
 * The scenario harness (see scenario.h).  Output goes through printf, so
 * from a task it queues on the interrupt-driven console and elsewhere it
 * is polled; board_exit() flushes before QEMU stops.  Numbers are printed
 * with a converter of our own because newlib-nano's printf has no %lld.
 */
#include <stdarg.h>
#include <stdio.h>

#include "scenario.h"

static const char *sc_name = "?";
static int checks, failures;
static struct kt_timer watchdog;

bool sc_check(bool ok, const char *file, int line, const char *what)
{
	checks++;
	if (!ok) {
		failures++;
		printf("FAIL %s:%d: %s\n", file, line, what);
	}
	return ok;
}

/* Decimal text of v in buf (at least 21 bytes). */
static const char *ll_text(long long v, char *buf)
{
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v :
				       (unsigned long long)v;
	char *p = buf + 20;

	*p = '\0';
	do {
		*--p = (char)('0' + (int)(u % 10u));
		u /= 10u;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	return p;
}

bool sc_check_eq(long long a, long long b, const char *file, int line,
		 const char *a_text, const char *b_text)
{
	char abuf[21], bbuf[21];
	bool ok = a == b;

	checks++;
	if (!ok) {
		failures++;
		printf("FAIL %s:%d: %s == %s (%s vs %s)\n", file, line, a_text,
		       b_text, ll_text(a, abuf), ll_text(b, bbuf));
	}
	return ok;
}

void sc_begin(const char *name)
{
	sc_name = name;
	printf("scenario %s: start\n", name);
}

static void watchdog_fired(void *arg)
{
	(void)arg;
	sc_check(false, __FILE__, __LINE__, "watchdog: scenario did not finish");
	sc_finish();
}

void sc_watchdog(kt_tick_t ticks)
{
	kt_timer_init(&watchdog, watchdog_fired, NULL);
	SC_CHECK_EQ(kt_timer_start(&watchdog, ticks, 0), 0);
}

void sc_expect_exit(int code)
{
	printf("expect: exit %d\n", code);
}

void sc_expect(const char *fmt, ...)
{
	va_list ap;

	printf("expect: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Thumb-1, so ARMv6-M runs it too; r0 (limit) survives every level. */
__attribute__((naked)) void sc_dig(uintptr_t limit)
{
	(void)limit;
	__asm volatile("push	{r4, lr}\n\t"
		       "mov	r4, sp\n\t"
		       "cmp	r4, r0\n\t"
		       "bls	1f\n\t"
		       "bl	sc_dig\n"
		       "1:\tpop	{r4, pc}");
}

int sc_failures(void)
{
	return failures;
}

int sc_checks(void)
{
	return checks;
}

void sc_finish(void)
{
	printf("scenario %s: %d checks, %d failed\n", sc_name, checks, failures);
	board_exit(failures);
}
