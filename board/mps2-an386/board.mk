# mps2-an386: ARM MPS2 with the AN386 FPGA image, a Cortex-M4F at 25 MHz.
# QEMU only (-M mps2-an386).  The peripherals and the memory map are the
# AN385's, so this is board/mps2-an385/board.mk with the CPU changed: the
# FPU in hardware (single precision), and the port's lazy FP switch.
include board/mps2-an385/board.mk
CPU_FLAGS := -mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard
QEMU_MACHINE := mps2-an386
BOARD_HAS_FPU := 1
