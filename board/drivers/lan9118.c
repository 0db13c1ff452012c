/*
 * SMSC LAN9118: interrupt driven, over eth_port.c.
 *
 * The chip keeps frames in FIFOs behind fixed registers: received frames
 * in the RX data FIFO with one status word each in the RX status FIFO,
 * frames to send in the TX data FIFO behind two command words, and one
 * status word per sent frame in the TX status FIFO.  Everything is 32-bit
 * little-endian words.
 *
 * Interrupts: RSFL (an RX status word is waiting: the level is 0, so every
 * frame), TX_IOC (a frame we marked "interrupt on completion" left), and
 * the error bits.  The handler acknowledges what it saw before draining,
 * so a frame that lands while it drains raises the line again instead of
 * being stranded.  It moves each frame whole into the next ring slot (one
 * word read per word), or drains it into nothing - counted under why -
 * when the ring is full, the status reports an error or a filter miss, or
 * the length is out of bounds, reading exactly the frame's words so the
 * FIFO stays in step; and it pops every TX status word, counting
 * completions and waking senders waiting for room.  Fast-forwarding a bad
 * frame (RX_DP_CTRL) would save reads on silicon, but QEMU's model of it
 * loses track of the FIFO; draining by reads is correct on both.
 *
 * Transmit: a frame goes in whole when TX_FIFO_INF says the data FIFO has
 * room for its words and commands; otherwise the sender waits for a
 * completion (eth_port_send).  Each frame is one buffer (first and last
 * segment), flagged interrupt-on-completion.
 *
 * QEMU facts this relies on (see BOARDS.md): the interrupt line is active
 * low at reset, so IRQ_CFG is the first register written, before the
 * NVIC line is enabled; TX_IOC only reaches the line at the next register
 * write, so every send ends with a harmless write of 0 to INT_STS; the
 * model starts promiscuous, so init turns that off.
 */
#include "common/cortex_m.h"
#include "lan9118.h"

/* Register offsets, in words. */
#define RX_DATA (0x00u / 4)
#define TX_DATA (0x20u / 4)
#define RX_STATUS (0x40u / 4)
#define TX_STATUS (0x48u / 4)
#define ID_REV (0x50u / 4)
#define IRQ_CFG (0x54u / 4)
#define INT_STS (0x58u / 4)
#define INT_EN (0x5cu / 4)
#define BYTE_TEST (0x64u / 4)
#define FIFO_INT (0x68u / 4)
#define RX_CFG (0x6cu / 4)
#define TX_CFG (0x70u / 4)
#define HW_CFG (0x74u / 4)
#define RX_FIFO_INF (0x7cu / 4)
#define TX_FIFO_INF (0x80u / 4)
#define PMT_CTRL (0x84u / 4)
#define MAC_CSR_CMD (0xa4u / 4)
#define MAC_CSR_DATA (0xa8u / 4)

#define BYTE_TEST_VALUE 0x87654321u
#define ID_LAN9118 0x0118u

/* IRQ_CFG: enabled, active high, push-pull. */
#define IRQ_CFG_VALUE 0x111u

/* INT_STS / INT_EN */
#define INT_TX_IOC (1u << 21)
#define INT_RXE (1u << 14)
#define INT_TXE (1u << 13)
#define INT_TDFO (1u << 10)
#define INT_RSFL (1u << 3)
#define INT_RXDF (1u << 6)
#define INT_ALL 0xffffffffu
#define INT_USED \
	(INT_TX_IOC | INT_RXE | INT_TXE | INT_TDFO | INT_RSFL | INT_RXDF)

#define HW_CFG_SRST (1u << 0)
#define PMT_CTRL_READY (1u << 0)
#define TX_CFG_TX_ON (1u << 1)
#define RX_CFG_DUMP (1u << 15)
#define RX_CFG_OFFSET(n) ((uint32_t)(n) << 8) /* RXDOFF: bytes before a frame */
#define RX_OFF 2u
#define TX_CFG_DUMP (3u << 14) /* status and data FIFOs */

/* MAC CSRs, through MAC_CSR_CMD/DATA */
#define MAC_CSR_BUSY (1u << 31)
#define MAC_CSR_READ (1u << 30)
#define MAC_CR 1u
#define MAC_ADDRH 2u
#define MAC_ADDRL 3u
#define MAC_MII_ACC 6u
#define MAC_MII_DATA 7u
#define MAC_CR_RXEN (1u << 2)
#define MAC_CR_TXEN (1u << 3)
#define MAC_CR_FDPX (1u << 20)
#define MAC_CR_RXALL (1u << 31)

/* MII access to the internal PHY (address 1) */
#define MII_PHY (1u << 11)
#define MII_REG(r) ((uint32_t)(r) << 6)
#define MII_WRITE (1u << 1)
#define MII_BUSY (1u << 0)
#define PHY_BMCR 0u
#define BMCR_LOOPBACK (1u << 14)

/* RX status word */
#define RXS_LEN(s) (((s) >> 16) & 0x3fffu) /* frame + FCS */
#define RXS_ERROR (1u << 15)
#define RXS_FILTER_FAIL (1u << 30) /* with MAC_CR_RXALL: not for us */
/* TX status word */
#define TXS_ERROR (1u << 15)
/* TX command A and B */
#define TXA_IOC (1u << 31)
#define TXA_FIRST (1u << 13)
#define TXA_LAST (1u << 12)

#define FCS_LEN 4u
#define RESET_SPINS 100000u /* bounded waits at init only */
/* RX status word counts: TX_FIFO_INF and RX_FIFO_INF bits 23:16. */
#define USED(inf) (((inf) >> 16) & 0xffu)

static uint32_t mac_csr_read(struct lan9118 *d, uint32_t reg)
{
	d->regs[MAC_CSR_CMD] = MAC_CSR_BUSY | MAC_CSR_READ | reg;
	for (uint32_t i = 0;
	     i < RESET_SPINS && (d->regs[MAC_CSR_CMD] & MAC_CSR_BUSY); i++)
		;
	return d->regs[MAC_CSR_DATA];
}

static void mac_csr_write(struct lan9118 *d, uint32_t reg, uint32_t val)
{
	d->regs[MAC_CSR_DATA] = val;
	d->regs[MAC_CSR_CMD] = MAC_CSR_BUSY | reg;
	for (uint32_t i = 0;
	     i < RESET_SPINS && (d->regs[MAC_CSR_CMD] & MAC_CSR_BUSY); i++)
		;
}

static void mii_wait(struct lan9118 *d)
{
	for (uint32_t i = 0;
	     i < RESET_SPINS && (mac_csr_read(d, MAC_MII_ACC) & MII_BUSY); i++)
		;
}

static uint32_t phy_read(struct lan9118 *d, uint32_t reg)
{
	mac_csr_write(d, MAC_MII_ACC, MII_PHY | MII_REG(reg) | MII_BUSY);
	mii_wait(d);
	return mac_csr_read(d, MAC_MII_DATA) & 0xffffu;
}

static void phy_write(struct lan9118 *d, uint32_t reg, uint32_t val)
{
	mac_csr_write(d, MAC_MII_DATA, val);
	mac_csr_write(d, MAC_MII_ACC, MII_PHY | MII_REG(reg) | MII_WRITE | MII_BUSY);
	mii_wait(d);
}

int lan9118_set_loopback(struct lan9118 *d, bool on)
{
	uint32_t bmcr = phy_read(d, PHY_BMCR);

	bmcr = on ? bmcr | BMCR_LOOPBACK : bmcr & ~BMCR_LOOPBACK;
	phy_write(d, PHY_BMCR, bmcr);
	return 0;
}

int lan9118_init(struct lan9118 *d, const struct lan9118_config *c)
{
	volatile uint32_t *r;
	uint32_t lo, hi, i;

	if (d == NULL || c == NULL || c->base == 0)
		return -EINVAL;
	if (eth_port_init(&d->port, c->slots, c->slot_count) != 0)
		return -EINVAL;
	d->regs = r = (volatile uint32_t *)c->base;
	d->irq = c->irq;
	nvic_disable(d->irq);

	r[IRQ_CFG] = IRQ_CFG_VALUE; /* first: the line is active low at reset */
	if (r[BYTE_TEST] != BYTE_TEST_VALUE || (r[ID_REV] >> 16) != ID_LAN9118)
		return -ENODEV;
	r[HW_CFG] = HW_CFG_SRST;
	for (i = 0; i < RESET_SPINS && (r[HW_CFG] & HW_CFG_SRST); i++)
		;
	for (i = 0; i < RESET_SPINS && !(r[PMT_CTRL] & PMT_CTRL_READY); i++)
		;
	if (r[HW_CFG] & HW_CFG_SRST)
		return -ENODEV;
	r[IRQ_CFG] = IRQ_CFG_VALUE; /* the reset cleared the enable */
	r[INT_EN] = 0;
	r[INT_STS] = INT_ALL;

	/* The address the EEPROM (QEMU: mac=) loaded, low byte first. */
	lo = mac_csr_read(d, MAC_ADDRL);
	hi = mac_csr_read(d, MAC_ADDRH);
	for (i = 0; i < 4; i++)
		d->mac[i] = (uint8_t)(lo >> (8 * i));
	d->mac[4] = (uint8_t)hi;
	d->mac[5] = (uint8_t)(hi >> 8);

	/* Frames 2 bytes into their words: IP headers land word-aligned. */
	r[RX_CFG] = RX_CFG_DUMP | RX_CFG_OFFSET(RX_OFF);
	r[TX_CFG] = TX_CFG_DUMP;
	r[FIFO_INT] = 0; /* RSFL at the first status word */
	r[TX_CFG] = TX_CFG_TX_ON;
	/*
	 * Not promiscuous: our address and broadcast only.  RXALL passes the
	 * frames the filter refuses too, marked in their status, so the
	 * handler counts each one (rx_filtered) instead of the MAC losing
	 * them silently; they cost FIFO reads, not ring slots.
	 */
	mac_csr_write(d, MAC_CR,
		      MAC_CR_RXEN | MAC_CR_TXEN | MAC_CR_FDPX | MAC_CR_RXALL);

	d->port.up = true;
	r[INT_STS] = INT_ALL;
	r[INT_EN] = INT_USED;
	nvic_unpend(d->irq);
	nvic_enable(d->irq);
	return 0;
}

/* ---- interrupt ---------------------------------------------------------- */

static void rx_discard(volatile uint32_t *r, uint32_t words)
{
	while (words-- != 0)
		(void)r[RX_DATA];
}

static void rx_drain(struct lan9118 *d)
{
	volatile uint32_t *r = d->regs;

	while (USED(r[RX_FIFO_INF]) != 0) {
		uint32_t st = r[RX_STATUS];
		uint32_t len = RXS_LEN(st);
		uint32_t words = (len + RX_OFF + 3u) / 4u;
		struct eth_slot *s;
		int bad = eth_port_rx_check_len(len < FCS_LEN ? 0 : len - FCS_LEN);

		if (st & RXS_ERROR)
			bad = ETH_RX_ERROR;
		else if (bad < 0 && (st & RXS_FILTER_FAIL))
			bad = ETH_RX_FILTERED;
		if (bad >= 0) {
			eth_port_rx_discard_isr(&d->port, (enum eth_rx_discard)bad);
			rx_discard(r, words);
			continue;
		}
		s = eth_port_rx_slot_isr(&d->port);
		if (s == NULL) {
			rx_discard(r, words); /* counted as dropped */
			continue;
		}
		for (uint32_t i = 0; i < words; i++)
			s->data[i] = r[RX_DATA];
		eth_port_rx_commit_isr(&d->port, s, RX_OFF, len - FCS_LEN);
	}
}

static void tx_drain(struct lan9118 *d)
{
	volatile uint32_t *r = d->regs;

	while (USED(r[TX_FIFO_INF]) != 0) {
		uint32_t st = r[TX_STATUS];

		eth_port_tx_done_isr(&d->port, (st & TXS_ERROR) != 0);
	}
}

void lan9118_isr(struct lan9118 *d)
{
	volatile uint32_t *r = d->regs;
	uint32_t sts = r[INT_STS] & INT_USED;

	r[INT_STS] = sts; /* before draining: see the top */
	eth_port_irq_isr(&d->port);
	if (sts & (INT_RXE | INT_RXDF))
		eth_port_rx_overrun_isr(&d->port);
	if (sts & (INT_TXE | INT_TDFO))
		eth_port_tx_error_isr(&d->port); /* frame errors come in TX status */
	rx_drain(d);
	tx_drain(d);
}

/* ---- task side ------------------------------------------------------------ */

static int try_send(void *ctx, const uint8_t *frame, size_t len)
{
	struct lan9118 *d = ctx;
	volatile uint32_t *r = d->regs;
	uint32_t words = ((uint32_t)len + 3u) / 4u;

	if ((r[TX_FIFO_INF] & 0xffffu) < 4u * words + 8u)
		return -EAGAIN;
	r[TX_DATA] = TXA_IOC | TXA_FIRST | TXA_LAST | (uint32_t)len;
	r[TX_DATA] = ((uint32_t)len << 16) | (uint32_t)len; /* tag: the length */
	for (size_t i = 0; i < len; i += 4)
		r[TX_DATA] = eth_word_le(frame + i, len - i);
	r[INT_STS] = 0; /* delivers TX_IOC under QEMU; clears nothing */
	return 0;
}

int lan9118_send(struct lan9118 *d, const void *frame, size_t len, kt_tick_t timeout)
{
	return eth_port_send(&d->port, try_send, d, frame, len, timeout);
}

int lan9118_recv(struct lan9118 *d, void *buf, size_t len, kt_tick_t timeout)
{
	return eth_port_recv(&d->port, buf, len, timeout);
}
