# Faults: the sc_fault_* scenarios, which fault on purpose and announce
# the report and exit code tests/qemu/run.py must see.  Included by the
# Makefile after the board's board.mk and before `test`; appends to what
# it extends.
#
# QEMU's lm3s6965evb answers every unmapped address with 0 instead of a
# bus error: sc_fault_bad_load knows it there.
$(BDIR)/tests/qemu/sc_fault_%.o: CFLAGS += \
	-DSC_BUS_ERRORS=$(if $(filter lm3s6965evb,$(QEMU_MACHINE)),0,1)
