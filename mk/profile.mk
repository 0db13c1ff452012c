# make bench-profile: where the bench's instructions go, function by
# function, workload by workload (tools/iprof.py: QEMU one instruction per
# block, every block logged).  The bench is built with 100 iterations a
# workload (PROFILE_N) in its own build directory; counts are divided by
# it, so they read as instructions per operation, set-up included.  For
# looking at a hot path with objdump beside it; make bench is the measure.
PROFILE_N ?= 100
PROFILE_BDIR := $(O)/$(BOARD)-prof

ifeq ($(PROFILE_BUILD),1)
CFLAGS += -DN=$(PROFILE_N)u
endif

.PHONY: bench-profile
bench-profile: | deps-qemu
	$(Q)$(MAKE) --no-print-directory -s BDIR=$(PROFILE_BDIR) PROFILE_BUILD=1 \
		$(PROFILE_BDIR)/bench.elf
	$(Q)$(PYTHON) tools/iprof.py --machine $(QEMU_MACHINE) --split report \
		--div $(PROFILE_N) $(PROFILE_BDIR)/bench.elf
