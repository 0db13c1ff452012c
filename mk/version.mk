# The version, read from kernel/kettle.h (KT_VERSION_STRING), its one
# source.  Included by the Makefile before `test`.
#
#   make version        print it
#   make version-test   kettle.h's parts agree with its string, and
#                       README.md, CHANGELOG.md and the API reference
#                       (docs/Doxyfile) state it (part of make test)

KT_VERSION := $(shell sed -n 's/^\#define KT_VERSION_STRING "\(.*\)"$$/\1/p' kernel/kettle.h)

.PHONY: version version-test
version:
	@echo "kettle $(KT_VERSION)"

version-test:
	$(Q)$(PYTHON) scripts/version_check.py

TEST_TARGETS += version-test
