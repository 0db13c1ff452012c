# kettle's application makefile: the way to build firmware of your own,
# in a folder of your own, outside kettle's tree.  Your Makefile sets a few
# variables and includes this file (docs/getting-started.md):
#
#   KETTLE := ../kettle           # where kettle is (relative or absolute)
#   APP_SRCS := main.c counter.c  # the firmware's sources, in this folder
#   APP_HOST_TESTS := test_counter.c   # cmocka tests, one program each
#   APP_HOST_SRCS := counter.c    # what the host tests link of yours
#   include $(KETTLE)/app.mk
#
# Optional: APP_NAME (the image's name; the folder's by default),
# APP_CFLAGS (added to every compile of yours, firmware and host),
# APP_NET := 1 (link kettle's network stack, net/), APP_EXPECT (a file of
# lines the firmware must print under QEMU, in order: `make check`).
#
# Targets, in your folder:
#   make [BOARD=...]    build.  Outputs go to $(O)/$(BOARD)/ (O=build
#                       in your folder by default): APP_NAME.elf, .bin, .hex
#   make run            run it under QEMU (Ctrl-A x quits)
#   make flash          program a real board through OpenOCD
#   make debug          QEMU halted at reset, gdb-multiarch attached
#   make host-test      build and run APP_HOST_TESTS on this machine,
#                       against kettle's host port (plain and asan+ubsan)
#   make check          run it under QEMU and compare with APP_EXPECT
#   make test           host-test, then check (when APP_EXPECT is set)
#   make size | clean
#
# Each target runs kettle's own Makefile (make -C $(KETTLE)) with your
# folder, your sources and your O=; kettle's rules for them are in
# mk/user_app.mk.  Nothing is written into kettle's tree.

ifeq ($(KETTLE),)
$(error set KETTLE to the folder kettle is in, before including app.mk)
endif
override KETTLE := $(abspath $(KETTLE))
# The folder of the Makefile that included this one: the application's.
APP_DIR := $(abspath $(dir $(firstword $(MAKEFILE_LIST))))
APP_NAME ?= $(notdir $(APP_DIR))
BOARD ?= mps2-an385
O ?= $(APP_DIR)/build
override O := $(abspath $(O))

ifeq ($(strip $(APP_SRCS)),)
$(error APP_SRCS is empty: list the application's sources before including app.mk)
endif

AQ := $(if $(filter 1,$(V)),,@)
APP_IMAGE := $(O)/$(BOARD)/$(APP_NAME).elf
KETTLE_MAKE = $(MAKE) -C $(KETTLE) --no-print-directory BOARD=$(BOARD) O=$(O) \
	APP_DIR=$(APP_DIR) APP_NAME=$(APP_NAME) APP_SRCS="$(APP_SRCS)" \
	APP_HOST_TESTS="$(APP_HOST_TESTS)" APP_HOST_SRCS="$(APP_HOST_SRCS)" \
	APP_CFLAGS="$(APP_CFLAGS)" APP_NET=$(APP_NET) APP_EXPECT="$(APP_EXPECT)" \
	FLASH_IMAGE=$(APP_IMAGE) DEBUG_IMAGE=$(APP_IMAGE)

.PHONY: all run flash debug host-test check test size clean
all:
	+$(AQ)$(KETTLE_MAKE) app
run:
	+$(AQ)$(KETTLE_MAKE) app-run
flash:
	+$(AQ)$(KETTLE_MAKE) flash
debug:
	+$(AQ)$(KETTLE_MAKE) debug
host-test:
	+$(AQ)$(KETTLE_MAKE) app-host-test
check:
	+$(AQ)$(KETTLE_MAKE) app-check
test:
	+$(AQ)$(KETTLE_MAKE) app-test
size:
	+$(AQ)$(KETTLE_MAKE) app-size
clean:
	rm -rf $(O)
