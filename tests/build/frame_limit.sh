#!/bin/sh
# The frame limit (kernel/port/cortex-m/guard.h's PORT_FRAME_LIMIT, put on
# every target object by mk/fault.mk) as the build applies it:
#   frame_limit.sh CC LIMIT CFLAGS...
# compiles tests/build/frame.c with the board's own CFLAGS, its array's
# size stepping down from LIMIT by 8 bytes, and checks that the one 8
# bytes larger than the first that builds fails, that its error names the
# function and the limit, and that its frame, as the compiler measures it
# (locals and spills: what moves SP without writing; the pushed registers
# are written, so they cannot jump a guard), is at most 8 bytes over the
# limit: a frame just under the limit builds, one just over does not.
# Prints one line of what it found; exits non-zero on any mismatch.
set -u
cc=$1 limit=$2
shift 2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
src=tests/build/frame.c

build() { # build BUF FN: 0 if it compiled; stderr in $dir/err
	"$cc" $cflags -DFRAME_BUF="$1" -DFRAME_FN="$2" \
		-c "$src" -o "$dir/frame.o" 2>"$dir/err"
}

cflags="$*"
buf=$limit
while [ "$buf" -gt 0 ]; do
	build "$buf" frame_at_limit && break
	buf=$((buf - 8))
done
if [ "$buf" -le 0 ]; then
	echo "frame-test: no frame builds at all:" >&2; cat "$dir/err" >&2; exit 1
fi
over=$((buf + 8))
if build "$over" frame_too_big; then
	echo "frame-test: a frame over the limit of $limit bytes builds" >&2; exit 1
fi
if ! grep -q "In function 'frame_too_big'" "$dir/err" ||
   ! grep -q "larger than $limit bytes" "$dir/err"; then
	echo "frame-test: the error does not name the function and the limit:" >&2
	cat "$dir/err" >&2
	exit 1
fi
# The compiler's own measure of the refused frame: 8 bytes more array
# makes 8 bytes more frame, so the one that built was within 8 of it.
frame=$(sed -n 's/.*the frame size of \([0-9]*\) bytes.*/\1/p' "$dir/err" | head -n 1)
if [ -z "$frame" ] || [ "$frame" -le "$limit" ] || [ "$frame" -gt $((limit + 8)) ]; then
	echo "frame-test: the refused frame is ${frame:-?} bytes, not just over $limit:" >&2
	cat "$dir/err" >&2
	exit 1
fi
msg=$(grep -m1 "larger than" "$dir/err" | sed 's/^[^:]*:[0-9]*:[0-9]*: //')
echo "frame-test: a frame of $((frame - 8)) bytes builds, one of $frame is refused:" \
	"\"frame_too_big: $msg\""
