# Every board: the scenario suite on all of them.  Included by the
# Makefile after the board's board.mk, before `test`; appends to what it
# extends.
#
#   make test             also runs the QEMU scenarios on every other board
#                         (qemu-test-boards: one sub-make per board)
#
# What a board.mk may set for this file:
#   BOARD_HAS_FPU := 1     an FPU: tests/qemu/sc_fpu.c runs there

# Every directory under board/ with a board.mk.
BOARDS := $(sort $(patsubst board/%/board.mk,%,$(wildcard board/*/board.mk)))

# ---- the scenario suite ----------------------------------------------------
ifneq ($(BOARD_HAS_FPU),1)
SCENARIOS := $(filter-out $(BDIR)/tests/sc_fpu.elf,$(SCENARIOS))
endif

TEST_TARGETS += qemu-test-boards
.PHONY: qemu-test-boards
qemu-test-boards: $(addprefix qemu-test-on-,$(filter-out $(BOARD),$(BOARDS)))

# The board's own variables come from its board.mk: a sub-make per board.
qemu-test-on-%:
	$(Q)$(MAKE) --no-print-directory BOARD=$* qemu-test
