/*
 * board_eth.h for boards without Ethernet: every call says -ENODEV, so a
 * portable application (the demo) links everywhere and finds out at run
 * time.  mk/net.mk links this file where board.mk does not set
 * BOARD_HAS_ETH.
 */
#include <string.h>

#include "board_eth.h"

int board_eth_init(void)
{
	return -ENODEV;
}

void board_eth_mac(uint8_t mac[BOARD_ETH_ADDR_LEN])
{
	memset(mac, 0, BOARD_ETH_ADDR_LEN);
}

int board_eth_send(const void *frame, size_t len, kt_tick_t timeout)
{
	(void)frame;
	(void)len;
	(void)timeout;
	return -ENODEV;
}

int board_eth_recv(void *buf, size_t len, kt_tick_t timeout)
{
	(void)buf;
	(void)len;
	(void)timeout;
	return -ENODEV;
}

int board_eth_loopback(bool on)
{
	(void)on;
	return -ENODEV;
}

void board_eth_stats(struct board_eth_stats *s)
{
	memset(s, 0, sizeof(*s));
}
