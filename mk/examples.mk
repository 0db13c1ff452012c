# The examples (examples/*/): small complete applications, each built
# outside the tree the documented way (its own Makefile including app.mk),
# run under QEMU and checked against its expected output, with its host
# tests.  Included by the Makefile before `test`; appends to TEST_TARGETS.
#
#   make examples-test   every example on mps2-an385 (Cortex-M3) and the
#                        micro:bit (Cortex-M0); those that need Ethernet
#                        (APP_NET := 1 in their Makefile) on mps2-an385
#                        only: make test (host tests and the QEMU check)
#                        on the first board, make check on the second.
#                        Each builds into $(O)/examples/<name>.

EXAMPLES := $(sort $(patsubst examples/%/Makefile,%,$(wildcard examples/*/Makefile)))
EXAMPLE_BOARDS := mps2-an385 microbit
EXAMPLE_NEEDS_ETH = $(shell grep -qs '^APP_NET := 1' examples/$(1)/Makefile && echo 1)
EXAMPLE_MAKE = $(MAKE) --no-print-directory -s -C examples/$(1) O=$(abspath $(O))/examples/$(1)

.PHONY: examples-test
examples-test: $(addprefix example-test-,$(EXAMPLES))
example-test-%: | deps-arm deps-qemu deps-host
	@mkdir -p $(O)/examples
	$(Q)t=test; for b in $(if $(call EXAMPLE_NEEDS_ETH,$*),mps2-an385,$(EXAMPLE_BOARDS)); do \
		$(call EXAMPLE_MAKE,$*) BOARD=$$b $$t >$(abspath $(O))/examples/$*-$$b.log 2>&1 || \
		{ cat $(abspath $(O))/examples/$*-$$b.log; echo "examples-test: $* on $$b FAILED"; exit 1; }; \
		grep -h '^PASS\|^host:' $(abspath $(O))/examples/$*-$$b.log | sed "s|^|examples-test $$b: |"; \
		t=check; \
	done

TEST_TARGETS += examples-test

# make test's build step builds every example's image on its boards, in
# parallel (each board into its own folder); examples-test then runs them.
EXAMPLE_IMAGES := $(foreach e,$(EXAMPLES),$(foreach b,$(if \
	$(call EXAMPLE_NEEDS_ETH,$(e)),mps2-an385,$(EXAMPLE_BOARDS)),example-image-$(e)@$(b)))
.PHONY: example-images
example-images: $(EXAMPLE_IMAGES)
example-image-%: | deps-arm
	$(Q)$(call EXAMPLE_MAKE,$(word 1,$(subst @, ,$*))) BOARD=$(word 2,$(subst @, ,$*)) all
test-build: example-images

# ---- docs/getting-started.md, followed literally ----------------------------
# scripts/doc_app.py writes the files the page shows into a fresh folder
# beside a link to this tree and runs the page's commands: build for
# mps2-an385 and the micro:bit, the host test, the output under QEMU on
# both.  The page cannot drift from what works.
.PHONY: getting-started-test
getting-started-test: | deps-arm deps-qemu deps-host
	@mkdir -p $(O)
	$(Q)$(PYTHON) scripts/doc_app.py --kettle . docs/getting-started.md \
		>$(O)/getting-started.log 2>&1 || { cat $(O)/getting-started.log; exit 1; }
	$(Q)grep -h '^PASS\|^host:' $(O)/getting-started.log | sed 's/^/getting-started-test: /'

TEST_TARGETS += getting-started-test

# ---- README.md's example: it compiles and links, as an application ----------
# The README's one C block goes into an application folder in $(O) and is
# built the documented way (app.mk) with kettle's warnings as errors.
README_APP := $(abspath $(O))/readme-example
.PHONY: readme-test
readme-test: | deps-arm
	@mkdir -p $(README_APP)
	$(Q)sed -n '/^```c$$/,/^```$$/p' README.md | sed '1d;$$d' > $(README_APP)/main.c
	$(Q)[ -s $(README_APP)/main.c ] || { echo "readme-test: no C block in README.md" >&2; exit 1; }
	$(Q)printf 'KETTLE := %s\nAPP_SRCS := main.c\ninclude $$(KETTLE)/app.mk\n' "$(CURDIR)" > $(README_APP)/Makefile
	$(Q)$(MAKE) --no-print-directory -s -C $(README_APP) >$(README_APP).log 2>&1 || \
		{ cat $(README_APP).log; echo "readme-test: README.md's example does not build" >&2; exit 1; }
	@echo "readme-test: README.md's example builds and links for mps2-an385"

TEST_TARGETS += readme-test
