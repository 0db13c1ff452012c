# Schedule tracing (kernel/trace.h): the converter of trace dumps and its
# tests.  Included by the Makefile after the board's board.mk and before
# `test`; appends to what it extends.
#
#   make trace-test   tools/trace2view.py's unit tests

.PHONY: trace-test trace-unit
trace-test: trace-unit

trace-unit:
	$(Q)$(PYTHON) tests/trace/test_trace2view.py

TEST_TARGETS += trace-test
