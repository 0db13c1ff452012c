#!/usr/bin/env python3
"""The version is written once and stated the same everywhere.

    version_check.py      (from kettle's top folder; make version-test)

kernel/kettle.h is the source: KT_VERSION_MAJOR, _MINOR, _PATCH and
KT_VERSION_STRING must agree with each other; README.md must say
"version <it>", CHANGELOG.md must have a "## [<it>]" entry, and
docs/Doxyfile must take PROJECT_NUMBER from make (KT_VERSION), which
mk/version.mk reads from kettle.h.  Prints what it checked; exits 1 on
any disagreement.
"""

import re
import sys


def main():
    h = open("kernel/kettle.h", encoding="utf-8").read()
    parts = []
    for p in ("MAJOR", "MINOR", "PATCH"):
        m = re.search(r"^#define KT_VERSION_%s (\d+)$" % p, h, re.M)
        if not m:
            print("version: kettle.h has no KT_VERSION_%s" % p)
            return 1
        parts.append(m.group(1))
    m = re.search(r'^#define KT_VERSION_STRING "([^"]*)"$', h, re.M)
    if not m:
        print("version: kettle.h has no KT_VERSION_STRING")
        return 1
    v = m.group(1)
    bad = []
    if v != ".".join(parts):
        bad.append('KT_VERSION_STRING "%s" is not MAJOR.MINOR.PATCH %s'
                   % (v, ".".join(parts)))
    readme = open("README.md", encoding="utf-8").read()
    stated = set(re.findall(r"\bversion\s+(\d+\.\d+\.\d+)", readme))
    if stated != {v}:
        bad.append("README.md states version %s, not %s"
                   % (", ".join(sorted(stated)) or "nothing", v))
    log = open("CHANGELOG.md", encoding="utf-8").read()
    entries = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", log, re.M)
    if not entries or entries[0] != v:
        bad.append("CHANGELOG.md's newest version entry is %s, not %s"
                   % (entries[0] if entries else "missing", v))
    doxy = open("docs/Doxyfile", encoding="utf-8").read()
    if not re.search(r"^PROJECT_NUMBER\s*=\s*\$\(KT_VERSION\)\s*$", doxy, re.M):
        bad.append("docs/Doxyfile does not take PROJECT_NUMBER from $(KT_VERSION)")
    for b in bad:
        print("version: " + b)
    if bad:
        return 1
    print("version-test: %s in kettle.h, README.md, CHANGELOG.md and the API reference" % v)
    return 0


if __name__ == "__main__":
    sys.exit(main())
