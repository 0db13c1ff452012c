#!/usr/bin/env python3
"""Every relative link in the given Markdown files leads somewhere.

    doc_links.py README.md docs/*.md

A link [text](path) or [text](path#anchor) whose path is not a URL must
name a file or folder that exists, relative to the Markdown file; an
anchor into a Markdown file must match one of its headings (GitHub's
rule: lower case, punctuation dropped, spaces to hyphens).  Prints each
broken link and exits 1 if there is one.
"""

import os
import re
import sys

LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```")


def anchors(path):
    out = set()
    inside = False
    for line in open(path, encoding="utf-8"):
        if FENCE.match(line):
            inside = not inside
        if inside:
            continue
        m = re.match(r"^#+\s+(.*)$", line)
        if m:
            a = m.group(1).strip().lower()
            a = re.sub(r"[^\w\- ]", "", a).replace(" ", "-")
            out.add(a)
    return out


def main():
    bad = 0
    links = 0
    for md in sys.argv[1:]:
        inside = False
        for n, line in enumerate(open(md, encoding="utf-8"), 1):
            if FENCE.match(line):
                inside = not inside
            if inside:
                continue
            for target in LINK.findall(line):
                if re.match(r"^[a-z]+:", target):
                    continue
                links += 1
                path, _, anchor = target.partition("#")
                full = os.path.normpath(os.path.join(os.path.dirname(md), path)) if path else md
                if not os.path.exists(full):
                    print("%s:%d: %s: no such file" % (md, n, target))
                    bad += 1
                elif anchor and full.endswith(".md") and anchor not in anchors(full):
                    print("%s:%d: %s: no such heading" % (md, n, target))
                    bad += 1
    print("doc links: %d relative links in %d files, %d broken" % (links, len(sys.argv) - 1, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
