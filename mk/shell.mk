# The demo's shell (apps/demo/shell.c) and the debugger's view of the
# tasks (tools/kettle_ps_gdb.py).  Included by the Makefile after the
# board's board.mk and before `test`; appends to what it extends.
#
#   make shell-test   boot the demo with its UART on a TCP socket and use
#                     the shell as a person would (tests/qemu/shell_run.py);
#                     then stop the demo under gdb and check kt-ps's table
#   make stall-test   the demo's uptime keeps growing while the host stops
#                     and starts QEMU (no -icount: the core stands still
#                     between any two instructions; tests/qemu/stall_run.py)
#
# Knobs: DEMO_HOG_MS (the hog detector's limit in the demo, default 100).
# The demo's banner names the host port make run forwards (NET_PORT, from
# mk/net.mk), so main.o is built with it.

DEMO_HOG_MS ?= 100
$(BDIR)/apps/demo/main.o $(BDIR)/apps/demo/shell.o: \
	CFLAGS += -DDEMO_HOG_MS=$(DEMO_HOG_MS) -DDEMO_NET_PORT=$(NET_PORT)

# Every gdb that make debug starts has kt-ps and kt-net.
override GDB_ARGS := -x tools/kettle_ps_gdb.py -x tools/kettle_net_gdb.py $(GDB_ARGS)

.PHONY: shell-test shell-debug-test stall-test
shell-test: $(DEMO) shell-debug-test | deps-qemu deps-gdb
	$(Q)$(PYTHON) tests/qemu/shell_run.py --machine $(QEMU_MACHINE) --elf $(DEMO)

# make debug's gdb knows kt-ps (its help text is the proof).
shell-debug-test: $(DEMO) | deps-qemu deps-gdb
	$(Q)port=$$($(PYTHON) -c 'import socket; s = socket.socket(); \
		s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'); \
	out=$$(timeout 60 $(MAKE) --no-print-directory -s DEBUG_IMAGE=$(DEMO) \
		GDB_PORT=$$port GDB_ARGS="-batch -ex 'help kt-ps'" debug 2>&1); \
	if echo "$$out" | grep -q "List kettle's tasks from target memory"; then \
		echo "shell-debug-test: make debug's gdb has kt-ps"; \
	else echo "$$out"; echo "shell-debug-test: no kt-ps under make debug" >&2; exit 1; fi

stall-test: $(DEMO) | deps-qemu
	$(Q)$(PYTHON) tests/qemu/stall_run.py --machine $(QEMU_MACHINE) --elf $(DEMO)

TEST_TARGETS += shell-test stall-test
