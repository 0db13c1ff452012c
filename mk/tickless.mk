# Tickless idle (kernel/port.h: KT_TICKLESS and port_idle_ticks; the
# boards' tick in board/common/ticker.c and systick.c): the board half in
# the host test.  Included by the Makefile after the board's board.mk and
# before `test`; appends to what it extends.

# ---- the host test ---------------------------------------------------------
# tests/host/test_time.c runs the boards' ticker.c over a simulated board.
TIME_TESTS := $(HDIR)/plain/test_time $(HDIR)/san/test_time
$(TIME_TESTS): HOST_KSRCS += board/common/ticker.c
$(TIME_TESTS): HOST_CFLAGS += -Iboard -Iboard/drivers
$(TIME_TESTS): board/common/ticker.c board/common/tick_phase.h \
	board/common/board_common.h
