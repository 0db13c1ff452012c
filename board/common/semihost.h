/*
 * ARM semihosting: the debugger (here QEMU with -semihosting-config
 * enable=on) services a BKPT 0xAB with the operation in r0 and a pointer to
 * its argument block in r1.  Without semihosting enabled the BKPT faults,
 * so only board_exit() uses it.
 */
#ifndef BOARD_SEMIHOST_H
#define BOARD_SEMIHOST_H

#include <stdint.h>

#define SEMIHOST_SYS_EXIT_EXTENDED 0x20u
#define SEMIHOST_ADP_STOPPED_APPLICATION_EXIT 0x20026u

/* One semihosting call; returns the host's r0.  Any context. */
uint32_t semihost_call(uint32_t op, const void *block);

/*
 * Stop the machine with exit status code: QEMU exits with code & 0xff.
 * Returns only when the host ignores the request.
 */
void semihost_exit(uint32_t code);

#endif
