# The network: the stack in net/, the boards' Ethernet, their tests and
# the fuzzer and the UDP echo benchmark.  Included by the Makefile after the
# board's board.mk and before `test`; appends to what it extends.
#
#   make net-test    on-target network tests: loopback scenarios under
#                    -icount, then real peers (QEMU user networking, a TAP
#                    device in a namespace, two boards on one link); make
#                    test runs it on every board (net-test-boards)
#   make fuzz-test   the libFuzzer target over the receive path, bounded
#   make net-bench   instructions per UDP echo, frame in to frame out, and
#                    echoes per second under -icount (part of make bench)
# Knobs: NET_PORT (host UDP port forwarded to the demo's echo on make run),
# FUZZ_SECONDS.

NET_SRCS := $(wildcard net/*.c)
NET_HDRS := $(wildcard net/*.h)
ifeq ($(BOARD_HAS_ETH),1)
NET_ETH_SRCS := $(BOARD_ETH_SRCS)
CFLAGS += -DBOARD_HAS_ETH=1
else
NET_ETH_SRCS := board/common/eth_none.c
endif
# The driver counters' names: every board (the shell prints them).
NET_ETH_SRCS += board/common/eth_stats.c
NET_OBJS := $(call obj,$(NET_SRCS) $(NET_ETH_SRCS))
CFLAGS += -Inet

# ---- the demo answers ping and echoes UDP on port 7 ---------------------
# and, over TCP, the status page on 80, the shell on 23 and an echo on 7.
# Knobs: NET_PORT (host UDP and TCP port to the echo), HTTP_PORT,
# SHELL_PORT.  A board with little RAM (lm3s6965evb: 64 KiB) gets smaller
# TCP rings and pools (apps/demo/web.c).
NET_PORT ?= 5007
HTTP_PORT ?= 8080
SHELL_PORT ?= 5023
$(DEMO): $(NET_OBJS)
$(call obj,apps/demo/web.c): CFLAGS += -DDEMO_BOARD='"$(BOARD)"' \
	$(if $(filter lm3s6965evb,$(BOARD)),-DDEMO_TCP_SMALL=1)
ifeq ($(BOARD_HAS_ETH),1)
RUN_FLAGS += -nic user,hostfwd=udp:127.0.0.1:$(NET_PORT)-:7,hostfwd=tcp:127.0.0.1:$(NET_PORT)-:7,hostfwd=tcp:127.0.0.1:$(HTTP_PORT)-:80,hostfwd=tcp:127.0.0.1:$(SHELL_PORT)-:23
run: net-run-note
.PHONY: net-run-note
net-run-note:
	@echo "UDP and TCP echo: host port $(NET_PORT) is forwarded to the demo's port 7 (try: nc -u 127.0.0.1 $(NET_PORT))"
	@echo "status page: http://127.0.0.1:$(HTTP_PORT)/   shell over TCP: nc 127.0.0.1 $(SHELL_PORT)"
endif

# ---- host unit tests: every host test binary carries the stack ----------
# The Makefile's host rules compile HOST_EXTRA_SRCS into each binary; the
# stack and the drivers' chip-independent half are plain C over the kernel.
NET_HOST_SRCS := $(NET_SRCS) board/drivers/eth_port.c board/common/eth_stats.c
HOST_EXTRA_SRCS += $(NET_HOST_SRCS)
HOST_EXTRA_CFLAGS += -Inet -Iboard -Iboard/drivers
NET_HOST_TESTS := $(patsubst tests/host/%.c,%,$(wildcard tests/host/test_*.c))
$(addprefix $(HDIR)/plain/,$(NET_HOST_TESTS)) $(addprefix $(HDIR)/san/,$(NET_HOST_TESTS)): \
	$(NET_HDRS) board/drivers/eth_port.h board/board_eth.h

# ---- on-target scenarios ----------------------------------------------
# tests/qemu/net_*.c: scenarios with the network linked in.  net_loop*
# need no peer (the PHY loops back) and run like the others; the rest
# are driven by tests/qemu/net_run.py with real peers.
NET_SCENARIOS := $(patsubst tests/qemu/%.c,$(BDIR)/tests/%.elf,$(wildcard tests/qemu/net_*.c))
NET_LOOP_SCENARIOS := $(filter $(BDIR)/tests/net_loop%,$(NET_SCENARIOS))
ifeq ($(BOARD_HAS_ETH),1)
board-images: $(NET_SCENARIOS) $(DEMO)
endif
$(NET_SCENARIOS): $(BDIR)/tests/%.elf: $(BDIR)/tests/qemu/%.o \
		$(BDIR)/tests/qemu/scenario.o $(BASE_OBJS) $(NET_OBJS) $(LDSCRIPT)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) $(filter %.o,$^) -o $@

.PHONY: net-test fuzz-test net-bench deps-fuzz deps-net deps-browser
deps-fuzz:
	$(Q)scripts/deps.sh fuzz
deps-net:
	$(Q)scripts/deps.sh net
# Chromium for net_run.py's page-chromium test, which skips without it.
deps-browser:
	$(Q)scripts/deps.sh browser || echo "deps-browser: no chromium; page-chromium will skip"

# The pair test joins this board to another on one link: lm3s6965evb (the
# Stellaris MAC against this board's) when that board has Ethernet, else
# a second instance of this board.  The partner is built by a sub-make
# with its own board.mk, and its demo gets the udp-user test too.
NET_PAIR_BOARD ?= $(if $(filter lm3s6965evb,$(BOARD)),mps2-an385,lm3s6965evb)
NET_PAIR_HAS_ETH := $(shell grep -qs '^BOARD_HAS_ETH := 1' \
	board/$(NET_PAIR_BOARD)/board.mk && echo 1)
ifeq ($(NET_PAIR_HAS_ETH),1)
NET_PAIR_ARGS := --pair $(O)/$(NET_PAIR_BOARD)/tests/net_pair.elf:$(NET_PAIR_BOARD)
NET_PAIR_DEPS := net-pair-board
else
NET_PAIR_ARGS :=
NET_PAIR_DEPS :=
endif
.PHONY: net-pair-board
net-pair-board:
	$(Q)$(MAKE) -s --no-print-directory BOARD=$(NET_PAIR_BOARD) \
		$(O)/$(NET_PAIR_BOARD)/tests/net_pair.elf $(O)/$(NET_PAIR_BOARD)/demo.elf

ifeq ($(BOARD_HAS_ETH),1)
net-test: $(NET_SCENARIOS) $(DEMO) $(NET_PAIR_DEPS) | deps-qemu deps-net deps-browser
	$(Q)$(PYTHON) tests/qemu/run.py --machine $(QEMU_MACHINE) $(NET_LOOP_SCENARIOS)
	$(Q)$(PYTHON) tests/qemu/net_run.py --machine $(QEMU_MACHINE) \
		--demo $(DEMO) --pair $(BDIR)/tests/net_pair.elf $(NET_PAIR_ARGS) \
		$(NET_RUN_SKIP)
ifeq ($(NET_PAIR_HAS_ETH),1)
	$(Q)$(PYTHON) tests/qemu/net_run.py --machine $(NET_PAIR_BOARD) \
		--demo $(O)/$(NET_PAIR_BOARD)/demo.elf --only udp-user
endif
else
net-test:
	@echo "net-test: $(BOARD) has no Ethernet; nothing to run"
endif

# ---- the fuzzer ---------------------------------------------------------
FUZZ_SECONDS ?= 20
FUZZ_DIR := $(HDIR)/fuzz
FUZZ_BIN := $(FUZZ_DIR)/fuzz_net_input
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 $(WARN) -Ikernel -Ikernel/port/host \
	-Inet -Iboard -Iboard/drivers -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SRCS := tests/fuzz/fuzz_net_input.c $(KERNEL_SRCS) $(NET_SRCS) board/drivers/eth_port.c \
	$(wildcard kernel/port/host/*.c kernel/port/host/*.S)

$(FUZZ_BIN): $(FUZZ_SRCS) $(NET_HDRS) board/drivers/eth_port.h \
		$(wildcard kernel/*.h kernel/port/host/*.h) | deps-fuzz
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CLANG   $@ (libFuzzer+asan+ubsan)"
	$(Q)clang $(FUZZ_CFLAGS) $(FUZZ_SRCS) -o $@

# A fixed seed and a time bound: a crash, a sanitizer report or a broken
# invariant (the target aborts) fails the run; new inputs stay in the
# build's corpus for the next run.
fuzz-test: $(FUZZ_BIN)
	@mkdir -p $(FUZZ_DIR)/corpus $(FUZZ_DIR)/seeds
	$(Q)$(PYTHON) tests/fuzz/seeds.py $(FUZZ_DIR)/seeds
	$(Q)cd $(FUZZ_DIR) && ./fuzz_net_input -seed=1 -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
		-max_len=4096 -print_final_stats=1 corpus seeds 2>fuzz.log || \
		{ tail -n 60 fuzz.log; echo "fuzz-test: FAILED (log: $(FUZZ_DIR)/fuzz.log)"; exit 1; }
	@grep -E '^(stat::number_of_executed_units|stat::new_units_added)' $(FUZZ_DIR)/fuzz.log | \
		sed 's/^/fuzz-test: /'

# ---- the benchmark -------------------------------------------------------
# apps/netbench: a separate image, so the kernel's bench stays as it is;
# make bench runs both.  The PHY loops back, so boards without a loopback
# (lm3s6965evb under QEMU) have no net-bench.
NETBENCH := $(BDIR)/netbench.elf
$(NETBENCH): $(call obj,$(wildcard apps/netbench/*.c)) $(NET_OBJS)
ifeq ($(BOARD_HAS_ETH)$(filter lm3s6965evb,$(BOARD)),1)
bench: net-bench
net-bench: $(NETBENCH) | deps-qemu
	$(Q)$(PYTHON) tests/qemu/bench.py --machine $(QEMU_MACHINE) \
		--out $(BDIR)/netbench.txt $(NETBENCH)
else
net-bench:
	@echo "net-bench: $(BOARD) cannot loop its Ethernet back; nothing to run"
endif

# ---- every other board -------------------------------------------------
# make test also runs net-test on each board mk/boards.mk lists; those
# without Ethernet say so and pass.  (One sub-make per board: the board's
# own variables come from its board.mk.)
.PHONY: net-test-boards
net-test-boards: $(addprefix net-test-on-,$(filter-out $(BOARD),$(BOARDS)))
# The impaired-link transfer (36 s) runs on the default board only: the
# others run the same TCP over the same LAN9118 model.
net-test-on-%:
	$(Q)$(MAKE) --no-print-directory BOARD=$* NET_RUN_SKIP="--skip tcp-impaired" net-test

TEST_TARGETS += fuzz-test net-test net-test-boards

# ---- the status page's HTTP parser under libFuzzer (apps/demo/http.c) ----
FUZZ_HTTP_BIN := $(FUZZ_DIR)/fuzz_http
$(FUZZ_HTTP_BIN): tests/fuzz/fuzz_http.c apps/demo/http.c apps/demo/http.h | deps-fuzz
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CLANG   $@ (libFuzzer+asan+ubsan)"
	$(Q)clang $(FUZZ_CFLAGS) tests/fuzz/fuzz_http.c -o $@
.PHONY: fuzz-http
fuzz-http: $(FUZZ_HTTP_BIN)
	@mkdir -p $(FUZZ_DIR)/http-corpus
	$(Q)cd $(FUZZ_DIR) && ./fuzz_http -seed=1 -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
		-max_len=2048 -print_final_stats=1 http-corpus 2>fuzz_http.log || \
		{ tail -n 60 fuzz_http.log; echo "fuzz-http: FAILED (log: $(FUZZ_DIR)/fuzz_http.log)"; exit 1; }
	@grep -E '^(stat::number_of_executed_units|stat::new_units_added)' $(FUZZ_DIR)/fuzz_http.log | \
		sed 's/^/fuzz-http: /'
fuzz-test: fuzz-http

# The fuzzers are built with make test's images (defined above).
test-build: $(FUZZ_BIN) $(FUZZ_HTTP_BIN)
