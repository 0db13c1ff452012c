# Static analysis gates make test: cppcheck and clang-tidy over the portable
# code (kernel, host port, net), compiled as for the host.  Any finding
# fails the target and is printed.
ANALYSE_SRCS := $(KERNEL_SRCS) $(wildcard kernel/port/host/*.c net/*.c)
ANALYSE_FLAGS := -std=c11 -D_GNU_SOURCE -Ikernel -Ikernel/port/host -Inet -Iboard
TIDY_CHECKS := -*,clang-analyzer-*,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,-clang-analyzer-security.insecureAPI.*

.PHONY: check deps-check
check: | deps-check
	$(Q)cppcheck -q --enable=warning,performance,portability --std=c11 \
		--inline-suppr --error-exitcode=1 -Ikernel -Ikernel/port/host -Inet \
		-Iboard $(ANALYSE_SRCS)
	$(Q)out=$$(clang-tidy -quiet --warnings-as-errors='*' --checks='$(TIDY_CHECKS)' \
		$(ANALYSE_SRCS) -- $(ANALYSE_FLAGS) 2>&1) || \
		{ echo "$$out" | grep -v 'warnings* generated\.$$'; exit 1; }
	@echo "check: cppcheck and clang-tidy clean over $(words $(ANALYSE_SRCS)) files"

deps-check:
	$(Q)scripts/deps.sh check

TEST_TARGETS += check
