#!/usr/bin/env python3
"""Runs every sample program (samples/*.mini, samples/threads/*.mini) and checks it ends with
status 0, with output and no error output (what they print is the business of the script tests
that mirror them, e.g. tests/thread/lecture/). In the sanitizer build of CI this is what checks
the samples for leaks and memory errors.

usage: check.py MINI SAMPLES_DIR
"""
import os
import subprocess
import sys

mini, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
paths = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f.endswith(".mini"))
env = dict(os.environ)
env.pop("PYTHONUNBUFFERED", None)
passed = failed = 0
for path in paths:
    problems = []
    try:
        proc = subprocess.run([mini, path], capture_output=True, text=True, timeout=600,
                              cwd=os.path.dirname(path), env=env)
        if proc.returncode != 0:
            problems.append(f"exit status {proc.returncode}")
        if proc.stderr.strip():
            problems.append("stderr:\n" + proc.stderr[-2000:])
        if not proc.stdout.strip():
            problems.append("no output")
    except subprocess.TimeoutExpired:
        problems.append("timed out")
    if problems:
        failed += 1
        print("FAIL", path, *problems, sep="\n  ")
    else:
        passed += 1
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
