# Soak: tests/qemu/sc_soak.c floods the UART with checksummed frames from
# the runner (tests/qemu/soak.py) - and, on boards with Ethernet, UDP port
# 7 with checksummed datagrams (tests/qemu/soak_net.c) - while tasks are
# spawned, cancelled and joined and mutexes change hands, then accounts
# for every frame, datagram, byte, join and stack mark.  Included by the
# Makefile after the board's board.mk and after mk/net.mk (NET_OBJS), and
# before `test`; appends to what it extends.
#
#   make soak          SOAK_SECONDS (60) of guest time on this board
#   make soak-boards   the same on every board, one after the other
#
# make test runs a 3-second soak on the default board and a 1-second one
# on the others: sc_soak is one of the scenarios qemu-test runs.

# The network half links the stack; eth_none.c stands in where there is no
# Ethernet, and the linker drops what only the network used.
SOAK_ELF := $(BDIR)/tests/sc_soak.elf
$(SOAK_ELF): $(BDIR)/tests/qemu/soak_net.o $(NET_OBJS)
# 64 KiB of RAM: smaller stacks and socket ring (tests/qemu/soak_net.c).
ifeq ($(BOARD),lm3s6965evb)
$(BDIR)/tests/qemu/soak_net.o: CFLAGS += -DSOAK_NET_SLOTS=2 -DSOAK_NET_STACK=1024
endif
ifeq ($(BOARD_HAS_ETH),1)
# run.py starts QEMU's user networking with a free host UDP port forwarded
# to the soak's port 7 and floods it.
SOAK_RUN_ARGS := --soak-net
QEMU_TEST_ARGS += $(SOAK_RUN_ARGS)
endif

SOAK_SECONDS ?= 60
# make test's soak, in guest seconds: 3 on the default board, 1 on the
# others (mk/boards.mk), which run the same code over their own drivers.
SOAK_TEST_SECONDS ?= 3
QEMU_TEST_ARGS += --soak-seconds $(SOAK_TEST_SECONDS)
# Real time per guest second: 0.2 to 12 s (tests/qemu/soak.py).
SOAK_TIMEOUT ?= $(shell echo $$(( $(SOAK_SECONDS) * 15 + 20 )))

.PHONY: soak soak-boards
soak: $(SOAK_ELF) | deps-qemu
	$(Q)$(PYTHON) tests/qemu/run.py -v --machine $(QEMU_MACHINE) $(SOAK_RUN_ARGS) \
		--soak-seconds $(SOAK_SECONDS) --timeout $(SOAK_TIMEOUT) $<

soak-boards: $(addprefix soak-on-,$(BOARDS))
soak-on-%:
	$(Q)$(MAKE) --no-print-directory BOARD=$* soak
