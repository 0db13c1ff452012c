# lm3s6965evb: TI Stellaris LM3S6965, a Cortex-M3 at 12.5 MHz; QEMU's
# -M lm3s6965evb, and the EK-LM3S6965 evaluation kit as real hardware,
# flashed through its on-board debugger (FTDI, OpenOCD's ek-lm3s6965).
# Sets and appends; the Makefile has the rules.
include board/common/common.mk
CPU_FLAGS := -mcpu=cortex-m3 -mthumb
PORT := cortex-m
BOARD_SRCS += board/lm3s6965evb/board.c board/drivers/pl011.c \
	board/common/systick.c $(BOARD_COMMON_SRCS)
LDSCRIPT := linker/lm3s6965evb.ld
QEMU_MACHINE := lm3s6965evb
QEMU_FLAGS :=
# QEMU's PL011 writes each byte synchronously: the UART never backs up.
BOARD_UART_STALLS := 0
OPENOCD_CFG := -f board/ek-lm3s6965.cfg
# Ethernet: the LM3S6965's controller (board_eth.h); mk/net.mk links these
# into the images that use the network.
BOARD_HAS_ETH := 1
BOARD_ETH_SRCS := board/drivers/eth_port.c board/drivers/stellaris_eth.c board/lm3s6965evb/eth.c
