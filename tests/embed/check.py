#!/usr/bin/env python3
"""Runs samples/embed (a C program using include/mini.h) and checks its output."""
import subprocess
import sys

proc = subprocess.run([sys.argv[1]], capture_output=True, text=True, timeout=60)
want_out = ["area: 42", "first program exited with 0", "before the error",
            "second program exited with 1", "third program exited with 7"]
got_out = proc.stdout.splitlines()
ok = proc.returncode == 0 and got_out == want_out and \
    proc.stderr.rstrip().endswith("ZeroDivisionError: division by zero")
if not ok:
    print("stdout:", got_out, "\nstderr:", proc.stderr, "\nstatus:", proc.returncode)
print("1 passed, 0 failed" if ok else "0 passed, 1 failed")
sys.exit(0 if ok else 1)
