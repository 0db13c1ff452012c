/*
 * lm3s6965evb: the board's Ethernet (board_eth.h) on the LM3S6965's own
 * controller at 0x40048000, interrupt line 42 (eth_handler in board.c's
 * vector table).
 *
 * The controller and its PHY are clocked through RCGC2 on silicon (QEMU
 * ignores it).  Its address registers are empty after a real reset; the
 * factory MAC then sits in the USER0/USER1 flash words, 3 bytes each, and
 * the driver programs it.  QEMU fills the registers from -nic ...,mac=.
 * The receive ring has 4 slots (6 KiB of the 64 KiB of RAM).  The PHY
 * cannot loop back under QEMU (it models none), so board_eth_loopback
 * says -ENOTSUP.
 */
#include "board.h"
#include "board_eth.h"
#include "common/board_common.h"
#include "common/cortex_m.h"
#include "drivers/stellaris_eth.h"

#define ETH_BASE 0x40048000u
#define ETH_IRQ 42u
#define RX_SLOTS 4u

#define SYSCTL_RCGC2 CM_REG(0x400fe108u)
#define RCGC2_EMAC0 (1u << 28)
#define RCGC2_EPHY0 (1u << 30)
#define SYSCTL_USER0 CM_REG(0x400fe1e0u)
#define SYSCTL_USER1 CM_REG(0x400fe1e4u)

static struct stellaris_eth eth;
static struct eth_slot rx_slots[RX_SLOTS];

void eth_handler(void)
{
	uint32_t prev = board_irq_trace_enter();

	stellaris_eth_isr(&eth);
	board_irq_trace_exit(prev);
}

int board_eth_init(void)
{
	struct stellaris_eth_config cfg = {
		.base = ETH_BASE,
		.irq = ETH_IRQ,
		.slots = rx_slots,
		.slot_count = RX_SLOTS,
	};
	uint32_t u0, u1;

	if (eth.port.up)
		return 0;
	SYSCTL_RCGC2 |= RCGC2_EMAC0 | RCGC2_EPHY0;
	(void)SYSCTL_RCGC2; /* a few cycles before the controller is touched */
	u0 = SYSCTL_USER0;
	u1 = SYSCTL_USER1;
	cfg.mac[0] = (uint8_t)u0;
	cfg.mac[1] = (uint8_t)(u0 >> 8);
	cfg.mac[2] = (uint8_t)(u0 >> 16);
	cfg.mac[3] = (uint8_t)u1;
	cfg.mac[4] = (uint8_t)(u1 >> 8);
	cfg.mac[5] = (uint8_t)(u1 >> 16);
	return stellaris_eth_init(&eth, &cfg);
}

void board_eth_mac(uint8_t mac[BOARD_ETH_ADDR_LEN])
{
	for (unsigned i = 0; i < BOARD_ETH_ADDR_LEN; i++)
		mac[i] = eth.mac[i];
}

int board_eth_send(const void *frame, size_t len, kt_tick_t timeout)
{
	return stellaris_eth_send(&eth, frame, len, timeout);
}

int board_eth_recv(void *buf, size_t len, kt_tick_t timeout)
{
	return stellaris_eth_recv(&eth, buf, len, timeout);
}

int board_eth_loopback(bool on)
{
	(void)on;
	return eth.port.up ? -ENOTSUP : -ENODEV;
}

void board_eth_stats(struct board_eth_stats *s)
{
	eth_port_stats(&eth.port, s);
}
