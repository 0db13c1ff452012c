# Link-time optimisation, a knob: LTO=1 compiles every object for GCC's
# link-time optimiser too, so that the kernel's calls inline into each
# other and into the application across files.  Into an O= of its own, as
# any knob (objects are not rebuilt when it changes).  Off by default: the
# numbers of README and docs/measured.md are the default build's; what
# LTO=1 changes is measured by make bench (bench-lto).  Included by the
# Makefile after the board's board.mk and before `test`; appends to what
# it extends.
#
#   make LTO=1 O=build-lto ...  any image built with LTO
#   make lto-test        the scenario suite built with LTO=1, under QEMU;
#                        make test runs it on mps2-an385 (Cortex-M3) and
#                        the micro:bit (Cortex-M0)
#   make bench-lto       the kernel's bench built with LTO=1 (part of
#                        make bench): $(O)/$(BOARD)-lto/bench.txt
#
# Objects stay fat (ordinary code beside the optimiser's), so the size
# tools and scripts/kernel_size.py read them as they read any object.  One
# partition: each image is small, and the symbols that inline assembly
# names keep their names.  Two objects are never optimised at link time:
# the reset and fault entries (board/common/startup.c: naked functions
# whose assembly names symbols the optimiser cannot see) and the ARMv6-M
# replacements of libgcc's routines (the optimiser would drop them before
# the calls to them appear).

LTO ?= 0
LTO_FLAGS := -flto -flto-partition=one
ifeq ($(LTO),1)
CFLAGS += $(LTO_FLAGS) -ffat-lto-objects
LDFLAGS += -Os $(LTO_FLAGS)
$(BDIR)/board/common/startup.o $(BDIR)/kernel/port/cortex-m/armv6m.o: \
	CFLAGS += -fno-lto
endif

LTO_BDIR := $(O)/$(BOARD)-lto
LTO_MAKE = $(MAKE) --no-print-directory $(if $(filter 1,$(V)),,-s) \
	BDIR=$(LTO_BDIR) LTO=1
LTO_SCENARIOS = $(patsubst $(BDIR)/%,$(LTO_BDIR)/%,$(SCENARIOS))
LTO_BENCH := $(LTO_BDIR)/bench.elf

# The boards make test runs the suite built with LTO on.
LTO_TEST_BOARDS := mps2-an385 microbit

.PHONY: lto-test lto-images lto-test-boards bench-lto
# For make test's build step: one sub-make.
lto-images: | deps-arm
	$(if $(filter $(BOARD),$(LTO_TEST_BOARDS)),$(Q)$(LTO_MAKE) $(LTO_SCENARIOS))
board-images: lto-images

lto-test: | deps-arm deps-qemu
	$(call variant_suite,$(LTO_MAKE),$(LTO_SCENARIOS),built with LTO=1)

TEST_TARGETS += lto-test-boards
lto-test-boards:
	$(call variant_boards,lto-test,$(LTO_TEST_BOARDS))

bench: bench-lto
bench-lto: | deps-qemu
	$(Q)$(LTO_MAKE) $(LTO_BENCH)
	@echo "the bench built with LTO=1 (the default build's is the other list):"
	$(Q)$(PYTHON) tests/qemu/bench.py --machine $(QEMU_MACHINE) \
		--out $(LTO_BDIR)/bench.txt $(LTO_BENCH)
