# CMake support: what kettle's CMakeLists.txt learns from make, and the
# test of a CMake build.  Included by the Makefile after the board's
# board.mk, before `test`; appends to TEST_TARGETS.
#
#   make cmake-vars    the board's sources, options and linker script as
#                      CMake set() lines: CMakeLists.txt runs it at
#                      configure time, so board.mk stays the one place a
#                      board is described
#   make cmake-test    examples/blink built with CMake (its
#                      CMakeLists.txt, cmake/arm-none-eabi.cmake) for
#                      mps2-an385 and the micro:bit into $(O)/cmake/, run
#                      under QEMU and checked as make check does

.PHONY: cmake-vars cmake-test deps-cmake
# CFLAGS, apart from make's dependency files, split into what CMake keeps
# apart: -I, -D, the CPU's options, and the rest.
CMAKE_CFLAGS = $(filter-out -MD -MP -I% -D% $(CPU_FLAGS),$(CFLAGS))
cmake-vars:
	@echo 'set(KETTLE_CPU_FLAGS $(CPU_FLAGS))'
	@echo 'set(KETTLE_C_FLAGS $(CMAKE_CFLAGS))'
	@echo 'set(KETTLE_DEFINES $(patsubst -D%,%,$(filter -D%,$(CFLAGS))))'
	@echo 'set(KETTLE_INCLUDES $(patsubst -I%,%,$(filter -I%,$(CFLAGS))))'
	@echo 'set(KETTLE_SOURCES $(KERNEL_SRCS) $(PORT_SRCS) $(BOARD_SRCS))'
	@echo 'set(KETTLE_NET_SOURCES $(NET_SRCS) $(NET_ETH_SRCS))'
	@echo 'set(KETTLE_LDSCRIPT $(LDSCRIPT))'
	@echo 'set(KETTLE_QEMU_MACHINE $(QEMU_MACHINE))'
	@echo 'set(KETTLE_VERSION $(KT_VERSION))'

deps-cmake:
	$(Q)scripts/deps.sh cmake

CMAKE_TEST_DIR := $(abspath $(O))/cmake
cmake-test: | deps-cmake deps-arm deps-qemu
	@mkdir -p $(CMAKE_TEST_DIR)
	$(Q)for b in mps2-an385 microbit; do \
		d=$(CMAKE_TEST_DIR)/blink-$$b; \
		{ cmake -S examples/blink -B $$d -DKETTLE_BOARD=$$b && \
		  cmake --build $$d; } >$$d.log 2>&1 || \
		{ cat $$d.log; echo "cmake-test: examples/blink for $$b does not build with CMake" >&2; exit 1; }; \
		m=$$(sed -n 's/^KETTLE_QEMU_MACHINE:[A-Z]*=//p' $$d/CMakeCache.txt); \
		$(PYTHON) scripts/app_check.py --machine $$m --expect examples/blink/expected.txt \
			$$d/blink.elf >$$d-check.log 2>&1 || { cat $$d-check.log; exit 1; }; \
		echo "cmake-test $$b: $$(tail -n 1 $$d-check.log)"; \
	done

TEST_TARGETS += cmake-test
