/*
 * Interrupt-driven driver for the SMSC LAN9118 Ethernet controller
 * (mps2-an385/an386 at 0x40200000, mps2-an500 at 0xA0000000, IRQ 13
 * under QEMU).  One struct lan9118 per chip; the board gives the base
 * address, the interrupt line and the receive ring's slots, and wires the
 * line's vector to lan9118_isr().  See lan9118.c for the design.
 */
#ifndef LAN9118_H
#define LAN9118_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eth_port.h"

struct lan9118_config {
	uintptr_t base;
	unsigned irq;           /* NVIC line */
	struct eth_slot *slots; /* the receive ring: a power-of-two count */
	size_t slot_count;
};

struct lan9118 {
	volatile uint32_t *regs;
	unsigned irq;
	uint8_t mac[BOARD_ETH_ADDR_LEN];
	struct eth_port port;
};

/*
 * Reset the chip, read its MAC address, enable receive and transmit with
 * address filtering (our address and broadcast), and the interrupts.
 * thread, after kt_init().  0; -ENODEV when the chip does not answer;
 * -EINVAL for a bad configuration.
 */
int lan9118_init(struct lan9118 *d, const struct lan9118_config *c);

/* The chip's interrupt handler: the board's vector calls it.  ISR. */
void lan9118_isr(struct lan9118 *d);

/* board_eth_send/board_eth_recv for this chip: same contracts. */
int lan9118_send(struct lan9118 *d, const void *frame, size_t len, kt_tick_t timeout);
int lan9118_recv(struct lan9118 *d, void *buf, size_t len, kt_tick_t timeout);

/* board_eth_loopback: the internal PHY's loopback bit.  thread.  0. */
int lan9118_set_loopback(struct lan9118 *d, bool on);

#endif
