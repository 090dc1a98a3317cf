#!/usr/bin/env python3
"""The interactive prompt, driven through a pseudo-terminal: sends lines to `mini` (run with
no program on a terminal), then Ctrl-D, and checks that the expected pieces of output appear
in order and that the exit status is right.

    check.py MINI
"""
import os
import pty
import select
import sys
import time

mini = os.path.abspath(sys.argv[1])
TIMEOUT = 30.0


def run_session(lines, eof=True, ctrl_c_first=False, interrupt=None):
    """Runs one session; returns (output text, exit status). [interrupt]: lines typed first, the
    last of which starts a statement that runs until Ctrl-C, which is sent half a second later."""
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
    env["TERM"] = "xterm"
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(mini, [mini], env)
    out = bytearray()

    def read_until(pred, timeout=TIMEOUT):
        end = time.monotonic() + timeout
        while not pred(out):
            left = end - time.monotonic()
            if left <= 0:
                return False
            r, _, _ = select.select([fd], [], [], left)
            if not r:
                return False
            try:
                data = os.read(fd, 4096)
            except OSError:
                return False
            if not data:
                return False
            out.extend(data)
        return True

    def send(data):
        # Give the prompt time to switch the terminal to its editing mode, as a person
        # typing would: bytes that arrive while the line discipline is still in canonical
        # mode are edited by the kernel instead (a Ctrl-D there would be lost).
        time.sleep(0.1)
        os.write(fd, data)

    def prompts(buf):
        return buf.count(b">>> ") + buf.count(b"... ")

    # Wait for each prompt before typing, as a person would.
    read_until(lambda b: prompts(b) >= 1)
    if ctrl_c_first:
        n = prompts(out)
        send(b"abc\x03")
        read_until(lambda b: prompts(b) > n)
    if interrupt:
        for line in interrupt[:-1]:
            n = prompts(out)
            send(line.encode() + b"\r")
            read_until(lambda b: prompts(b) > n)
        n = prompts(out)
        send(interrupt[-1].encode() + b"\r")
        # Let the statement start, then press Ctrl-C while it runs.
        read_until(lambda b: False, timeout=0.5)
        send(b"\x03")
        read_until(lambda b: prompts(b) > n)
    for line in lines:
        n = prompts(out)
        send(line.encode() + b"\r")
        if not read_until(lambda b: prompts(b) > n):
            break
    if eof:
        send(b"\x04")
    read_until(lambda b: False, timeout=2.0 if eof else 0.5)
    status = None
    end = time.monotonic() + TIMEOUT
    while time.monotonic() < end:
        p, st = os.waitpid(pid, os.WNOHANG)
        if p:
            status = os.waitstatus_to_exitcode(st)
            break
        time.sleep(0.05)
    if status is None:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    os.close(fd)
    return out.decode("utf-8", "replace").replace("\r\n", "\n"), status


passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name}\n{detail}")


def in_order(text, pieces):
    pos = 0
    for p in pieces:
        i = text.find(p, pos)
        if i < 0:
            return p
        pos = i + len(p)
    return None


# The main session: expressions echo, assignments do not, a compound statement ends with an
# empty line, an error prints a traceback and the loop goes on, _ is the last value echoed.
text, status = run_session(["1 + 2", "x = [1, 2]", "x", "def f(a):", "    return a * 2", "",
                            "f(21)", "1/0", "_", "'é' * 2", "None"])
missing = in_order(text, ["mini ", ">>> ", "3\n", "[1, 2]\n", "... ", "42\n",
                          "Traceback (most recent call last):",
                          "ZeroDivisionError: division by zero", "42\n", "'éé'\n"])
check("session", missing is None, f"missing {missing!r} in:\n{text}")
check("eof status", status == 0, f"status {status}")
check("eof newline", text.endswith("\n") and text.rstrip("\n").rstrip("^D ").endswith(">>>"), repr(text[-20:]))

# Brackets and triple-quoted strings continue; an empty line at >>> does nothing.
text, status = run_session(["", "y = (1,", "2)", "y", 's = """a', 'b"""', "s", "[1,", "", "2]"])
missing = in_order(text, ["(1, 2)\n", "'a\\nb'\n", "[1, 2]\n"])
check("continuation", missing is None, f"missing {missing!r} in:\n{text}")

# A syntax error is reported and the loop goes on.
text, status = run_session(["1 +", "if 1:", "  2", "", "def g():", ""])
missing = in_order(text, ["SyntaxError: invalid syntax", "2\n", "IndentationError: expected an indented block"])
check("syntax errors", missing is None, f"missing {missing!r} in:\n{text}")

# exit() and sys.exit(n) leave with their status.
text, status = run_session(["import sys", "sys.exit(3)"], eof=False)
check("sys.exit(3)", status == 3, f"status {status}\n{text}")
text, status = run_session(["exit()"], eof=False)
check("exit()", status == 0, f"status {status}\n{text}")
text, status = run_session(["quit(5)"], eof=False)
check("quit(5)", status == 5, f"status {status}\n{text}")

# Ctrl-C at the prompt drops the line and gives a fresh prompt.
text, status = run_session(["7 * 6"], ctrl_c_first=True)
missing = in_order(text, ["KeyboardInterrupt", ">>> ", "42\n"])
check("ctrl-c", missing is None and status == 0, f"missing {missing!r}, status {status} in:\n{text}")

# Ctrl-C while a statement runs raises KeyboardInterrupt in it: a traceback, then the prompt
# again, with the session's state intact.
text, status = run_session(["n > 0", "6 * 7"], interrupt=["n = 0", "while True: n += 1", ""])
missing = in_order(text, ["Traceback (most recent call last):",
                          '  File "<stdin>", line 1, in <module>', "KeyboardInterrupt", ">>> ",
                          "True\n", "42\n"])
check("ctrl-c while running", missing is None and status == 0,
      f"missing {missing!r}, status {status} in:\n{text}")

# A handler installed with signal.signal runs at the prompt too, and the line goes on.
text, status = run_session(["import signal, os", "def h(n, f): print('handled', n)", "",
                            "signal.signal(signal.SIGUSR1, h) is signal.SIG_DFL",
                            "os.kill(os.getpid(), signal.SIGUSR1)", "'after'"])
missing = in_order(text, ["True\n", "handled 10\n", "'after'\n"])
check("signal handler", missing is None and status == 0,
      f"missing {missing!r}, status {status} in:\n{text}")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
