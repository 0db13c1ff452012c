# What every board links from board/common and board/drivers: start-up,
# fault reports, semihosting exit, newlib glue, the console's task side.
# A board.mk includes this and adds its own board.c, its UART driver and,
# when its tick is SysTick, board/common/systick.c.
BOARD_COMMON_SRCS := board/common/startup.c board/common/board_api.c \
	board/common/console.c board/common/fault.c board/common/semihost.c \
	board/common/syscalls.c board/drivers/uart.c
