#!/usr/bin/env python3
"""The kernel's flash on one board, against a budget.

    kernel_size.py --board B --budget 4096 --cc arm-none-eabi-gcc \\
        --cpu "-mcpu=cortex-m3 -mthumb" --api kernel/kettle.h \\
        --image some.elf kernel/*.o port/*.o

Links the kernel's objects (compiled for the board: -Os,
-ffunction-sections) on their own, with the linker's garbage collection
and every function of the public API (each global function whose name
kernel/kettle.h mentions, and the port's port_* functions, which boards
call) kept as a root: what the kernel takes of flash in an application
that uses all of its API.  Code only the kernel's own callers need stays
exactly when one of them does (kt_task_fail, say, only with the stack
guards that call it).  Counts text + data, and separately the library
routines it calls (memset, libgcc's division: their sizes taken from an
image that links them).  Prints one line, the biggest objects and the sum
of the objects unlinked; with --enforce exits 1 when over the budget.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile


def tool(prefix, name, *args):
    return subprocess.run([prefix + name, *args], check=True,
                          capture_output=True, text=True).stdout


def text_data(size_out):
    total = 0
    for line in size_out.splitlines()[1:]:
        text, data = line.split()[:2]
        total += int(text) + int(data)
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--board", required=True)
    ap.add_argument("--budget", type=int, default=4096)
    ap.add_argument("--enforce", action="store_true",
                    help="exit 1 when the kernel is over the budget")
    ap.add_argument("--cross", default="arm-none-eabi-")
    ap.add_argument("--cpu", required=True, help="the board's CPU flags")
    ap.add_argument("--api", required=True, help="the public header")
    ap.add_argument("--image", required=True,
                    help="an ELF linking the kernel, for the library routines")
    ap.add_argument("objects", nargs="+")
    a = ap.parse_args()

    api = set(re.findall(r"\b[A-Za-z_]\w*\b", open(a.api).read()))
    roots = set()
    for line in tool(a.cross, "nm", "-g", "--defined-only", *a.objects).splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == "T" and (
                parts[2] in api or parts[2].startswith("port_")):
            roots.add(parts[2])
    if not roots:
        sys.exit("kernel_size: no API function found in the objects")

    with tempfile.TemporaryDirectory() as tmp:
        elf = os.path.join(tmp, "kernel.elf")
        subprocess.run([a.cross + "gcc", *a.cpu.split(), "-nostdlib",
                        "-nostartfiles", "-Wl,--gc-sections",
                        "-Wl,--unresolved-symbols=ignore-all",
                        "-Wl,--no-warn-rwx-segments",
                        "-Wl,--entry=" + min(roots),
                        *["-Wl,-u," + r for r in sorted(roots)],
                        *a.objects, "-o", elf], check=True)
        kernel = text_data(tool(a.cross, "size", elf))
        # What the kernel calls and does not define: the library's, and
        # the board's half of the port (port_idle_ticks), which is not.
        undefined = {l.split()[-1] for l in tool(a.cross, "nm", "-u", elf).splitlines()
                     if l.strip() and not l.split()[-1].startswith(("port_", "board_"))}

    sizes = []
    for line in tool(a.cross, "size", *a.objects).splitlines()[1:]:
        text, data, _bss, _dec, _hex, name = line.split(None, 5)
        sizes.append((int(text) + int(data), name.rsplit("/", 1)[-1]))
    unlinked = sum(s for s, _ in sizes)

    # Sizes of the library routines from the image; libgcc's assembly
    # routines carry none, so theirs is the distance to the next symbol.
    syms = []
    for line in tool(a.cross, "nm", "-S", "-n", a.image).splitlines():
        parts = line.split()
        if len(parts) == 4:
            syms.append((int(parts[0], 16), int(parts[1], 16), parts[3]))
        elif len(parts) == 3:
            syms.append((int(parts[0], 16), None, parts[2]))
    lib = {}
    for i, (addr, size, name) in enumerate(syms):
        if name not in undefined or name in lib:
            continue
        if size is None:
            later = [x for x, _, _ in syms[i + 1:] if x > addr]
            size = later[0] - addr if later else 0
        lib[name] = size

    top = ", ".join("%s %d" % (n, s) for s, n in sorted(sizes, reverse=True)[:4])
    over = kernel > a.budget
    verdict = ("over by %d" % (kernel - a.budget) if over
               else "fits (%d left)" % (a.budget - kernel))
    print("%-22s %5d bytes, %d budget: %s; objects %d unlinked, biggest: %s" % (
        a.board, kernel, a.budget, verdict, unlinked, top))
    if lib:
        print("%-22s   + library routines it calls: %d bytes (%s)" % (
            "", sum(lib.values()), ", ".join(sorted(lib))))
    return 1 if over and a.enforce else 0


if __name__ == "__main__":
    sys.exit(main())
