# Schedule tracing (kernel/trace.h): images built with KT_TRACE=1, the
# converter of their dumps, the GDB command and the tests.  Included by the
# Makefile after the board's board.mk and before `test`; appends to what it
# extends.
#
#   make trace-test   tools/trace2view.py's unit tests; tests/qemu/sc_trace.c
#                     checked on the target and, decoded, on the host; the
#                     GDB command's dump against the firmware's own
#
# Traced images are built apart, in $(O)/$(BOARD)-trace, by a sub-make
# with BDIR pointed there and TRACE_BUILD=1, which adds -DKT_TRACE=1 to
# every object: the kernel, the board's handlers and the application must
# agree, and a target-specific flag would leak into objects other images
# share.  Every other image stays trace-free, and sc_trace runs only from
# here.

TRACE_BDIR := $(O)/$(BOARD)-trace

ifeq ($(TRACE_BUILD),1)
CFLAGS += -DKT_TRACE=1
else
SCENARIOS := $(filter-out $(BDIR)/tests/sc_trace.elf,$(SCENARIOS))

TRACE_SC := $(TRACE_BDIR)/tests/sc_trace.elf

# Every gdb that make debug starts has the ktrace command.
override GDB_ARGS := -x tools/kettle_gdb.py $(GDB_ARGS)

TRACE_MAKE = $(MAKE) --no-print-directory $(if $(filter 1,$(V)),,-s) \
	BDIR=$(TRACE_BDIR) TRACE_BUILD=1

.PHONY: trace-test trace-unit trace-sc trace-gdb trace-debug-test trace-sc-image
trace-sc-image: | deps-arm
	$(Q)$(TRACE_MAKE) $(TRACE_SC)

# ---- tests -------------------------------------------------------------------
trace-test: trace-unit trace-sc trace-gdb trace-debug-test

trace-unit:
	$(Q)$(PYTHON) tests/trace/test_trace2view.py

trace-sc: trace-sc-image | deps-qemu
	$(Q)$(PYTHON) tests/trace/test_sc_trace.py --machine $(QEMU_MACHINE) \
		--elf $(TRACE_SC)

# The refusal is checked on an image without tracing: any scenario.
trace-gdb: trace-sc-image $(BDIR)/tests/sc_board.elf | deps-qemu deps-gdb
	$(Q)$(PYTHON) tests/trace/test_gdb.py --machine $(QEMU_MACHINE) \
		--elf $(TRACE_SC) --plain-elf $(BDIR)/tests/sc_board.elf

# make debug's gdb knows ktrace (its help text is the proof).
trace-debug-test: trace-sc-image | deps-qemu deps-gdb
	$(Q)port=$$($(PYTHON) -c 'import socket; s = socket.socket(); \
		s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'); \
	out=$$(timeout 60 $(MAKE) --no-print-directory -s DEBUG_IMAGE=$(TRACE_SC) \
		GDB_PORT=$$port GDB_ARGS="-batch -ex 'help ktrace'" debug 2>&1); \
	if echo "$$out" | grep -q "Write the kettle schedule trace"; then \
		echo "trace-debug-test: make debug's gdb has ktrace"; \
	else echo "$$out"; echo "trace-debug-test: no ktrace under make debug" >&2; exit 1; fi

TEST_TARGETS += trace-test
# sc_trace is a scenario: every board's qemu-test (make test runs it on
# each board, mk/boards.mk) runs it and its host-side check.
qemu-test: trace-sc
endif
