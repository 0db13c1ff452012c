# kettle: make run | test | bench | size | flash | debug | clean
# Knobs: BOARD=..., CROSS_COMPILE=..., O=build dir, V=1 for full commands.

BOARD ?= mps2-an385
CROSS_COMPILE ?= arm-none-eabi-
O ?= build
V ?= 0

ifeq ($(V),1)
Q :=
else
Q := @
endif

CC := $(CROSS_COMPILE)gcc
OBJCOPY := $(CROSS_COMPILE)objcopy
SIZE := $(CROSS_COMPILE)size
HOSTCC ?= cc
PYTHON ?= python3

BDIR := $(O)/$(BOARD)
HDIR := $(O)/host

WARN := -Wall -Wextra -Werror -Wstrict-prototypes -Wshadow -Wundef
KERNEL_SRCS := $(wildcard kernel/*.c)

# ---- the board -------------------------------------------------------
# board.mk appends: CPU_FLAGS, PORT (a folder under kernel/port), BOARD_SRCS,
# LDSCRIPT, QEMU_MACHINE, QEMU_FLAGS.
-include board/$(BOARD)/board.mk

PORT_SRCS := $(wildcard kernel/port/$(PORT)/*.c kernel/port/$(PORT)/*.S)
CFLAGS := $(CPU_FLAGS) -Os -g3 -std=c11 $(WARN) -ffunction-sections -fdata-sections \
	-MD -MP -Ikernel -Ikernel/port/$(PORT) -Iboard -Iboard/$(BOARD) $(BOARD_CFLAGS)
# Recursive (=), so that $@ in the map file name is the image being linked.
LDFLAGS = $(CPU_FLAGS) -T $(LDSCRIPT) -Wl,--gc-sections -Wl,-Map=$@.map \
	--specs=nano.specs -Wl,--no-warn-rwx-segments

# Object lists: every image links the kernel, the port and the board.
obj = $(patsubst %.S,$(BDIR)/%.o,$(patsubst %.c,$(BDIR)/%.o,$(1)))
BASE_OBJS := $(call obj,$(KERNEL_SRCS) $(PORT_SRCS) $(BOARD_SRCS))

$(BDIR)/%.o: %.c | deps-arm
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BDIR)/%.o: %.S | deps-arm
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  AS      $<"
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BDIR)/%.elf: $(BASE_OBJS) $(LDSCRIPT)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) $(filter %.o,$^) -o $@
	$(Q)$(OBJCOPY) -O binary $@ $(@:.elf=.bin)
	$(Q)$(OBJCOPY) -O ihex $@ $(@:.elf=.hex)

DEMO := $(BDIR)/demo.elf
BENCH := $(BDIR)/bench.elf
SCENARIOS := $(patsubst tests/qemu/%.c,$(BDIR)/tests/%.elf,$(wildcard tests/qemu/sc_*.c))

$(DEMO): $(call obj,$(wildcard apps/demo/*.c))
$(BENCH): $(call obj,$(wildcard apps/bench/*.c))
# A static pattern rule: its objects are explicit, so make neither prefers
# the generic %.elf rule above nor deletes them as intermediate files.
$(SCENARIOS): $(BDIR)/tests/%.elf: $(BDIR)/tests/qemu/%.o \
		$(BDIR)/tests/qemu/scenario.o $(BASE_OBJS) $(LDSCRIPT)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) $(filter %.o,$^) -o $@

.PHONY: all run test host-test qemu-test bench size flash debug clean deps deps-arm deps-qemu deps-host
all: $(DEMO) $(BENCH)

QEMU := qemu-system-arm -M $(QEMU_MACHINE) -display none \
	-semihosting-config enable=on,target=native $(QEMU_FLAGS)

run: $(DEMO) | deps-qemu
	@echo "kettle demo on $(BOARD): a shell on this console (\"help\" lists its commands); Ctrl-A x quits."
	$(QEMU) -nographic $(RUN_FLAGS) -kernel $(DEMO)

# Fragments in mk/*.mk add their own targets and append to TEST_TARGETS,
# so separate features extend the build without editing the same lines.
TEST_TARGETS := host-test qemu-test bench
-include $(sort $(wildcard mk/*.mk))

# make test in four steps: the tools (apt-get must not run twice at once);
# every image, host test binary and fuzzer built in parallel (TEST_JOBS at
# a time; one sub-make per board or variant, so no two jobs write the
# same file); the tests that no clock paces (TEST_PARALLEL: host tests,
# analysis, fuzzers, sizes, builds), TEST_JOBS at a time, each one's
# output kept together; then the QEMU tests one after another, as QEMU
# runs in real time beside the host's peers and must not share the CPU.
TEST_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
TEST_PARALLEL := host-test check fuzz-kernel fuzz-test size-boards cmake-test \
	docs-test frame-test version-test readme-test format-check
# Every tool make test uses, installed first and one at a time.
TEST_DEPS := deps deps-fuzz deps-check deps-cmake deps-docs deps-gdb deps-net \
	deps-format
test:
	$(Q)$(MAKE) --no-print-directory $(TEST_DEPS)
	$(Q)$(MAKE) --no-print-directory -j$(TEST_JOBS) test-build
	$(Q)$(MAKE) --no-print-directory -j$(TEST_JOBS) -Otarget test-parallel
	$(Q)$(MAKE) --no-print-directory test-run

.PHONY: test-run test-build test-parallel board-images default-images
test-parallel: $(filter $(TEST_PARALLEL),$(TEST_TARGETS))
test-run: $(filter-out $(TEST_PARALLEL),$(TEST_TARGETS))
test-build: $(addprefix images-on-,$(BOARDS))
images-on-%:
	$(Q)$(MAKE) --no-print-directory BOARD=$* board-images \
		$(if $(filter $*,$(BOARD)),default-images)
# The board's images the tests run, and those that only the default
# board's run (fragments add theirs: a variant's sub-make is one target).
board-images: $(SCENARIOS)
default-images: $(BENCH)

# QEMU_TEST_ARGS: run.py options the fragments add (mk/soak.mk: --soak-net).
qemu-test: $(SCENARIOS) | deps-qemu
	$(Q)$(PYTHON) tests/qemu/run.py --machine $(QEMU_MACHINE) $(QEMU_TEST_ARGS) $(SCENARIOS)

bench: $(BENCH) $(HDIR)/wheel_host | deps-qemu
	$(Q)$(PYTHON) tests/qemu/bench.py --machine $(QEMU_MACHINE) --out $(BDIR)/bench.txt $(BENCH)
	@echo "timer wheel alone on this host (wall clock, best of 5):"
	$(Q)$(HDIR)/wheel_host

# The host benchmark of the wheel: optimised, without sanitizers.
$(HDIR)/wheel_host: tests/bench/wheel_host.c $(KERNEL_SRCS) $(wildcard kernel/*.h) | deps-host
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) -O2 -std=c11 -D_GNU_SOURCE $(WARN) -Ikernel -Ikernel/port/host $< \
		$(KERNEL_SRCS) $(wildcard kernel/port/host/*.c kernel/port/host/*.S) -o $@

size: $(DEMO) $(BENCH) $(call obj,$(KERNEL_SRCS) $(PORT_SRCS))
	@echo "kernel (kernel/ and kernel/port/$(PORT)/, before linking):"
	$(Q)$(SIZE) -t $(call obj,$(KERNEL_SRCS) $(PORT_SRCS)) | tail -n 1
	@echo "images:"
	$(Q)$(SIZE) $(DEMO) $(BENCH)

# flash and debug, per board: mk/boards.mk

# ---- host unit tests -------------------------------------------------
HOST_WARN := $(WARN)
HOST_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 $(HOST_WARN) -Ikernel -Ikernel/port/host -Itests/host $(HOST_EXTRA_CFLAGS)
HOST_SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
HOST_KSRCS := $(KERNEL_SRCS) $(wildcard kernel/port/host/*.c kernel/port/host/*.S) $(HOST_EXTRA_SRCS)
HOST_TESTS := $(patsubst tests/host/%.c,%,$(wildcard tests/host/test_*.c))
HOST_BINS := $(addprefix $(HDIR)/plain/,$(HOST_TESTS)) $(addprefix $(HDIR)/san/,$(HOST_TESTS))

# The kernel, its host port and HOST_EXTRA_SRCS are compiled once per
# variant (plain, and with asan+ubsan) and linked into every test; a test
# compiles its own file and HOST_TEST_SRCS.  A test whose kernel differs
# (test_trace: tracing on) compiles the sources itself (HOST_LINK); its
# flags are private, so that the shared objects never see them.
HOST_OBJS_plain := $(patsubst %,$(HDIR)/obj/plain/%.o,$(HOST_KSRCS))
HOST_OBJS_san := $(patsubst %,$(HDIR)/obj/san/%.o,$(HOST_KSRCS))
HOST_HDRS := $(wildcard kernel/*.h kernel/port/host/*.h tests/host/*.h)
HOST_LINK = $(HOST_OBJS_$(HOST_VARIANT))
$(HDIR)/plain/%: HOST_VARIANT := plain
$(HDIR)/san/%: HOST_VARIANT := san

$(HDIR)/obj/plain/%.o: % | deps-host
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  HOSTCC  $<"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -MD -MP -c $< -o $@

$(HDIR)/obj/san/%.o: % | deps-host
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  HOSTCC  $< (asan+ubsan)"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(HOST_SAN) -MD -MP -c $< -o $@

-include $(HOST_OBJS_plain:.o=.d) $(HOST_OBJS_san:.o=.d)
# Prerequisites of pattern rules only, so make would take them for
# intermediate files and delete them after each run.
.SECONDARY: $(HOST_OBJS_plain) $(HOST_OBJS_san)

$(HDIR)/plain/%: tests/host/%.c $(HOST_OBJS_plain) $(HOST_HDRS) | deps-host
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  HOSTLD  $@"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $< $(HOST_TEST_SRCS) $(HOST_LINK) -lcmocka -o $@

$(HDIR)/san/%: tests/host/%.c $(HOST_OBJS_san) $(HOST_HDRS) | deps-host
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  HOSTLD  $@ (asan+ubsan)"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(HOST_SAN) $< $(HOST_TEST_SRCS) $(HOST_LINK) -lcmocka -o $@

# The trace test needs the kernel built with tracing on.
$(HDIR)/plain/test_trace $(HDIR)/san/test_trace: private HOST_CFLAGS += -DKT_TRACE=1
$(HDIR)/plain/test_trace $(HDIR)/san/test_trace: private HOST_LINK = $(HOST_KSRCS)

# Built with the rest of make test's images (test-build is defined above,
# before HOST_BINS was).
test-build: $(HOST_BINS)

host-test: $(HOST_BINS)
	$(Q)tests/host/run.sh $(HOST_BINS)

# ---- tools: installed from Debian when missing -------------------------
deps: deps-arm deps-qemu deps-host
deps-arm:
	$(Q)scripts/deps.sh arm
deps-qemu:
	$(Q)scripts/deps.sh qemu
deps-host:
	$(Q)scripts/deps.sh host

clean:
	rm -rf $(O)

-include $(shell find $(O) -name '*.d' 2>/dev/null)
