#!/bin/sh
# Install what a make target needs, from Debian, only when it is missing.
#   scripts/deps.sh arm|qemu|host|fuzz|net|browser|openocd|gdb|check|docs|cmake|format ...
set -e
need=""
for what in "$@"; do
	case "$what" in
	arm)
		command -v arm-none-eabi-gcc >/dev/null || need="$need gcc-arm-none-eabi"
		[ -e /usr/lib/arm-none-eabi/newlib/thumb/v7-m/nofp/libc_nano.a ] ||
			need="$need libnewlib-arm-none-eabi" ;;
	qemu)
		command -v qemu-system-arm >/dev/null || need="$need qemu-system-arm"
		command -v python3 >/dev/null || need="$need python3" ;;
	host)
		command -v cc >/dev/null || need="$need gcc"
		[ -e /usr/include/cmocka.h ] || need="$need libcmocka-dev" ;;
	fuzz)
		command -v clang >/dev/null || need="$need clang"
		ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a \
			>/dev/null 2>&1 || need="$need libclang-rt-dev" ;;
	net)
		command -v ip >/dev/null || need="$need iproute2"
		command -v ping >/dev/null || need="$need iputils-ping" ;;
	browser)
		# headless Chromium loads the demo's status page (net_run.py's
		# page-chromium test)
		command -v chromium >/dev/null || need="$need chromium" ;;
	openocd)
		command -v openocd >/dev/null || need="$need openocd" ;;
	gdb)
		command -v gdb-multiarch >/dev/null || need="$need gdb-multiarch" ;;
	check)
		command -v cppcheck >/dev/null || need="$need cppcheck"
		command -v clang-tidy >/dev/null || need="$need clang-tidy" ;;
	docs)
		command -v doxygen >/dev/null || need="$need doxygen" ;;
	cmake)
		command -v cmake >/dev/null || need="$need cmake" ;;
	format)
		command -v clang-format >/dev/null || need="$need clang-format" ;;
	*) echo "deps.sh: unknown group $what" >&2; exit 2 ;;
	esac
done
[ -z "$need" ] && exit 0
echo "installing from Debian:$need"
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# One update per machine is enough; a failed install retries after an update.
$sudo apt-get install -y -q $need </dev/null ||
	{ $sudo apt-get update -q </dev/null && $sudo apt-get install -y -q $need </dev/null; }
