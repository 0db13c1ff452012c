# The API reference and the documentation's own checks.  Included by the
# Makefile before `test`; appends to TEST_TARGETS.
#
#   make docs        the reference from kernel/kettle.h's comments
#                    (Doxygen, docs/Doxyfile) into $(O)/docs/html; any
#                    Doxygen warning fails it (WARN_AS_ERROR)
#   make docs-test   make docs, and every relative link in README.md and
#                    docs/*.md leads to a file that exists (part of make
#                    test)

DOCS_OUT := $(abspath $(O))/docs

.PHONY: docs docs-test deps-docs
deps-docs:
	$(Q)scripts/deps.sh docs

docs: | deps-docs
	@mkdir -p $(DOCS_OUT)
	$(Q)KT_VERSION="$(KT_VERSION)" DOCS_OUT=$(DOCS_OUT) doxygen docs/Doxyfile || \
		{ cat $(DOCS_OUT)/warnings.txt; echo "docs: Doxygen warned (above)" >&2; exit 1; }
	$(Q)if [ -s $(DOCS_OUT)/warnings.txt ]; then cat $(DOCS_OUT)/warnings.txt; \
		echo "docs: Doxygen warned (above)" >&2; exit 1; fi
	@echo "docs: $(DOCS_OUT)/html/index.html, no warnings"

docs-test: docs
	$(Q)$(PYTHON) scripts/doc_links.py README.md docs/*.md

TEST_TARGETS += docs-test
