/*
 * Semihosting calls (see semihost.h).  SYS_EXIT_EXTENDED is used rather
 * than SYS_EXIT because only the extended form carries a full exit code:
 * plain SYS_EXIT tells QEMU nothing but "stopped" (0) or "error" (1).
 */
#include "semihost.h"

uint32_t semihost_call(uint32_t op, const void *block)
{
	register uint32_t r0 __asm("r0") = op;
	register const void *r1 __asm("r1") = block;

	/* memory: the host reads the block and may write through it. */
	__asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
	return r0;
}

void semihost_exit(uint32_t code)
{
	const uint32_t block[2] = { SEMIHOST_ADP_STOPPED_APPLICATION_EXIT, code };

	semihost_call(SEMIHOST_SYS_EXIT_EXTENDED, block);
}
