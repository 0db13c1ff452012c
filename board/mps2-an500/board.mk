# mps2-an500: ARM MPS2 with the AN500 FPGA image, a Cortex-M7 at 25 MHz.
# QEMU only (-M mps2-an500).  The UART, timers and memory map are the
# AN385's, so this is board/mps2-an385/board.mk with the CPU changed (the
# FPU does double precision too) and the LAN9118 moved to 0xA0000000.
include board/mps2-an385/board.mk
CPU_FLAGS := -mcpu=cortex-m7 -mthumb -mfpu=fpv5-d16 -mfloat-abi=hard
QEMU_MACHINE := mps2-an500
BOARD_CFLAGS += -DLAN9118_BASE=0xa0000000u
BOARD_HAS_FPU := 1
