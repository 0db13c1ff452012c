/*
 * mps2-an385: the board's Ethernet (board_eth.h) on its LAN9118.
 *
 * The chip sits at 0x40200000 on interrupt line 13 (eth_handler in
 * startup.c's vector table).  The same file serves the other MPS2 images
 * that carry the chip elsewhere: their board.mk sets LAN9118_BASE (the
 * AN500 has it at 0xA0000000).  The receive ring has 8 slots, about
 * 12 KiB: at QEMU's rates a task that falls behind by a few frames loses
 * none.
 */
#include "board.h"
#include "board_eth.h"
#include "common/board_common.h"
#include "drivers/lan9118.h"

#ifndef LAN9118_BASE
#define LAN9118_BASE 0x40200000u
#endif
#ifndef LAN9118_IRQ
#define LAN9118_IRQ 13u
#endif
#define RX_SLOTS 8u

static struct lan9118 eth;
static struct eth_slot rx_slots[RX_SLOTS];

void eth_handler(void)
{
	uint32_t prev = board_irq_trace_enter();

	lan9118_isr(&eth);
	board_irq_trace_exit(prev);
}

int board_eth_init(void)
{
	const struct lan9118_config cfg = {
		.base = LAN9118_BASE,
		.irq = LAN9118_IRQ,
		.slots = rx_slots,
		.slot_count = RX_SLOTS,
	};

	if (eth.port.up)
		return 0;
	return lan9118_init(&eth, &cfg);
}

void board_eth_mac(uint8_t mac[BOARD_ETH_ADDR_LEN])
{
	for (unsigned i = 0; i < BOARD_ETH_ADDR_LEN; i++)
		mac[i] = eth.mac[i];
}

int board_eth_send(const void *frame, size_t len, kt_tick_t timeout)
{
	return lan9118_send(&eth, frame, len, timeout);
}

int board_eth_recv(void *buf, size_t len, kt_tick_t timeout)
{
	return lan9118_recv(&eth, buf, len, timeout);
}

int board_eth_loopback(bool on)
{
	if (!eth.port.up)
		return -ENODEV;
	return lan9118_set_loopback(&eth, on);
}

void board_eth_stats(struct board_eth_stats *s)
{
	eth_port_stats(&eth.port, s);
}
