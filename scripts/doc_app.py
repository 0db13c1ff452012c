#!/usr/bin/env python3
"""Follow a document's steps literally: docs/getting-started.md.

    doc_app.py --kettle . docs/getting-started.md            # run it
    doc_app.py --script docs/getting-started.md              # print the script

Two kinds of fenced blocks in the document are steps, taken in the order
they appear:
  - a block whose info string has file=NAME (```c file=main.c) is a file:
    it is written, as shown, to NAME in the current folder;
  - a block with the info string "sh test" holds commands: each line
    starting with "$ " is run (others are output, shown to the reader).
Everything else is prose.  The steps become one shell script (set -e, so
the first failing command stops it), run in a fresh temporary folder that
holds a link "kettle" to kettle's tree, as the document lays out.  On
success the folder is removed; on failure it is kept and named.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^```(.*)$")


def steps(path):
    out = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        info = m.group(1).split()
        body = []
        i += 1
        while i < len(lines) and lines[i] != "```":
            body.append(lines[i])
            i += 1
        if i == len(lines):
            raise SystemExit("%s: a code block is not closed" % path)
        i += 1
        names = [w[5:] for w in info if w.startswith("file=")]
        if names:
            out.append(("file", names[0], "\n".join(body) + "\n"))
        elif info == ["sh", "test"]:
            for line in body:
                if line.startswith("$ "):
                    out.append(("run", line[2:], None))
    return out


def script(path):
    sc = ["set -e"]
    nfiles = ncmds = 0
    for kind, a, body in steps(path):
        if kind == "file":
            if "KETTLE_DOC_EOF" in body:
                raise SystemExit("%s: %s holds the here-document marker" % (path, a))
            sc.append("echo '--- doc: write %s'" % a)
            sc.append("cat > '%s' <<'KETTLE_DOC_EOF'\n%sKETTLE_DOC_EOF" % (a, body))
            nfiles += 1
        else:
            sc.append("echo '--- doc: $ %s'" % a.replace("'", "'\\''"))
            sc.append(a)
            ncmds += 1
    if not nfiles or not ncmds:
        raise SystemExit("%s: no files or no commands to follow" % path)
    return "\n".join(sc) + "\n", nfiles, ncmds


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kettle", help="kettle's tree: run the steps")
    ap.add_argument("--script", action="store_true", help="print the script")
    ap.add_argument("doc")
    args = ap.parse_args()
    text, nfiles, ncmds = script(args.doc)
    if args.script or not args.kettle:
        sys.stdout.write(text)
        return 0
    top = tempfile.mkdtemp(prefix="kettle-doc-")
    os.symlink(os.path.abspath(args.kettle), os.path.join(top, "kettle"))
    env = dict(os.environ)
    # The steps are a user's, not kettle's sub-makes.
    for v in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES"):
        env.pop(v, None)
    rc = subprocess.call(["sh", "-c", text], cwd=top, env=env)
    name = os.path.basename(args.doc)
    if rc != 0:
        print("FAIL %s: a step failed (exit %d); the folder is kept: %s"
              % (name, rc, top))
        return 1
    shutil.rmtree(top)
    print("PASS %s: %d files written and %d commands run as the document says"
          % (name, nfiles, ncmds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
