# The demo's shell (apps/demo/shell.c) and the debugger's view of the
# tasks (tools/kettle_ps_gdb.py).  Included by the Makefile after the
# board's board.mk and before `test`; appends to what it extends.
#
#   make shell-test   boot the demo with its UART on a TCP socket and use
#                     the shell as a person would (tests/qemu/shell_run.py);
#                     then stop the demo under gdb and check kt-ps's table
#
# Knobs: DEMO_HOG_MS (the hog detector's limit in the demo, default 100).
# The demo's banner names the host port make run forwards (NET_PORT, from
# mk/net.mk), so main.o is built with it.

DEMO_HOG_MS ?= 100
$(BDIR)/apps/demo/main.o $(BDIR)/apps/demo/shell.o: \
	CFLAGS += -DDEMO_HOG_MS=$(DEMO_HOG_MS) -DDEMO_NET_PORT=$(NET_PORT)

# Every gdb that make debug starts has kt-ps.
override GDB_ARGS := -x tools/kettle_ps_gdb.py $(GDB_ARGS)

.PHONY: shell-test
shell-test: $(DEMO) | deps-qemu deps-gdb
	$(Q)$(PYTHON) tests/qemu/shell_run.py --machine $(QEMU_MACHINE) --elf $(DEMO)

TEST_TARGETS += shell-test
