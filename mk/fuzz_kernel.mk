# The kernel fuzzer (tests/fuzz/fuzz_kernel.c): random sequences of kernel
# operations against invariants and a model, for a bounded time in make
# test.  The net fragment (mk/net.mk) provides deps-fuzz and FUZZ_SECONDS.
KFUZZ_BIN := $(HDIR)/fuzz/fuzz_kernel
KFUZZ_SRCS := tests/fuzz/fuzz_kernel.c $(KERNEL_SRCS) \
	$(wildcard kernel/port/host/*.c kernel/port/host/*.S)

$(KFUZZ_BIN): $(KFUZZ_SRCS) $(wildcard kernel/*.h kernel/port/host/*.h) | deps-fuzz
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CLANG   $@ (libFuzzer+asan+ubsan)"
	$(Q)clang -std=c11 -D_GNU_SOURCE -g -O1 $(WARN) -Ikernel -Ikernel/port/host \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer $(KFUZZ_SRCS) -o $@

.PHONY: fuzz-kernel
fuzz-kernel: $(KFUZZ_BIN)
	@mkdir -p $(HDIR)/fuzz/kernel-corpus
	$(Q)cd $(HDIR)/fuzz && ./fuzz_kernel -seed=1 -max_total_time=$(FUZZ_SECONDS) \
		-timeout=10 -max_len=512 -print_final_stats=1 kernel-corpus \
		2>fuzz_kernel.log || { tail -n 60 fuzz_kernel.log; \
		echo "fuzz-kernel: FAILED (log: $(HDIR)/fuzz/fuzz_kernel.log)"; exit 1; }
	@grep -E '^(stat::number_of_executed_units|stat::new_units_added)' \
		$(HDIR)/fuzz/fuzz_kernel.log | sed 's/^/fuzz-kernel: /'

TEST_TARGETS += fuzz-kernel
test-build: $(KFUZZ_BIN)
