/*
 * The MPU's board half (ARMv7-M): NULL caught, code read-only.
 *
 * The port's stack guards (kernel/port/cortex-m/guard.c) hold regions 0
 * to 2 and turn the MPU on with the default memory map under the regions
 * (PRIVDEFENA), so everything no region covers behaves as without an
 * MPU.  Start-up (startup.c) then calls board_mpu_init, which adds two:
 *
 * - region 3, the code memory (the linker script's CODE: flash, or on
 *   the mps2 boards the RAM the image is loaded into at 0) read-only and
 *   executable.  The vector table lies there: after start-up nothing may
 *   write it, and a stray write to code faults instead of changing what
 *   runs (on mps2-an385 a write to 0 used to overwrite the initial SP).
 * - region 4, the NULL guard: the first __null_guard_size bytes of the
 *   address space (256, linker/sections.ld says why) allow no access and
 *   no execution.  A load or store through a NULL pointer, or a small
 *   offset from one, takes a MemManage fault with MMFAR in the guard, a
 *   call through one an IACCVIOL at PC in the guard; fault.c names both.
 *   It overlaps region 3 on the boards whose code is at 0 and wins, the
 *   higher region having priority.  The CPU's own reads of the vector
 *   table on exception entry always use the default map, so exceptions
 *   still find their handlers there.
 *
 * Region 4 is the highest used: its number must stay above region 3's.
 * With the guards built out (STACK_GUARD=0) the MPU is turned on here.
 * ARMv6-M (the micro:bit's Cortex-M0) has no MPU: nothing here is built
 * for it, a NULL read returns the vector table's first word and a write
 * to flash at 0 is ignored (tests/qemu/sc_fault_null.c shows both).
 */
#include <stdbool.h>
#include <stdint.h>

#include "common/board_common.h"
#include "common/cortex_m.h"

#if __ARM_ARCH >= 7
extern char __null_guard_size[], __code_start[], __code_size[];

#define REGION_CODE 3
#define REGION_NULL 4

/* RASR: SIZE is log2(bytes) - 1; normal memory, write-through (C). */
#define RASR_SIZE(bytes) ((uint32_t)(31 - __builtin_clz(bytes) - 1) << 1)
#define RASR_ENABLE 1u
#define RASR_NORMAL (1u << 17)
#define RASR_AP_RO (6u << 24) /* read-only, privileged or not */
#define RASR_AP_NONE (0u << 24)
#define RASR_XN (1u << 28)

static bool null_guard_on;

bool board_null_access(uintptr_t addr)
{
	return null_guard_on && addr < (uintptr_t)__null_guard_size;
}

void board_mpu_init(void)
{
	uint32_t code_size = (uint32_t)(uintptr_t)__code_size;
	uint32_t null_size = (uint32_t)(uintptr_t)__null_guard_size;

	if (((MPU_TYPE >> 8) & 0xffu) <= REGION_NULL)
		return; /* no MPU, or too few regions: nothing is caught */
	MPU_RBAR = (uint32_t)(uintptr_t)__code_start | MPU_RBAR_VALID | REGION_CODE;
	MPU_RASR = RASR_AP_RO | RASR_NORMAL | RASR_SIZE(code_size) | RASR_ENABLE;
	MPU_RBAR = 0u | MPU_RBAR_VALID | REGION_NULL;
	MPU_RASR = RASR_AP_NONE | RASR_XN | RASR_NORMAL | RASR_SIZE(null_size) |
		   RASR_ENABLE;
	MPU_CTRL = MPU_CTRL_ENABLE | MPU_CTRL_PRIVDEFENA;
	__asm volatile("dsb\n\tisb" ::: "memory");
	null_guard_on = true;
}

void board_mpu_pause(void)
{
	MPU_CTRL = 0;
	__asm volatile("dsb\n\tisb" ::: "memory");
}
#else
bool board_null_access(uintptr_t addr)
{
	(void)addr;
	return false;
}
#endif
