#!/bin/sh
# Run every host test binary given; each prints cmocka's summary.  Ends
# with one line "N passed, N failed" counting binaries.
pass=0 fail=0
for t in "$@"; do
	echo "== $t"
	if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $t"; fi
done
echo "host: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
