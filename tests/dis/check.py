#!/usr/bin/env python3
"""The golden test of `mini --dis`: disassembles sample.mini and compares the text with
sample.dis (code-object addresses masked). With --update it rewrites sample.dis instead.

    check.py MINI [--update]
"""
import difflib
import os
import re
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
mini = os.path.abspath(sys.argv[1])
out = subprocess.run([mini, "--dis", "sample.mini"], cwd=here, capture_output=True, text=True)
if out.returncode != 0:
    print(out.stderr)
    print("0 passed, 1 failed")
    sys.exit(1)
text = re.sub(r"0x[0-9a-f]+", "0x...", out.stdout)
golden = os.path.join(here, "sample.dis")
if "--update" in sys.argv:
    with open(golden, "w") as f:
        f.write(text)
    sys.exit(0)
with open(golden) as f:
    want = f.read()
if text != want:
    sys.stdout.writelines(difflib.unified_diff(want.splitlines(True), text.splitlines(True),
                                               "sample.dis", "mini --dis"))
    print("0 passed, 1 failed")
    sys.exit(1)
print("1 passed, 0 failed")
