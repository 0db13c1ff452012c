# mps2-an385: ARM MPS2 with the AN385 FPGA image, a Cortex-M3 at 25 MHz.
# QEMU only (-M mps2-an385).  Sets and appends; the Makefile has the rules.
# mps2-an386 and mps2-an500 include this file and change the CPU.
include board/common/common.mk
CPU_FLAGS := -mcpu=cortex-m3 -mthumb
PORT := cortex-m
BOARD_SRCS += board/mps2-an385/board.c board/drivers/cmsdk_uart.c \
	board/common/systick.c $(BOARD_COMMON_SRCS)
LDSCRIPT := linker/mps2-an385.ld
QEMU_MACHINE := mps2-an385
QEMU_FLAGS :=
# Ethernet: a LAN9118 (board_eth.h); mk/net.mk links these into the
# images that use the network.
BOARD_HAS_ETH := 1
BOARD_ETH_SRCS := board/drivers/eth_port.c board/drivers/lan9118.c board/mps2-an385/eth.c
