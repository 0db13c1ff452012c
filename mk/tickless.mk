# Tickless idle (kernel/port.h: KT_TICKLESS and port_idle_ticks; the
# boards' tick in board/common/ticker.c and systick.c): the builds with the
# periodic tick, the measurement, and the board half in the host test.
# Included by the Makefile after the board's board.mk and before `test`;
# appends to what it extends.
#
#   make tickless-test   part of every board's qemu-test (make test runs it
#                        on each board): sc_tickless and sc_sleep built
#                        with KT_TICKLESS=0 (the default build runs them
#                        tickless, with the other scenarios), and the
#                        interrupt counts below checked against bounds
#   make tickless-bench  the timer interrupts in 10 s of idle with one 1 s
#                        timer, tickless and periodic, counted in QEMU's
#                        trace, and the 1 s wake-ups measured by
#                        board_cycles() (part of make bench):
#                        $(BDIR)/tickless-bench.txt
#
# The periodic images are built apart, in $(O)/$(BOARD)-periodic, by a
# sub-make with BDIR pointed there and PERIODIC_BUILD=1, which adds
# -DKT_TICKLESS=0 to every object: the kernel's idle path, the board and
# the application must agree.

TICKLESS_IMAGE := $(BDIR)/tickless.elf
$(TICKLESS_IMAGE): $(call obj,$(wildcard apps/tickless/*.c))

PERIODIC_BDIR := $(O)/$(BOARD)-periodic

ifeq ($(PERIODIC_BUILD),1)
CFLAGS += -DKT_TICKLESS=0
else
PERIODIC_MAKE = $(MAKE) --no-print-directory $(if $(filter 1,$(V)),,-s) \
	BDIR=$(PERIODIC_BDIR) PERIODIC_BUILD=1
PERIODIC_SCENARIOS := $(PERIODIC_BDIR)/tests/sc_tickless.elf \
	$(PERIODIC_BDIR)/tests/sc_sleep.elf
PERIODIC_IMAGE := $(PERIODIC_BDIR)/tickless.elf
TICKLESS_BENCH = $(PYTHON) tests/qemu/tickless_bench.py --machine $(QEMU_MACHINE) \
	--tickless $(TICKLESS_IMAGE) --periodic $(PERIODIC_IMAGE)

.PHONY: tickless-test tickless-bench periodic-images
periodic-images: | deps-arm
	+$(Q)$(PERIODIC_MAKE) $(PERIODIC_SCENARIOS) $(PERIODIC_IMAGE)
board-images: periodic-images

tickless-test: periodic-images $(TICKLESS_IMAGE) | deps-qemu
	$(Q)$(PYTHON) tests/qemu/run.py --machine $(QEMU_MACHINE) $(PERIODIC_SCENARIOS)
	$(Q)$(TICKLESS_BENCH) --check
qemu-test: tickless-test

bench: tickless-bench
tickless-bench: periodic-images $(TICKLESS_IMAGE) | deps-qemu
	$(Q)$(TICKLESS_BENCH) --out $(BDIR)/tickless-bench.txt
endif

# ---- the host test ---------------------------------------------------------
# tests/host/test_time.c runs the boards' ticker.c over a simulated board.
TIME_TESTS := $(HDIR)/plain/test_time $(HDIR)/san/test_time
$(TIME_TESTS): private HOST_TEST_SRCS += board/common/ticker.c
$(TIME_TESTS): private HOST_CFLAGS += -Iboard -Iboard/drivers
$(TIME_TESTS): board/common/ticker.c board/common/tick_phase.h \
	board/common/board_common.h
