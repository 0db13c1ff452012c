# The network: the stack in net/, the boards' Ethernet, their tests.
# Included by the Makefile after the board's board.mk and before `test`;
# appends to what it extends.
#
#   make net-test    on-target network tests: loopback scenarios under
#                    -icount

NET_SRCS := $(wildcard net/*.c)
NET_HDRS := $(wildcard net/*.h)
ifeq ($(BOARD_HAS_ETH),1)
NET_ETH_SRCS := $(BOARD_ETH_SRCS)
else
NET_ETH_SRCS := board/common/eth_none.c
endif
NET_OBJS := $(call obj,$(NET_SRCS) $(NET_ETH_SRCS))
CFLAGS += -Inet

# ---- host unit tests: every host test binary carries the stack ----------
# The Makefile's host rules compile HOST_EXTRA_SRCS into each binary; the
# stack and the drivers' chip-independent half are plain C over the kernel.
NET_HOST_SRCS := $(NET_SRCS) board/drivers/eth_port.c
HOST_EXTRA_SRCS += $(NET_HOST_SRCS)
HOST_EXTRA_CFLAGS += -Inet -Iboard -Iboard/drivers
NET_HOST_TESTS := $(patsubst tests/host/%.c,%,$(wildcard tests/host/test_*.c))
$(addprefix $(HDIR)/plain/,$(NET_HOST_TESTS)) $(addprefix $(HDIR)/san/,$(NET_HOST_TESTS)): \
	$(NET_HDRS) board/drivers/eth_port.h board/board_eth.h

# ---- on-target scenarios ----------------------------------------------
# tests/qemu/net_*.c: scenarios with the network linked in.  net_loop*
# need no peer (the PHY loops back) and run like the others.
NET_SCENARIOS := $(patsubst tests/qemu/%.c,$(BDIR)/tests/%.elf,$(wildcard tests/qemu/net_*.c))
NET_LOOP_SCENARIOS := $(filter $(BDIR)/tests/net_loop%,$(NET_SCENARIOS))
$(NET_SCENARIOS): $(BDIR)/tests/%.elf: $(BDIR)/tests/qemu/%.o \
		$(BDIR)/tests/qemu/scenario.o $(BASE_OBJS) $(NET_OBJS) $(LDSCRIPT)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) $(filter %.o,$^) -o $@

.PHONY: net-test
ifeq ($(BOARD_HAS_ETH),1)
net-test: $(NET_SCENARIOS) | deps-qemu
	$(Q)$(PYTHON) tests/qemu/run.py --machine $(QEMU_MACHINE) $(NET_LOOP_SCENARIOS)
else
net-test:
	@echo "net-test: $(BOARD) has no Ethernet; nothing to run"
endif

TEST_TARGETS += net-test
