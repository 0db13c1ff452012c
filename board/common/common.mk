# What every board links from board/common and board/drivers: start-up,
# fault reports, semihosting exit, newlib glue, the console's task side.
# A board.mk includes this and adds its own board.c, its UART driver and
# its tick: board/common/systick.c when SysTick is its only timer,
# board/common/ticker.c when it has a free-running counter and an alarm.
BOARD_COMMON_SRCS := board/common/startup.c board/common/board_api.c \
	board/common/console.c board/common/fault.c board/common/mpu.c board/common/semihost.c \
	board/common/syscalls.c board/drivers/uart.c
