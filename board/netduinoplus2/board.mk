# netduinoplus2: Netduino Plus 2, an STM32F405RG (Cortex-M4F) at 168 MHz;
# QEMU's -M netduinoplus2, and the real board through an SWD probe
# (OpenOCD's stm32f4x target; ST-LINK by default, OPENOCD_PROBE=...).
# Sets and appends; the Makefile has the rules.
include board/common/common.mk
CPU_FLAGS := -mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard
PORT := cortex-m
BOARD_SRCS += board/netduinoplus2/board.c board/drivers/stm32_usart.c \
	board/common/systick.c $(BOARD_COMMON_SRCS)
LDSCRIPT := linker/netduinoplus2.ld
QEMU_MACHINE := netduinoplus2
QEMU_FLAGS :=
BOARD_HAS_FPU := 1
# QEMU's USART writes each byte synchronously: the UART never backs up.
BOARD_UART_STALLS := 0
OPENOCD_PROBE ?= interface/stlink.cfg
OPENOCD_CFG := -f $(OPENOCD_PROBE) -f target/stm32f4x.cfg
