# Soak: tests/qemu/sc_soak.c floods the UART with checksummed frames from
# the runner (tests/qemu/soak.py) while tasks are spawned, cancelled and
# joined and mutexes change hands, then accounts for every frame, byte,
# join and stack mark.  Included by the Makefile after the board's
# board.mk and before `test`; appends to what it extends.
#
#   make soak          SOAK_SECONDS (60) of guest time on this board
#   make soak-boards   the same on every board, one after the other
#
# make test runs a 3-second soak on every board: sc_soak is one of the
# scenarios qemu-test runs (run.py's --soak-seconds default).

SOAK_SECONDS ?= 60
# Real time per guest second: 0.2 to 12 s (tests/qemu/soak.py).
SOAK_TIMEOUT ?= $(shell echo $$(( $(SOAK_SECONDS) * 15 + 20 )))

.PHONY: soak soak-boards
soak: $(BDIR)/tests/sc_soak.elf | deps-qemu
	$(Q)$(PYTHON) tests/qemu/run.py -v --machine $(QEMU_MACHINE) \
		--soak-seconds $(SOAK_SECONDS) --timeout $(SOAK_TIMEOUT) $<

soak-boards: $(addprefix soak-on-,$(BOARDS))
soak-on-%:
	$(Q)$(MAKE) --no-print-directory BOARD=$* soak
