/*
 * The port's task switch, on every board (ARMv6-M and ARMv7-M bodies of
 * kernel/port/cortex-m/switch.S alike):
 *
 * - callee-saved registers: four tasks each fill r4-r11 with a pattern of
 *   their own (inline assembly), call kt_yield, and read them back while
 *   the others do the same with theirs in between.  The C compiler seldom
 *   keeps anything in r8-r11 on ARMv6-M, so nothing else would notice if
 *   the switch lost them there;
 * - stack alignment: a task's function starts with SP 8-byte aligned, as
 *   AAPCS requires at a call (the first frame the port builds decides
 *   it), also for a task whose stack the caller passed misaligned.
 */
#include <stdint.h>
#include <stdio.h>

#include "scenario.h"

#define TASKS 4
#define ROUNDS 100
#define STACK 1024

static struct kt_task tasks[TASKS], checker;
static uint8_t stacks[TASKS + 1][STACK + 8];
static volatile uint32_t reg_errors, misaligned, rounds;

/*
 * Fill r4-r11 from in[0..7], yield, store them to out[0..7].  in and out
 * ride on the stack across the call (two words: SP stays 8-aligned), so
 * every callee-saved register is free to carry the pattern.  Thumb-1
 * only reaches r8-r11 through the low registers: one body for both ISAs.
 */
static void yield_with_pattern(const uint32_t *in, uint32_t *out)
{
	register const uint32_t *r0 __asm("r0") = in;
	register uint32_t *r1 __asm("r1") = out;

	__asm volatile("push	{r0, r1}\n\t"
		       "ldr	r2, [r0, #16]\n\t"
		       "mov	r8, r2\n\t"
		       "ldr	r2, [r0, #20]\n\t"
		       "mov	r9, r2\n\t"
		       "ldr	r2, [r0, #24]\n\t"
		       "mov	r10, r2\n\t"
		       "ldr	r2, [r0, #28]\n\t"
		       "mov	r11, r2\n\t"
		       "ldmia	r0!, {r4-r7}\n\t"
		       "bl	%c[yield]\n\t"
		       "pop	{r0, r1}\n\t"
		       "stmia	r1!, {r4-r7}\n\t"
		       "mov	r2, r8\n\t"
		       "str	r2, [r1]\n\t"
		       "mov	r2, r9\n\t"
		       "str	r2, [r1, #4]\n\t"
		       "mov	r2, r10\n\t"
		       "str	r2, [r1, #8]\n\t"
		       "mov	r2, r11\n\t"
		       "str	r2, [r1, #12]\n\t"
		       : "+r"(r0), "+r"(r1)
		       : [yield] "i"(kt_yield) /* a reference LTO sees */
		       : "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10",
			 "r11", "r12", "lr", "cc", "memory");
}

static uint32_t sp_now(void)
{
	uint32_t sp;

	__asm volatile("mov %0, sp" : "=r"(sp));
	return sp;
}

static int worker(void *arg)
{
	uint32_t id = (uint32_t)(uintptr_t)arg, in[8], out[8];

	misaligned += (sp_now() & 7u) != 0;
	for (uint32_t r = 0; r < ROUNDS; r++) {
		for (uint32_t i = 0; i < 8; i++)
			in[i] = (id << 28) ^ (r << 8) ^ (i * 0x01010101u) ^
				0x5a000000u;
		yield_with_pattern(in, out);
		for (uint32_t i = 0; i < 8; i++)
			reg_errors += out[i] != in[i];
		rounds++;
	}
	return 0;
}

static int check(void *arg)
{
	(void)arg;
	misaligned += (sp_now() & 7u) != 0;
	for (int i = 0; i < TASKS; i++)
		SC_CHECK_EQ(kt_task_join(&tasks[i], NULL, KT_FOREVER), 0);
	printf("switch: %lu rounds, %lu registers lost, %lu misaligned starts\n",
	       (unsigned long)rounds, (unsigned long)reg_errors,
	       (unsigned long)misaligned);
	SC_CHECK_EQ(rounds, TASKS * ROUNDS);
	SC_CHECK_EQ(reg_errors, 0);
	SC_CHECK_EQ(misaligned, 0);
	sc_finish();
}

int main(void)
{
	kt_init(0);
	sc_begin("switch");
	sc_watchdog(5000);
	for (int i = 0; i < TASKS; i++) {
		/* Stacks that start 0, 1, 2, 3 bytes past an 8-byte boundary. */
		SC_CHECK_EQ(kt_task_spawn(&tasks[i], "regs", worker,
					  (void *)(uintptr_t)(i + 1),
					  stacks[i] + i, STACK, 5),
			    0);
	}
	SC_CHECK_EQ(kt_task_spawn(&checker, "checker", check, NULL,
				  stacks[TASKS] + 4, STACK, 1),
		    0);
	kt_run();
}
