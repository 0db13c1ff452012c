/*
 * What ARMv6-M (Cortex-M0) lacks and GCC calls out for: atomic
 * read-modify-write and count-leading/trailing-zeros.  Built only for a
 * core without them (chosen at compile time from the compiler's feature
 * macros); on ARMv7-M GCC inlines LDREX/STREX loops and CLZ and this file
 * is empty.
 *
 * Atomics: ARMv6-M has no exclusive loads and stores, so GCC turns every
 * 4-byte __atomic read-modify-write into a call to __atomic_<op>_4 (the
 * libatomic interface; arm-none-eabi ships no libatomic).  Each one here
 * masks interrupts (PRIMASK) for its load, compare and store, a handful
 * of instructions, and restores the caller's mask: on a single core with
 * no other bus master touching these words that is atomic against
 * interrupt handlers and tasks alike, so every memory order is met (the
 * call itself is a compiler barrier).  Plain loads and stores GCC
 * inlines.  Only the operations the kernel and drivers use are here
 * (exchange, compare-exchange, fetch-add): another one fails to link on
 * ARMv6-M, naming itself, rather than going in untested.  The names are
 * bound through asm labels because GCC reserves the __atomic_ names for
 * its built-ins.
 *
 * Bit scans: __builtin_clz and __builtin_ctz become calls to libgcc's
 * __clzsi2 and __ctzsi2, which these replace with a binary search of
 * five steps (no table, no loop; __ctzsi2 isolates the lowest bit and
 * counts from the top) so that the scheduler's priority pick
 * and the timer wheel's slot scan stay small and take the same few dozen
 * cycles for any word.  Like the instructions they stand in for, they
 * are not called with 0 (the kernel checks first).
 */
#include <stdbool.h>
#include <stdint.h>

#include "port_arch.h"

#if !defined(__ARM_FEATURE_LDREX)

uint32_t atomic_exchange_4(volatile void *p, uint32_t v,
			   int order) __asm__("__atomic_exchange_4");
bool atomic_compare_exchange_4(volatile void *p, void *expected,
			       uint32_t desired, bool weak, int success,
			       int failure) __asm__("__atomic_compare_exchange_4");
uint32_t atomic_fetch_add_4(volatile void *p, uint32_t v,
			    int order) __asm__("__atomic_fetch_add_4");

uint32_t atomic_exchange_4(volatile void *p, uint32_t v, int order)
{
	volatile uint32_t *w = p;
	uint32_t s = port_irq_save(), old = *w;

	(void)order;
	*w = v;
	port_irq_restore(s);
	return old;
}

bool atomic_compare_exchange_4(volatile void *p, void *expected, uint32_t desired,
			       bool weak, int success, int failure)
{
	volatile uint32_t *w = p;
	uint32_t *e = expected;
	uint32_t s = port_irq_save(), old = *w;
	bool same = old == *e;

	(void)weak;
	(void)success;
	(void)failure;
	if (same)
		*w = desired;
	port_irq_restore(s);
	if (!same)
		*e = old;
	return same;
}

uint32_t atomic_fetch_add_4(volatile void *p, uint32_t v, int order)
{
	volatile uint32_t *w = p;
	uint32_t s = port_irq_save(), old = *w;

	(void)order;
	*w = old + v;
	port_irq_restore(s);
	return old;
}

#endif /* !__ARM_FEATURE_LDREX */

#if !defined(__ARM_FEATURE_CLZ)

int __clzsi2(uint32_t x);
int __ctzsi2(uint32_t x);

/* Leading zeros: halve the window where the highest set bit can be. */
int __clzsi2(uint32_t x)
{
	int n = 0;

	if (x <= 0x0000ffffu) {
		n += 16;
		x <<= 16;
	}
	if (x <= 0x00ffffffu) {
		n += 8;
		x <<= 8;
	}
	if (x <= 0x0fffffffu) {
		n += 4;
		x <<= 4;
	}
	if (x <= 0x3fffffffu) {
		n += 2;
		x <<= 2;
	}
	if (x <= 0x7fffffffu)
		n += 1;
	return n;
}

/* Trailing zeros: x & -x keeps the lowest set bit alone. */
int __ctzsi2(uint32_t x)
{
	return 31 - __clzsi2(x & -x);
}

#endif /* !__ARM_FEATURE_CLZ */
