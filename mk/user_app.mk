# An application outside kettle's tree: the rules app.mk (kettle's top
# folder) runs, through make -C, with the application's folder in APP_DIR
# and its build folder in O.  Included by the Makefile after the board's
# board.mk, before `test`, and after mk/net.mk (for NET_OBJS).
#
#   make APP_DIR=/abs/dir APP_SRCS="main.c ..." app        the image
#   ... app-run | app-check | app-host-test | app-test | app-size
#
# The application's object files go to $(BDIR)/app/, its host tests to
# $(HDIR)/app/; with app.mk's O= both are in the application's folder,
# and so are the kernel's and the board's objects built for it.  APP_DIR
# must be absolute: this make runs in kettle's folder.

ifneq ($(APP_DIR),)
APP_NAME ?= app
APP_IMAGE := $(BDIR)/$(APP_NAME).elf
APP_OBJS := $(patsubst %.S,$(BDIR)/app/%.o,$(patsubst %.c,$(BDIR)/app/%.o,$(APP_SRCS)))
APP_CFLAGS_ALL = -I$(APP_DIR) $(APP_CFLAGS)

$(BDIR)/app/%.o: $(APP_DIR)/%.c | deps-arm
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CC      $(APP_NAME)/$*.c"
	$(Q)$(CC) $(CFLAGS) $(APP_CFLAGS_ALL) -c $< -o $@

$(BDIR)/app/%.o: $(APP_DIR)/%.S | deps-arm
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  AS      $(APP_NAME)/$*.S"
	$(Q)$(CC) $(CFLAGS) $(APP_CFLAGS_ALL) -c $< -o $@

# The generic %.elf rule links it: kernel, port, board, and these.
$(APP_IMAGE): $(APP_OBJS) $(if $(filter 1,$(APP_NET)),$(NET_OBJS))

.PHONY: app app-run app-check app-host-test app-test app-size
app: $(APP_IMAGE)
	@echo "$(APP_NAME) for $(BOARD): $(APP_IMAGE)"

app-run: $(APP_IMAGE) | deps-qemu
	@echo "$(APP_NAME) on $(BOARD) under QEMU; Ctrl-A x quits."
	$(QEMU) -nographic $(RUN_FLAGS) -kernel $(APP_IMAGE)

# With the network linked, say which host port reaches port 7 (mk/net.mk).
ifeq ($(BOARD_HAS_ETH)$(APP_NET),11)
app-run: net-run-note
endif

app-size: $(APP_IMAGE)
	$(Q)$(SIZE) $(APP_IMAGE)

# The firmware's output against APP_EXPECT (a path in the application's
# folder): scripts/app_check.py.  UDP lines in it need Ethernet.
ifneq ($(APP_EXPECT),)
app-check: $(APP_IMAGE) | deps-qemu
	$(Q)$(PYTHON) scripts/app_check.py --machine $(QEMU_MACHINE) \
		--expect $(APP_DIR)/$(APP_EXPECT) $(APP_IMAGE)
else
app-check:
	@echo "app-check: $(APP_NAME) sets no APP_EXPECT; nothing to compare" >&2; exit 1
endif

# ---- host unit tests of the application's own logic ----------------------
# Each of APP_HOST_TESTS is a program (cmocka's main) built with the host
# cc against kettle's host port (kernel/port/host: tasks run, the clock is
# the test's, port_host.h), plain and with asan+ubsan, as kettle's own
# tests/host are.  tests/host/kt_test.h is on the include path.
APP_HDIR := $(HDIR)/app
APP_HOST_NAMES := $(basename $(APP_HOST_TESTS))
APP_HOST_BINS := $(addprefix $(APP_HDIR)/plain/,$(APP_HOST_NAMES)) \
	$(addprefix $(APP_HDIR)/san/,$(APP_HOST_NAMES))
# HOST_KSRCS, HOST_CFLAGS and HOST_SAN are the Makefile's, defined after
# this file: used in recipes only (expanded when they run).
APP_HOST_DEPS := $(addprefix $(APP_DIR)/,$(APP_HOST_SRCS)) $(KERNEL_SRCS) \
	$(wildcard kernel/*.h kernel/port/host/*)
APP_HOST_LINK = $(addprefix $(APP_DIR)/,$(APP_HOST_SRCS)) $(HOST_KSRCS) -lcmocka

$(APP_HDIR)/plain/%: $(APP_DIR)/%.c $(APP_HOST_DEPS) | deps-host
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  HOSTCC  $(APP_NAME)/$*"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(APP_CFLAGS_ALL) $< $(APP_HOST_LINK) -o $@

$(APP_HDIR)/san/%: $(APP_DIR)/%.c $(APP_HOST_DEPS) | deps-host
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  HOSTCC  $(APP_NAME)/$* (asan+ubsan)"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(HOST_SAN) $(APP_CFLAGS_ALL) $< $(APP_HOST_LINK) -o $@

ifneq ($(strip $(APP_HOST_TESTS)),)
app-host-test: $(APP_HOST_BINS)
	$(Q)tests/host/run.sh $(APP_HOST_BINS)
else
app-host-test:
	@echo "app-host-test: $(APP_NAME) sets no APP_HOST_TESTS; nothing to run" >&2; exit 1
endif

app-test: app app-host-test-if app-check-if
.PHONY: app-host-test-if app-check-if
app-host-test-if: $(if $(strip $(APP_HOST_TESTS)),app-host-test)
app-check-if: $(if $(APP_EXPECT),app-check)
endif
