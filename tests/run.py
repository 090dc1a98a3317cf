#!/usr/bin/env python3
"""The script-test runner: runs every tests/**/*.mini file and checks what its comments expect.

A test is a Python-subset program whose comments state what must happen:

    print(6 * 7)  # expect: 42          one line of stdout, in order
    # expect error: SyntaxError: invalid syntax      the program does not compile: exit 1 and
                                                     this is the last line of stderr (a bare
                                                     class name matches any message)
    # expect runtime error: ZeroDivisionError: division by zero
                                                     an uncaught exception: exit 1 and this is
                                                     the last line of stderr
    # expect exit: 3                     the exit status (when it is not 0 or the error's 1);
                                         a death by signal N counts as 128 + N, as a shell
                                         shows it (130: an uncaught KeyboardInterrupt)
    # args: a b c                        command-line arguments for the script
    # stdin: text                        a line of standard input (repeatable)
    # mini-only                          not compared against python3 (mini-specific output)
    # mini-options: --switch-every=1     options for mini itself, before the script (python3
                                         runs the test without them)

Modes:
    run.py --mini build/mini tests/scripts          run every test under mini
    run.py --python python3 tests/scripts           run each test under python3 (as a .py copy,
                                                    PYTHONUNBUFFERED unset) and compare stdout
                                                    with the same expectations; tests of errors
                                                    and mini-only tests are skipped

The last line is "N passed, N failed" (and ", N skipped"); the exit status is 1 on a failure.
"""

import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile

EXPECT = re.compile(r"#\s*expect:\s?(.*)$")
EXPECT_ERROR = re.compile(r"#\s*expect error:\s*(.*?)\s*$")
EXPECT_RUNTIME = re.compile(r"#\s*expect runtime error:\s*(.*?)\s*$")
EXPECT_EXIT = re.compile(r"#\s*expect exit:\s*(\d+)")
ARGS = re.compile(r"#\s*args:\s*(.*?)\s*$")
STDIN = re.compile(r"#\s*stdin:\s?(.*)$")
MINI_ONLY = re.compile(r"#\s*mini-only\b")
MINI_OPTIONS = re.compile(r"#\s*mini-options:\s*(.*?)\s*$")


class Test:
    def __init__(self, path):
        self.path = path
        self.stdout = []
        self.error = None  # (kind, last line)
        self.exit = None
        self.args = []
        self.mini_options = []
        self.stdin = []
        self.mini_only = False
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                line = line.rstrip("\n")
                m = EXPECT.search(line)
                if m:
                    self.stdout.append(m.group(1))
                    continue
                m = EXPECT_ERROR.search(line)
                if m:
                    self.error = ("compile", m.group(1))
                    continue
                m = EXPECT_RUNTIME.search(line)
                if m:
                    self.error = ("runtime", m.group(1))
                    continue
                m = EXPECT_EXIT.search(line)
                if m:
                    self.exit = int(m.group(1))
                m = ARGS.search(line)
                if m:
                    self.args = m.group(1).split()
                m = MINI_OPTIONS.search(line)
                if m:
                    self.mini_options = m.group(1).split()
                m = STDIN.search(line)
                if m:
                    self.stdin.append(m.group(1))
                if MINI_ONLY.search(line):
                    self.mini_only = True

    def expected_status(self):
        if self.exit is not None:
            return self.exit
        return 1 if self.error else 0


def last_line(text):
    lines = [l for l in text.splitlines() if l.strip()]
    return lines[-1] if lines else ""


def check(test, proc, compare_stderr):
    """Returns a list of failure messages (empty when the test passed)."""
    problems = []
    out = proc.stdout.decode("utf-8", "replace").splitlines()
    err = proc.stderr.decode("utf-8", "replace")
    if out != test.stdout:
        diff = []
        for i in range(max(len(out), len(test.stdout))):
            want = test.stdout[i] if i < len(test.stdout) else "<nothing>"
            got = out[i] if i < len(out) else "<nothing>"
            if want != got:
                diff.append(f"    line {i + 1}: expected {want!r}\n              got {got!r}")
            if len(diff) >= 5:
                break
        problems.append("stdout differs:\n" + "\n".join(diff))
    # A process killed by signal N reports -N here; a shell shows 128 + N.
    shell_status = 128 - proc.returncode if proc.returncode < 0 else proc.returncode
    if shell_status == test.expected_status():
        pass
    elif proc.returncode < 0:
        problems.append(f"killed by signal {-proc.returncode}")
    elif proc.returncode != test.expected_status():
        problems.append(f"exit status {proc.returncode}, expected {test.expected_status()}")
    if compare_stderr and test.error:
        want = test.error[1]
        got = last_line(err)
        ok = got == want or (":" not in want and (got == want or got.startswith(want + ":")))
        if not ok:
            problems.append(f"last line of stderr: expected {want!r}, got {got!r}")
    if problems and err.strip() and (not test.error or compare_stderr):
        tail = "\n".join("    | " + l for l in err.splitlines()[-8:])
        problems.append("stderr:\n" + tail)
    return problems


def run_one(test, command, python_mode, timeout, tmpdir):
    path = test.path
    env = dict(os.environ)
    env.pop("PYTHONUNBUFFERED", None)
    cwd = os.path.dirname(os.path.abspath(path))
    if python_mode:
        # Run a .py copy next to the original so relative imports and files behave the same.
        base = os.path.splitext(os.path.basename(path))[0]
        copy = os.path.join(tmpdir, base + "_" + str(abs(hash(path))) + ".py")
        shutil.copyfile(path, copy)
        # Modules next to the test import as they do for mini (its folder is on sys.path).
        env["PYTHONPATH"] = cwd
        argv = command + ["-S", copy] + test.args
    else:
        argv = command + test.mini_options + [os.path.abspath(path)] + test.args
    stdin = ("\n".join(test.stdin) + "\n").encode() if test.stdin else b""
    try:
        proc = subprocess.run(argv, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout, env=env, cwd=cwd,
                              preexec_fn=restore_signals)
    except subprocess.TimeoutExpired:
        return [f"timed out after {timeout}s"]
    return check(test, proc, compare_stderr=not python_mode)


def restore_signals():
    # A child gets the default SIGINT/SIGPIPE dispositions, as from a shell.
    import signal
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)


def find_tests(paths):
    found = []
    for p in paths:
        if os.path.isfile(p):
            found.append(p)
            continue
        for root, _dirs, files in os.walk(p):
            for f in files:
                if f.endswith(".mini"):
                    found.append(os.path.join(root, f))
    return sorted(found)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mini", help="the mini binary to test")
    ap.add_argument("--python", help="the python3 to compare against instead")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("paths", nargs="+")
    args = ap.parse_args()
    if bool(args.mini) == bool(args.python):
        ap.error("give exactly one of --mini or --python")
    python_mode = bool(args.python)
    command = [args.python] if python_mode else [os.path.abspath(args.mini)]
    tests = [Test(p) for p in find_tests(args.paths)]
    passed = failed = skipped = 0
    with tempfile.TemporaryDirectory() as tmpdir, \
            concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {}
        for t in tests:
            if python_mode and (t.error or t.mini_only or t.exit is not None):
                skipped += 1
                continue
            futures[pool.submit(run_one, t, command, python_mode, args.timeout, tmpdir)] = t
        for fut in concurrent.futures.as_completed(futures):
            t = futures[fut]
            problems = fut.result()
            name = os.path.relpath(t.path)
            if problems:
                failed += 1
                print(f"FAIL {name}")
                for p in problems:
                    print("  " + p)
            else:
                passed += 1
                if args.verbose:
                    print(f"ok   {name}")
    summary = f"{passed} passed, {failed} failed"
    if skipped:
        summary += f", {skipped} skipped"
    print(summary)
    sys.exit(1 if failed or passed == 0 else 0)


if __name__ == "__main__":
    main()
