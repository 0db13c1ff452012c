#!/usr/bin/env python3
"""Doxygen's INPUT_FILTER for kettle's headers (make docs, docs/Doxyfile).

kettle's comments are plain C comments (docs/STYLE: they say why and the
contract); this filter shows them to Doxygen as documentation without
changing the sources, line for line (line numbers stay right):
  - the file's first comment becomes the @file description;
  - a comment that starts a line documents what follows it (/* -> /**);
  - a comment after code on its line documents that code (/* -> /**<);
  - section rules (/* ---- name ---- */) become @name groups' titles,
    plain comments to Doxygen (no member is documented by them).
Text that Doxygen would read as its own commands is escaped: a backslash
or an @ at a word's start, and <word> that looks like an HTML tag.
"""

import re
import sys

RULE = re.compile(r"^(\s*)/\* -{2,}\s*(.*?)\s*-*\s*\*/\s*$")
LEAD = re.compile(r"^(\s*)/\*(?!\*)(.*)$")
TRAIL = re.compile(r"^(.*\S.*?)\s/\*(?!\*)(.*)$")


def escape(text):
    text = re.sub(r"(?<![\w])@", r"\\@", text)
    text = re.sub(r"<(/?[A-Za-z][\w.]*)>", r"\\<\1\\>", text)
    text = text.replace("#", "\\#") if "#include" not in text else text
    return text


def main():
    src = open(sys.argv[1], encoding="utf-8").read().split("\n")
    out = []
    first = True
    in_comment = False
    for line in src:
        if in_comment:
            out.append(escape(line))
            if "*/" in line:
                in_comment = False
            continue
        m = RULE.match(line)
        if m:
            out.append(line)
            first = False
            continue
        m = LEAD.match(line)
        if m:
            head = "/** @file" if first else "/**"
            first = False
            out.append(m.group(1) + head + escape(m.group(2)))
            in_comment = "*/" not in m.group(2)
            continue
        m = TRAIL.match(line)
        if m and not m.group(1).lstrip().startswith(("#include", "//")) \
                and '"' not in m.group(1):
            out.append(m.group(1) + " /**<" + escape(m.group(2)))
            in_comment = "*/" not in m.group(2)
            continue
        out.append(line)
    sys.stdout.write("\n".join(out))


if __name__ == "__main__":
    main()
