/*
 * Interrupt-driven driver for the Ethernet controller of the TI
 * (Luminary) Stellaris LM3S6965 (lm3s6965evb: 0x40048000, IRQ 42).  One
 * struct stellaris_eth per controller; the board gives the base address,
 * the interrupt line, the receive ring's slots and a fallback MAC
 * address, and wires the line's vector to stellaris_eth_isr().  See
 * stellaris_eth.c for the design.
 */
#ifndef STELLARIS_ETH_H
#define STELLARIS_ETH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eth_port.h"

struct stellaris_eth_config {
	uintptr_t base;
	unsigned irq;           /* NVIC line */
	struct eth_slot *slots; /* the receive ring: a power-of-two count */
	size_t slot_count;
	/* Programmed when the address registers hold none (silicon after
	 * reset: the board reads it from its user flash words). */
	uint8_t mac[BOARD_ETH_ADDR_LEN];
};

struct stellaris_eth {
	volatile uint32_t *regs;
	unsigned irq;
	volatile bool tx_busy; /* a frame is in the MAC's one-frame TX FIFO */
	uint8_t mac[BOARD_ETH_ADDR_LEN];
	struct eth_port port;
};

/*
 * Reset the FIFOs, take or program the MAC address, enable receive and
 * transmit (with padding and FCS generation) and the interrupts.  thread,
 * after kt_init().  0; -EINVAL for a bad configuration.
 */
int stellaris_eth_init(struct stellaris_eth *d,
		       const struct stellaris_eth_config *c);

/* The controller's interrupt handler: the board's vector calls it.  ISR. */
void stellaris_eth_isr(struct stellaris_eth *d);

/* board_eth_send/board_eth_recv for this controller: same contracts. */
int stellaris_eth_send(struct stellaris_eth *d, const void *frame, size_t len,
		       kt_tick_t timeout);
int stellaris_eth_recv(struct stellaris_eth *d, void *buf, size_t len,
		       kt_tick_t timeout);

#endif
