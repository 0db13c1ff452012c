# Formatting with clang-format and the tree's .clang-format.  Included by
# the Makefile; format-check is part of make test, so every tracked C file
# stays as clang-format writes it.  A table laid out by hand (a vector
# table, an initialiser macro) sits between "clang-format off" and
# "clang-format on" comments.
#
#   make format         reformat every tracked C file in place
#   make format-check   the files clang-format would change and the
#                       number of lines; fails if there are any

FORMAT_SRCS = $(shell git ls-files '*.c' '*.h' 2>/dev/null)

.PHONY: format format-check deps-format
deps-format:
	$(Q)scripts/deps.sh format

format: | deps-format
	$(Q)clang-format -i --style=file $(FORMAT_SRCS)
	@echo "format: $(words $(FORMAT_SRCS)) files formatted"

format-check: | deps-format
	$(Q)files=0; lines=0; for f in $(FORMAT_SRCS); do \
		n=$$(clang-format --style=file "$$f" | diff "$$f" - | grep -c '^<'); \
		if [ "$$n" -gt 0 ]; then echo "  $$f: $$n lines"; \
			files=$$((files + 1)); lines=$$((lines + n)); fi; \
	done; \
	echo "format-check: $$files of $(words $(FORMAT_SRCS)) files, $$lines lines would change"; \
	[ "$$files" -eq 0 ]
TEST_TARGETS += format-check
