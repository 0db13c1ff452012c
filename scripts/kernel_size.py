#!/usr/bin/env python3
"""The kernel's flash on one board, against a budget.

    kernel_size.py --board B --budget 4096 --image some.elf kernel/*.o port/*.o

Counts text + data of the kernel's objects (kernel/*.c and the port, as
compiled for the board: -Os, -ffunction-sections, so every function is
counted, used or not) and, separately, the library routines they call
(libgcc's division and switch helpers, memcpy, memset: their sizes taken
from an image that links them).  Prints one line per board, the biggest
objects, and whether the kernel fits the budget or by how much it does
not.  Exits 0 either way: the budget is reported, not enforced.
"""
import argparse
import subprocess
import sys


def tool(prefix, name, *args):
    return subprocess.run([prefix + name, *args], check=True,
                          capture_output=True, text=True).stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--board", required=True)
    ap.add_argument("--budget", type=int, default=4096)
    ap.add_argument("--image", required=True,
                    help="an ELF linking the kernel, for the library routines")
    ap.add_argument("--cross", default="arm-none-eabi-")
    ap.add_argument("objects", nargs="+")
    a = ap.parse_args()

    sizes = []
    for line in tool(a.cross, "size", *a.objects).splitlines()[1:]:
        text, data, _bss, _dec, _hex, name = line.split(None, 5)
        sizes.append((int(text) + int(data), name.rsplit("/", 1)[-1]))
    kernel = sum(s for s, _ in sizes)

    defined, undefined = set(), set()
    for line in tool(a.cross, "nm", *a.objects).splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
        elif len(parts) == 3:
            defined.add(parts[2])
    # Sizes from the image; libgcc's assembly routines carry none, so
    # theirs is the distance to the next symbol.
    syms = []
    for line in tool(a.cross, "nm", "-S", "-n", a.image).splitlines():
        parts = line.split()
        if len(parts) == 4:
            syms.append((int(parts[0], 16), int(parts[1], 16), parts[3]))
        elif len(parts) == 3:
            syms.append((int(parts[0], 16), None, parts[2]))
    lib = {}
    for i, (addr, size, name) in enumerate(syms):
        if name not in undefined - defined or name in lib:
            continue
        if size is None:
            later = [x for x, _, _ in syms[i + 1:] if x > addr]
            size = later[0] - addr if later else 0
        lib[name] = size

    top = ", ".join("%s %d" % (n, s) for s, n in sorted(sizes, reverse=True)[:4])
    verdict = ("fits (%d left)" % (a.budget - kernel) if kernel <= a.budget
               else "over by %d" % (kernel - a.budget))
    print("%-14s kernel %5d bytes, %d budget: %s; biggest: %s" % (
        a.board, kernel, a.budget, verdict, top))
    if lib:
        print("%-14s   + library routines it calls: %d bytes (%s)" % (
            "", sum(lib.values()), ", ".join(sorted(lib))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
