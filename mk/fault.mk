# Faults and stack guards: the sc_fault_* scenarios, which fault on
# purpose and announce the report and exit code tests/qemu/run.py must
# see; the guards' knob and what they cost a task switch
# (kernel/port/cortex-m/guard.c).  Included by the Makefile after the
# board's board.mk and before `test`; appends to what it extends.
#
#   make guard-cost   instructions per yield with and without the stack
#                     guards on this board (tests/bench/switch_cost.c,
#                     under -icount); part of make bench
#
# Knob: STACK_GUARD=0 builds the Cortex-M port without guards (into an
# O= of its own: objects are not rebuilt when it changes); the scenarios
# that need them are left out then.

STACK_GUARD ?= 1
CFLAGS += -DPORT_STACK_GUARD=$(STACK_GUARD)

# ---- the frame limit -------------------------------------------------------
# Every object built for the target - kernel, port, board, applications,
# scenarios - with no function frame larger than the port's guard allows
# (kernel/port/cortex-m/guard.h states PORT_FRAME_LIMIT, the one place;
# ARMv7-M's MPU guard is as large).  WARN's -Werror makes a larger frame a
# build error that names the function.  frame-test (tests/build/) checks
# that it does, and that a frame just under the limit builds.
FRAME_LIMIT := $(shell sed -n 's/^\#define PORT_FRAME_LIMIT \([0-9][0-9]*\)$$/\1/p' \
	kernel/port/cortex-m/guard.h)
ifeq ($(FRAME_LIMIT),)
$(error mk/fault.mk: no PORT_FRAME_LIMIT in kernel/port/cortex-m/guard.h)
endif
CFLAGS += -Wframe-larger-than=$(FRAME_LIMIT)

TEST_TARGETS += frame-test
.PHONY: frame-test
frame-test: | deps-arm
	$(Q)tests/build/frame_limit.sh "$(CC)" "$(FRAME_LIMIT)" $(CFLAGS)

# FRAME_GUARD=1 (ARMv7-M): the MPU guard as large as the frame limit, so
# a frame under the limit written at its far end first faults in the
# guard instead of writing below it; no instruction more per switch, but
# 288 to 607 bytes of each task's stack instead of 64 to 159 (guard.h).
# Into an O= of its own, as STACK_GUARD=0.  frame-guard-test builds the
# stack scenarios so (a sub-make, as noguard-image) and runs them.
FRAME_GUARD ?= 0
CFLAGS += -DPORT_FRAME_GUARD=$(FRAME_GUARD)
FRAMEGUARD_BDIR := $(O)/$(BOARD)-frameguard
# With an FPU the reserve (up to 607 bytes) leaves sc_fault_stack's and
# sc_switch's 1 KiB stacks too little for FP frames: those two run only
# on the boards without one.
FRAMEGUARD_SCENARIOS := $(addprefix $(FRAMEGUARD_BDIR)/tests/sc_,\
	fault_big_frame.elf fault_null.elf \
	$(if $(filter 1,$(BOARD_HAS_FPU)),,fault_stack.elf switch.elf))

TEST_TARGETS += frame-guard-test
.PHONY: frame-guard-test
ifneq ($(findstring cortex-m0,$(CPU_FLAGS)),)
frame-guard-test:
	@echo "frame-guard-test $(BOARD): ARMv6-M has no MPU, no frame guard"
else
.PHONY: frameguard-images
frameguard-images: | deps-arm
	$(Q)$(MAKE) --no-print-directory $(if $(filter 1,$(V)),,-s) \
		BDIR=$(FRAMEGUARD_BDIR) FRAME_GUARD=1 $(FRAMEGUARD_SCENARIOS)
default-images: frameguard-images
frame-guard-test: frameguard-images | deps-qemu
	$(Q)$(PYTHON) tests/qemu/run.py --machine $(QEMU_MACHINE) $(FRAMEGUARD_SCENARIOS)
endif
ifeq ($(STACK_GUARD),0)
SCENARIOS := $(filter-out $(addprefix $(BDIR)/tests/sc_fault_,\
	stack.elf isr_stack.elf main_stack.elf big_frame.elf),$(SCENARIOS))
endif

# QEMU's lm3s6965evb answers every unmapped address with 0 instead of a
# bus error: sc_fault_bad_load knows it there.
$(BDIR)/tests/qemu/sc_fault_%.o: CFLAGS += \
	-DSC_BUS_ERRORS=$(if $(filter lm3s6965evb,$(QEMU_MACHINE)),0,1)

# ---- the cost per switch --------------------------------------------------
# The image without guards is built apart, by a sub-make with BDIR
# pointed elsewhere (as mk/trace.mk does for tracing).
SWITCH_COST := $(BDIR)/switch_cost.elf
NOGUARD_BDIR := $(O)/$(BOARD)-noguard
$(SWITCH_COST): $(call obj,tests/bench/switch_cost.c)

.PHONY: guard-cost noguard-image
bench: guard-cost
noguard-image: | deps-arm
	$(Q)$(MAKE) --no-print-directory $(if $(filter 1,$(V)),,-s) \
		BDIR=$(NOGUARD_BDIR) STACK_GUARD=0 $(NOGUARD_BDIR)/switch_cost.elf
default-images: noguard-image
guard-cost: $(SWITCH_COST) noguard-image | deps-qemu
	$(Q)on=$$($(PYTHON) tests/qemu/bench.py --machine $(QEMU_MACHINE) $(SWITCH_COST) \
		| awk '$$1 == "yield" { print $$2 }') && \
	off=$$($(PYTHON) tests/qemu/bench.py --machine $(QEMU_MACHINE) \
		$(NOGUARD_BDIR)/switch_cost.elf | awk '$$1 == "yield" { print $$2 }') && \
	[ -n "$$on" ] && [ -n "$$off" ] && \
	echo "guard-cost $(BOARD): yield $$off instructions without stack guards, $$on with"
