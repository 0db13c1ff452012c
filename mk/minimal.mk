# The minimal configuration: the kernel without the stack guards
# (STACK_GUARD=0, mk/fault.mk) and without per-task CPU accounting and the
# hog detector (STATS=0: KT_STATS in kernel/kettle.h); tracing is off
# unless asked for (mk/trace.mk).  Its core must fit KERNEL_BUDGET on
# every board (mk/boards.mk), and it runs the board's scenario suite.
# Included by the Makefile after the board's board.mk and before `test`;
# appends to what it extends.
#
#   make min-size-kernel  the kernel's flash in the minimal configuration
#                         (part of size-kernel, so of make size-boards)
#   make min-test         the scenario suite built minimal, under QEMU;
#                         make test runs it on mps2-an385 (Cortex-M3) and
#                         the micro:bit (Cortex-M0)
#
# Knob: STATS=0 leaves out the accounting in any build (into an O= of its
# own: objects are not rebuilt when it changes).

STATS ?= 1
CFLAGS += -DKT_STATS=$(STATS)

MIN_BDIR := $(O)/$(BOARD)-min
MIN_MAKE = $(MAKE) --no-print-directory $(if $(filter 1,$(V)),,-s) \
	BDIR=$(MIN_BDIR) STACK_GUARD=0 STATS=0
# Every scenario but those of the guards, which are not there.
MIN_SCENARIOS = $(patsubst $(BDIR)/%,$(MIN_BDIR)/%,$(filter-out \
	$(addprefix $(BDIR)/tests/sc_fault_,stack.elf isr_stack.elf main_stack.elf \
	big_frame.elf), \
	$(SCENARIOS)))

# The boards make test runs the minimal suite on.
MIN_TEST_BOARDS := mps2-an385 microbit

.PHONY: min-size-kernel min-test min-images
min-size-kernel: | deps-arm
	$(Q)$(MIN_MAKE) SIZE_LABEL=minimal size-kernel-here

# For make test's build step: one sub-make, what size-kernel measures and
# (on MIN_TEST_BOARDS) the suite.
min-images: | deps-arm
	$(Q)$(MIN_MAKE) $(KERNEL_OBJS:$(BDIR)/%=$(MIN_BDIR)/%) \
		$(SIZE_IMAGE:$(BDIR)/%=$(MIN_BDIR)/%) \
		$(if $(filter $(BOARD),$(MIN_TEST_BOARDS)),$(MIN_SCENARIOS))
board-images: min-images

min-test: | deps-arm deps-qemu
	$(call variant_suite,$(MIN_MAKE),$(MIN_SCENARIOS),minimal configuration)

TEST_TARGETS += min-test-boards
.PHONY: min-test-boards
min-test-boards:
	$(call variant_boards,min-test,$(MIN_TEST_BOARDS))
