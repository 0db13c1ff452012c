/*
 * The FPU under the scheduler, on the boards that have one (Cortex-M4F,
 * M7; mk/boards.mk builds this only where board.mk sets BOARD_HAS_FPU).
 *
 * - exact: three tasks run the same float iteration from different seeds,
 *   yielding every step, with several values live across each yield, and
 *   end bit for bit where the same iteration without yields (computed
 *   first, in main) ends;
 * - callee-saved registers: tasks fill s16-s31 with their own pattern
 *   (inline assembly), call kt_yield and read them back, while tasks with
 *   other patterns run in between; each also keeps its own FPSCR
 *   rounding mode across the switch;
 * - interrupts: with s0-s15 loaded, an interrupt whose handler overwrites
 *   s0-s15 is let in; the hardware's lazy stacking (FPCCR.ASPEN, LSPEN,
 *   set by the start-up code) must give them back unchanged;
 * - no cost for integer tasks: a task that never touches the FPU runs
 *   with CONTROL.FPCA clear (so its interrupts stack the short frame),
 *   and its saved context says it carries no FP registers (the first word
 *   of a saved frame is CONTROL, see kernel/port/cortex-m/switch.S),
 *   while a blocked FP task's frame holds its s16-s31 and FPSCR.  The
 *   cost itself is not measured: under -icount a skipped conditional
 *   instruction counts like an executed one, and vpush of 16 registers
 *   like any other instruction, so the frames are what shows it;
 * - a task's first FP instruction sets FPCA (FPCCR.ASPEN) and finds the
 *   default FPSCR (from FPDSCR) whatever ran before, because the switch
 *   cleared FPCA for it: the exact tasks would drift otherwise, as they
 *   start right after a task that rounds towards zero.
 */
#include <stdio.h>
#include <string.h>

#include "port.h"
#include "scenario.h"

#define STACK 1024
#define STEPS 200
#define ROUNDS 50
#define FPCA (1u << 2)
#define FPSCR_RMODE_MASK (3u << 22)
#define FPSCR_RZ (3u << 22) /* round towards zero */

static struct kt_task exact_tasks[3], reg_tasks[3], int_task, fp_task, checker;
static uint8_t stacks[9][STACK];
static float exact_ref[3], exact_got[3];
static volatile uint32_t reg_errors, fpscr_errors;

static uint32_t control(void)
{
	uint32_t c;

	__asm volatile("mrs %0, control" : "=r"(c));
	return c;
}

static uint32_t fpscr_read(void)
{
	uint32_t v;

	__asm volatile("vmrs %0, fpscr" : "=r"(v));
	return v;
}

static void fpscr_write(uint32_t v)
{
	__asm volatile("vmsr fpscr, %0" ::"r"(v) : "memory");
}

/* ---- exact: the same iteration with and without yields ------------------- */

static float iterate(float seed, bool yield)
{
	float a = seed, b = seed * 0.5f + 1.0f, c = 3.0f - seed;

	for (int i = 0; i < STEPS; i++) {
		a = a * 1.0009765625f + b * 0.25f;
		b = b * 0.9990234375f - c * 0.125f;
		c = c + a * 0.0078125f - b * 0.00390625f;
		if (yield)
			kt_yield(); /* a, b and c live across it */
	}
	return a + b * 3.0f + c * 7.0f;
}

static const float seeds[3] = { 0.1f, 1.7f, -2.3f };

static int exact_worker(void *arg)
{
	int i = (int)(intptr_t)arg;

	exact_got[i] = iterate(seeds[i], true);
	return 0;
}

/* ---- s16-s31 and FPSCR across a switch --------------------------------------- */

/* Fill s16-s31 with pattern + i, yield, read them back: the mismatches. */
static uint32_t callee_saved_survive(uint32_t pattern)
{
	uint32_t in[16], out[16], bad = 0;

	for (int i = 0; i < 16; i++)
		in[i] = pattern + (uint32_t)i * 0x01010101u;
	/*
	 * The call clobbers what AAPCS lets it; in and out stay in r4-r11,
	 * which it must keep.  s16-s31 are listed because this code changes
	 * them, not because the call may.
	 */
	__asm volatile("vldmia	%0, {s16-s31}\n\t"
		       "bl	%c[fn]\n\t"
		       "vstmia	%1, {s16-s31}\n\t"
		       :
		       : "r"(in), "r"(out), [fn] "i"(kt_yield)
		       : "r0", "r1", "r2", "r3", "r12", "lr", "cc", "memory",
			 "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8",
			 "s9", "s10", "s11", "s12", "s13", "s14", "s15", "s16",
			 "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24",
			 "s25", "s26", "s27", "s28", "s29", "s30", "s31");
	for (int i = 0; i < 16; i++)
		bad += out[i] != in[i];
	return bad;
}

static int reg_worker(void *arg)
{
	int id = (int)(intptr_t)arg;
	uint32_t mode = id == 2 ? FPSCR_RZ : 0;

	fpscr_write((fpscr_read() & ~FPSCR_RMODE_MASK) | mode);
	for (int r = 0; r < ROUNDS; r++) {
		reg_errors += callee_saved_survive(
			0x3f000000u + (uint32_t)id * 0x00100000u + (uint32_t)r);
		fpscr_errors += (fpscr_read() & FPSCR_RMODE_MASK) != mode;
	}
	return 0;
}

/* ---- an interrupt that uses the FPU ------------------------------------------- */

static volatile uint32_t fp_irqs;

static void fp_soft_irq(void)
{
	/* Overwrite every caller-saved FP register, as float code may. */
	__asm volatile("vmov.f32	s0, #1.0\n\t"
		       "vmov.f32	s1, #2.0\n\t"
		       "vmov.f32	s2, #3.0\n\t"
		       "vmov.f32	s3, #4.0\n\t"
		       "vmov.f32	s4, #5.0\n\t"
		       "vmov.f32	s5, #6.0\n\t"
		       "vmov.f32	s6, #7.0\n\t"
		       "vmov.f32	s7, #8.0\n\t"
		       "vmov.f32	s8, #9.0\n\t"
		       "vmov.f32	s9, #10.0\n\t"
		       "vmov.f32	s10, #11.0\n\t"
		       "vmov.f32	s11, #12.0\n\t"
		       "vmov.f32	s12, #13.0\n\t"
		       "vmov.f32	s13, #14.0\n\t"
		       "vmov.f32	s14, #15.0\n\t"
		       "vmov.f32	s15, #16.0\n\t" ::
			       : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8",
				 "s9", "s10", "s11", "s12", "s13", "s14", "s15");
	fpscr_write(fpscr_read() ^ FPSCR_RZ);
	fp_irqs++;
}

/* Load s0-s15, let the pending interrupt in, read them back: mismatches. */
static uint32_t caller_saved_survive_irq(void)
{
	uint32_t in[16], out[16], bad = 0, before, after, s;

	for (int i = 0; i < 16; i++)
		in[i] = 0x40490fdbu ^ ((uint32_t)i << 4);
	before = fpscr_read();
	s = port_irq_save();
	board_soft_irq_pend(); /* masked: it waits for the cpsie below */
	__asm volatile("vldmia	%0, {s0-s15}\n\t"
		       "cpsie	i\n\t"
		       "isb\n\t" /* the interrupt is taken here */
		       "cpsid	i\n\t"
		       "vstmia	%1, {s0-s15}\n\t"
		       :
		       : "r"(in), "r"(out)
		       : "memory", "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7",
			 "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15");
	after = fpscr_read();
	port_irq_restore(s);
	for (int i = 0; i < 16; i++)
		bad += out[i] != in[i];
	return bad + (before != after);
}

/* ---- integer tasks pay nothing --------------------------------------------------- */

static volatile uint32_t int_control, int_rounds;
static struct kt_event int_stop;

/* Takes turns with the FP tasks, then waits, suspended, to be looked at. */
static int int_worker(void *arg)
{
	(void)arg;
	for (int r = 0; r < ROUNDS; r++) {
		kt_yield();
		int_control |= control(); /* switched in after FP tasks */
		int_rounds++;
	}
	return kt_event_wait(&int_stop, KT_FOREVER);
}

/* An FP task suspended with a known s16-s31 and FPSCR, to be looked at. */
static struct kt_event fp_go;
static uint32_t fp_pattern[16], fp_out[16];

static int fp_blocker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 16; i++)
		fp_pattern[i] = 0x3e800000u + (uint32_t)i * 0x11u;
	fpscr_write((fpscr_read() & ~FPSCR_RMODE_MASK) | FPSCR_RZ);
	__asm volatile("vldmia	%0, {s16-s31}\n\t"
		       "mov	r0, %2\n\t"
		       "mov	r1, #-1\n\t" /* KT_FOREVER */
		       "bl	%c[fn]\n\t"
		       "vstmia	%1, {s16-s31}\n\t"
		       :
		       : "r"(fp_pattern), "r"(fp_out),
			 "r"(&fp_go), [fn] "i"(kt_event_wait)
		       : "r0", "r1", "r2", "r3", "r12", "lr", "cc", "memory",
			 "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8",
			 "s9", "s10", "s11", "s12", "s13", "s14", "s15", "s16",
			 "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24",
			 "s25", "s26", "s27", "s28", "s29", "s30", "s31");
	return memcmp(fp_out, fp_pattern, sizeof(fp_out)) == 0 ? 0 : -1;
}

static int check(void *arg)
{
	uint32_t irq_bad = 0;
	int result = -1;
	(void)arg;

	/* exact and callee-saved: all of them together, with the integer task. */
	for (int i = 0; i < 3; i++)
		SC_CHECK_EQ(kt_task_join(&exact_tasks[i], NULL, KT_FOREVER), 0);
	for (int i = 0; i < 3; i++)
		SC_CHECK_EQ(kt_task_join(&reg_tasks[i], NULL, KT_FOREVER), 0);
	for (int i = 0; i < 3; i++) {
		uint32_t got, want;

		memcpy(&got, &exact_got[i], sizeof(got));
		memcpy(&want, &exact_ref[i], sizeof(want));
		printf("fpu: seed %d: %08lx, without yields %08lx\n", i,
		       (unsigned long)got, (unsigned long)want);
		SC_CHECK_EQ(got, want);
	}
	SC_CHECK_EQ(reg_errors, 0);
	SC_CHECK_EQ(fpscr_errors, 0);

	/* The integer task, suspended in its wait: its saved CONTROL. */
	SC_CHECK_EQ(int_rounds, ROUNDS);
	SC_CHECK_EQ(int_task.state, KT_BLOCKED);
	SC_CHECK_EQ(int_control & FPCA, 0);
	/* The first FP instruction of a task sets FPCA (FPCCR.ASPEN). */
	SC_CHECK_EQ(control() & FPCA, 0);
	{
		volatile float v = 3.0f;

		v = v * 0.5f;
	}
	SC_CHECK(control() & FPCA);

	/* An interrupt that uses the FPU, many times. */
	board_soft_irq_set(fp_soft_irq);
	for (int i = 0; i < 100; i++)
		irq_bad += caller_saved_survive_irq();
	board_soft_irq_set(NULL);
	SC_CHECK_EQ(fp_irqs, 100);
	SC_CHECK_EQ(irq_bad, 0);

	/*
	 * The saved frames (switch.S): CONTROL, FPSCR, r4-r11, lr, and
	 * s16-s31 above them only when CONTROL.FPCA says so.
	 */
	{
		const uint32_t *f = fp_task.sp, *n = int_task.sp;
		uint32_t wrong = 0;

		SC_CHECK_EQ(fp_task.state, KT_BLOCKED);
		SC_CHECK(f[0] & FPCA);
		SC_CHECK_EQ(f[1] & FPSCR_RMODE_MASK, FPSCR_RZ);
		for (int i = 0; i < 16; i++)
			wrong += f[11 + i] != fp_pattern[i];
		SC_CHECK_EQ(wrong, 0);
		SC_CHECK_EQ(n[0] & FPCA, 0);
	}
	kt_event_set(&int_stop);
	kt_event_set(&fp_go);
	SC_CHECK_EQ(kt_task_join(&int_task, NULL, KT_FOREVER), 0);
	SC_CHECK_EQ(kt_task_join(&fp_task, &result, KT_FOREVER), 0);
	SC_CHECK_EQ(result, 0);
	sc_finish();
}

int main(void)
{
	kt_init(0);
	sc_begin("fpu");
	kt_event_init(&int_stop);
	kt_event_init(&fp_go);
	sc_watchdog(20000);
	for (int i = 0; i < 3; i++)
		exact_ref[i] = iterate(seeds[i], false);
	/* regs first: the last sets round-towards-zero, then exact starts. */
	for (int i = 0; i < 3; i++) {
		SC_CHECK_EQ(kt_task_spawn(&reg_tasks[i], "regs", reg_worker,
					  (void *)(intptr_t)i, stacks[3 + i],
					  STACK, 5),
			    0);
	}
	for (int i = 0; i < 3; i++) {
		SC_CHECK_EQ(kt_task_spawn(&exact_tasks[i], "exact", exact_worker,
					  (void *)(intptr_t)i, stacks[i], STACK, 5),
			    0);
	}
	SC_CHECK_EQ(kt_task_spawn(&int_task, "integer", int_worker, NULL,
				  stacks[6], STACK, 5),
		    0);
	SC_CHECK_EQ(kt_task_spawn(&fp_task, "fp-blocked", fp_blocker, NULL,
				  stacks[7], STACK, 5),
		    0);
	SC_CHECK_EQ(kt_task_spawn(&checker, "checker", check, NULL, stacks[8],
				  STACK, 1),
		    0);
	kt_run();
}
