# Schedule tracing (kernel/trace.h): images built with KT_TRACE=1, the
# picture, the tests and the cost.  Included by the Makefile after the
# board's board.mk and before `test`; appends to what it extends.
#
#   make trace        run the demo with tracing under QEMU, type a line so
#                     the echo task wakes by the UART interrupt, ask for
#                     "trace": $(O)/trace.txt (the dump), $(O)/trace.json
#                     (Perfetto, chrome://tracing) and $(O)/trace.svg
#   make trace-test   tools/trace2view.py's unit tests; tests/qemu/sc_trace.c
#                     checked on the target and, decoded, on the host; the
#                     GDB command's dump against the firmware's own
#   make trace-bench  what tracing costs per operation (part of make bench)
#   make run-trace    make run with the traced demo (the status page's
#                     /trace.svg draws the schedule, live)
#   make trace-debug  the traced demo under QEMU and gdb (make debug), where
#                     `ktrace FILE` writes the trace from the target's
#                     memory (tools/kettle_gdb.py, which make debug loads)
#
# Knobs: TRACE_RECORDS (the demo's ring, a power of two, default 4096),
# TRACE_CUT_US (the SVG cuts quiet stretches longer than this short,
# default 200; 0 draws time linearly).
#
# Traced images are built apart, in $(O)/$(BOARD)-trace, by a sub-make
# with BDIR pointed there and TRACE_BUILD=1, which adds -DKT_TRACE=1 to
# every object: the kernel, the board's handlers and the application must
# agree, and a target-specific flag would leak into objects other images
# share.  Every other image stays trace-free, and sc_trace runs only from
# here.

TRACE_RECORDS ?= 4096
TRACE_CUT_US ?= 200
TRACE_BDIR := $(O)/$(BOARD)-trace

ifeq ($(TRACE_BUILD),1)
CFLAGS += -DKT_TRACE=1 -DDEMO_TRACE_RECORDS=$(TRACE_RECORDS)
else
SCENARIOS := $(filter-out $(BDIR)/tests/sc_trace.elf,$(SCENARIOS))

TRACE_DEMO := $(TRACE_BDIR)/demo.elf
TRACE_BENCH := $(TRACE_BDIR)/bench.elf
TRACE_SC := $(TRACE_BDIR)/tests/sc_trace.elf

# Every gdb that make debug starts has the ktrace command.
override GDB_ARGS := -x tools/kettle_gdb.py $(GDB_ARGS)

TRACE_MAKE = $(MAKE) --no-print-directory $(if $(filter 1,$(V)),,-s) \
	BDIR=$(TRACE_BDIR) TRACE_BUILD=1 TRACE_RECORDS=$(TRACE_RECORDS)

.PHONY: trace trace-test trace-bench trace-unit trace-sc trace-gdb trace-demo \
	trace-debug trace-debug-test trace-sc-image trace-demo-image trace-bench-image
# Chained, so that a parallel make never runs two sub-makes in the same
# directory, and a target builds no more than it needs (the demo's ring
# or the bench may not fit a small board's RAM; the scenario does).
trace-sc-image: | deps-arm
	$(Q)$(TRACE_MAKE) $(TRACE_SC)
trace-demo-image: | trace-sc-image
	$(Q)$(TRACE_MAKE) $(TRACE_DEMO)
trace-bench-image: | trace-demo-image
	$(Q)$(TRACE_MAKE) $(TRACE_BENCH)
board-images: trace-sc-image
default-images: trace-bench-image

# ---- the picture -----------------------------------------------------------
trace: trace-demo-image | deps-qemu
	$(Q)$(PYTHON) tools/trace_demo.py --machine $(QEMU_MACHINE) \
		--elf $(TRACE_DEMO) --out $(O)/trace --cut-idle $(TRACE_CUT_US)

trace-debug: trace-demo-image
	$(Q)$(MAKE) --no-print-directory DEBUG_IMAGE=$(TRACE_DEMO) debug

# make run with the traced demo: its status page draws the schedule live
# at /trace.svg (apps/demo/web.c).
.PHONY: run-trace
run-trace: trace-demo-image | deps-qemu
	@echo "kettle demo on $(BOARD), traced: the status page's /trace.svg shows the schedule; Ctrl-A x quits."
	$(QEMU) -nographic $(RUN_FLAGS) -kernel $(TRACE_DEMO)

# ---- tests -------------------------------------------------------------------
trace-test: trace-unit trace-sc trace-gdb trace-demo trace-debug-test trace-page

trace-unit:
	$(Q)$(PYTHON) tests/trace/test_trace2view.py

trace-sc: trace-sc-image | deps-qemu
	$(Q)$(PYTHON) tests/trace/test_sc_trace.py --machine $(QEMU_MACHINE) \
		--elf $(TRACE_SC)

# The refusal is checked on an image without tracing: any scenario.
trace-gdb: trace-sc-image $(BDIR)/tests/sc_board.elf | deps-qemu deps-gdb
	$(Q)$(PYTHON) tests/trace/test_gdb.py --machine $(QEMU_MACHINE) \
		--elf $(TRACE_SC) --plain-elf $(BDIR)/tests/sc_board.elf

trace-demo: trace-demo-image | deps-qemu
	$(Q)$(PYTHON) tests/trace/test_demo.py --machine $(QEMU_MACHINE) \
		--elf $(TRACE_DEMO) --out $(TRACE_BDIR)/trace-test

# The status page's /trace.svg of the traced demo: lanes and live spans
# (boards whose demo serves TCP).
.PHONY: trace-page
ifeq ($(BOARD_HAS_ETH)$(filter lm3s6965evb,$(BOARD)),1)
trace-page: trace-demo-image | deps-qemu
	$(Q)$(PYTHON) tests/trace/test_trace_page.py --machine $(QEMU_MACHINE) \
		--elf $(TRACE_DEMO)
else
trace-page:
	@echo "trace-page: the demo on $(BOARD) serves no status page; nothing to run"
endif

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

# ---- the cost ---------------------------------------------------------------
bench: trace-bench
trace-bench: trace-bench-image $(BENCH) | deps-qemu
	$(Q)$(PYTHON) tests/trace/bench_cost.py --machine $(QEMU_MACHINE) \
		--off $(BENCH) --on $(TRACE_BENCH) --out $(TRACE_BDIR)/bench-cost.txt
endif
