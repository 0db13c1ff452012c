# The network: the stack in net/, the boards' Ethernet, their tests.
# Included by the Makefile after the board's board.mk and before `test`;
# appends to what it extends.

NET_SRCS := $(wildcard net/*.c)
NET_HDRS := $(wildcard net/*.h)
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
