# microbit: BBC micro:bit v1, a Nordic nRF51822 (Cortex-M0, ARMv6-M) at
# 16 MHz, 16 KiB of RAM; QEMU's -M microbit, and the real board, flashed
# through its on-board CMSIS-DAP interface (OpenOCD's nrf51 target).
# Sets and appends; the Makefile has the rules.
include board/common/common.mk
CPU_FLAGS := -mcpu=cortex-m0 -mthumb
PORT := cortex-m
BOARD_SRCS += board/microbit/board.c board/drivers/nrf51_uart.c \
	board/common/ticker.c $(BOARD_COMMON_SRCS)
LDSCRIPT := linker/microbit.ld
QEMU_MACHINE := microbit
QEMU_FLAGS :=
OPENOCD_CFG := -f interface/cmsis-dap.cfg -f target/nrf51.cfg
