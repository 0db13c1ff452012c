/*
 * nRF51 UART, the register half (uart.c has the rings and the tasks).
 *
 * The nRF51 reports through event registers that stay set until written
 * 0, and one interrupt line carries them all.
 *
 * RX: RXDRDY means a byte waits in RXD (up to 6 in the receive FIFO).
 * The handler clears the event before it reads RXD: reading makes the
 * next byte, if any, raise RXDRDY again, and clearing after the read
 * would erase that and strand the byte.  So it loops while RXDRDY is set.
 * An overrun shows as the ERROR event with ERRORSRC.OVERRUN.
 *
 * TX: one byte at a time, and nothing in the UART says whether a byte is
 * in flight: TXDRDY only says one finished, and a write to TXD while one
 * is in flight is lost.  So the driver keeps that bit itself, tx_busy,
 * changed only with interrupts masked or in the handler: set when a byte
 * goes to TXD, cleared when TXDRDY comes and the ring has nothing more.
 * TXDRDY left over from earlier polled output is cleared before each
 * byte, so it always belongs to the byte in flight.  Under QEMU the
 * transmitter backs up when its host side does (a full pipe or socket):
 * TXDRDY then waits, and writers block; and when the byte goes out at
 * last, QEMU 7.2 sets TXDRDY without raising the interrupt, which
 * nrf51_uart_poll_isr() makes up for from the board's tick.
 */
#include "nrf51_uart.h"

#include "common/cortex_m.h"

#define REG(u, off) CM_REG((u)->base + (off))
#define TASKS_STARTRX 0x000u
#define TASKS_STARTTX 0x008u
#define EVENTS_RXDRDY 0x108u
#define EVENTS_TXDRDY 0x11cu
#define EVENTS_ERROR 0x124u
#define INTENSET 0x304u
#define INTENCLR 0x308u
#define ERRORSRC 0x480u
#define ENABLE 0x500u
#define PSELRTS 0x508u
#define PSELTXD 0x50cu
#define PSELCTS 0x510u
#define PSELRXD 0x514u
#define RXD 0x518u
#define TXD 0x51cu
#define BAUDRATE 0x524u
#define CONFIG 0x56cu

#define INT_RXDRDY (1u << 2)
#define INT_TXDRDY (1u << 7)
#define INT_ERROR (1u << 9)
#define ERRORSRC_OVERRUN (1u << 0)
#define ENABLE_UART 4u
#define PSEL_DISCONNECTED 0xffffffffu

/* GPIO, for the pins (P0 on the nRF51). */
#define GPIO_OUTSET CM_REG(0x50000508u)
#define GPIO_PIN_CNF(n) CM_REG(0x50000700u + 4u * (n))
#define PIN_OUTPUT 1u
#define PIN_INPUT_CONNECTED 0u

/* Send the next queued byte if nothing is in flight; ring consumer side. */
static void tx_start(struct uart *u)
{
	uint8_t b;

	if (!u->tx_busy && uart_tx_next(u, &b)) {
		REG(u, EVENTS_TXDRDY) = 0;
		REG(u, TXD) = b;
		u->tx_busy = 1;
	}
}

/* Wait for the byte in flight, if any, to finish.  Masked. */
static void drain(struct uart *u)
{
	if (u->tx_busy) {
		while (REG(u, EVENTS_TXDRDY) == 0)
			;
	}
}

static void put_polled(struct uart *u, uint8_t b)
{
	/* The handler learns of this byte from TXDRDY like of any other. */
	drain(u);
	REG(u, EVENTS_TXDRDY) = 0;
	REG(u, TXD) = b;
	u->tx_busy = 1;
}

static const struct uart_ops nrf51_ops = {
	.tx_start = tx_start,
	.put_polled = put_polled,
	.drain = drain,
};

int nrf51_uart_init(struct uart *u, const struct nrf51_uart_config *c)
{
	if (c == NULL)
		return -EINVAL;
	if (uart_init(u, &nrf51_ops, c->base, c->rx_buf, c->rx_size, c->tx_buf,
		      c->tx_size) != 0)
		return -EINVAL;
	/* TX idles high: drive it before the UART takes the pin. */
	GPIO_OUTSET = 1u << c->tx_pin;
	GPIO_PIN_CNF(c->tx_pin) = PIN_OUTPUT;
	GPIO_PIN_CNF(c->rx_pin) = PIN_INPUT_CONNECTED;

	REG(u, INTENCLR) = 0xffffffffu;
	REG(u, ENABLE) = 0;
	REG(u, PSELTXD) = c->tx_pin;
	REG(u, PSELRXD) = c->rx_pin;
	REG(u, PSELRTS) = PSEL_DISCONNECTED;
	REG(u, PSELCTS) = PSEL_DISCONNECTED;
	REG(u, BAUDRATE) = c->baudrate;
	REG(u, CONFIG) = 0; /* no parity, no flow control */
	REG(u, ENABLE) = ENABLE_UART;
	/* Stale events (earlier polled output) would never mean anything. */
	REG(u, EVENTS_RXDRDY) = 0;
	REG(u, EVENTS_TXDRDY) = 0;
	REG(u, EVENTS_ERROR) = 0;
	REG(u, ERRORSRC) = REG(u, ERRORSRC);
	REG(u, TASKS_STARTRX) = 1;
	REG(u, TASKS_STARTTX) = 1;
	REG(u, INTENSET) = INT_RXDRDY | INT_TXDRDY | INT_ERROR;
	nvic_unpend(c->irq);
	nvic_enable(c->irq);
	return 0;
}

/* TXDRDY: the byte in flight is done; send the next. */
static void tx_done_isr(struct uart *u)
{
	uint8_t b;

	/* Under QEMU a byte finishes as it is written: keep feeding. */
	do {
		REG(u, EVENTS_TXDRDY) = 0;
		if (!uart_tx_next(u, &b)) {
			u->tx_busy = 0;
			break;
		}
		REG(u, TXD) = b;
		u->tx_busy = 1; /* also after a stale TXDRDY */
	} while (REG(u, EVENTS_TXDRDY));
	uart_tx_done_isr(u);
}

void nrf51_uart_poll_isr(struct uart *u)
{
	if (u->tx_busy && REG(u, EVENTS_TXDRDY))
		tx_done_isr(u);
}

void nrf51_uart_isr(struct uart *u)
{
	if (REG(u, EVENTS_RXDRDY)) {
		do {
			REG(u, EVENTS_RXDRDY) = 0; /* before reading: see the top */
			uart_rx_byte_isr(u, (uint8_t)REG(u, RXD));
		} while (REG(u, EVENTS_RXDRDY));
		uart_rx_done_isr(u);
	}
	if (REG(u, EVENTS_ERROR)) {
		uint32_t src = REG(u, ERRORSRC);

		REG(u, EVENTS_ERROR) = 0;
		REG(u, ERRORSRC) = src; /* write 1 to clear */
		if (src & ERRORSRC_OVERRUN)
			u->stats.rx_overrun++;
	}
	if (REG(u, EVENTS_TXDRDY))
		tx_done_isr(u);
}
