# Every board: the scenario suite on all of them.  Included by the
# Makefile after the board's board.mk, before `test`; appends to what it
# extends.
#
#   make test             also runs the QEMU scenarios on every other board
#                         (qemu-test-boards: one sub-make per board)
#
# What a board.mk may set for this file:
#   BOARD_HAS_FPU := 1     an FPU: tests/qemu/sc_fpu.c runs there
#   BOARD_UART_STALLS := 0 QEMU's model of its console UART writes
#                          synchronously, so the UART never backs up (QEMU
#                          itself stalls instead): the flood scenarios check
#                          what they can see without back-pressure

# Every directory under board/ with a board.mk.
BOARDS := $(sort $(patsubst board/%/board.mk,%,$(wildcard board/*/board.mk)))

# ---- the scenario suite ----------------------------------------------------
ifneq ($(BOARD_HAS_FPU),1)
SCENARIOS := $(filter-out $(BDIR)/tests/sc_fpu.elf,$(SCENARIOS))
endif
$(BDIR)/tests/qemu/%.o: CFLAGS += -DSC_UART_STALLS=$(if $(filter 0,$(BOARD_UART_STALLS)),0,1)

TEST_TARGETS += qemu-test-boards
.PHONY: qemu-test-boards
qemu-test-boards: $(addprefix qemu-test-on-,$(filter-out $(BOARD),$(BOARDS)))

# The board's own variables come from its board.mk: a sub-make per board.
qemu-test-on-%:
	$(Q)$(MAKE) --no-print-directory BOARD=$* qemu-test
