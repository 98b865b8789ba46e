"""Run the Procfile's processes for `make run` and stop them cleanly on Ctrl-C.

    python -m ecommerce_backend.procfile_runner [Procfile]

One Python process for the whole run: each command is started directly (the Procfile `exec`s it, so the pid is
the program's own) and its output is relayed, prefixed with the time and its name. honcho, which did this
before, keeps a Python relay process per command (about 27 MB each) and ends a Ctrl-C with status 130, after
sending SIGTERM to each process group (Celery's pool children were killed under their parent, which logged them
as ERROR) and SIGKILL after 5 s. Here:
- SIGTERM goes to each process only; gunicorn, Celery and Chroma stop their own children. SIGKILL (to the
  process group) only after STOP_SECONDS.
- When one process stops on its own, the others are stopped too.
- A stop that was asked for (SIGINT/SIGTERM) and went cleanly exits 0; a process that died on its own, or had
  to be killed, makes the exit status 1.
- In a terminal this process takes the foreground, so Ctrl-C reaches it alone and not `make`, which would
  otherwise report "Interrupt" and exit 130 whatever happened after.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

# Seconds between the SIGTERM and the SIGKILL; the Celery worker on the file broker needs about 8 s.
STOP_SECONDS = 20
# Exit codes of a process that stopped because it was asked to (0, or killed by the TERM/INT we sent).
CLEAN_STOP = {0, -signal.SIGTERM, -signal.SIGINT, 128 + signal.SIGTERM, 128 + signal.SIGINT}
_print_lock = threading.Lock()


def parse_procfile(text: str) -> dict[str, str]:
    """`name: command` lines, in order; blank lines and comments skipped."""
    processes = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, command = line.partition(":")
            if not command.strip():
                raise ValueError(f"Procfile line without a command: {line!r}")
            processes[name.strip()] = command.strip()
    return processes


def say(name: str, width: int, text: str) -> None:
    with _print_lock:
        print(f"{time.strftime('%H:%M:%S')} {name.ljust(width)} | {text}", flush=True)


def _relay(name: str, width: int, stream) -> None:
    for raw in stream:
        say(name, width, raw.decode("utf-8", "replace").rstrip("\n"))


@contextlib.contextmanager
def _terminal_foreground() -> Iterator[None]:
    """Own the terminal's foreground while running (when there is a terminal), and give it back after."""
    try:
        fd = sys.stdin.fileno()
        previous = os.tcgetpgrp(fd) if os.isatty(fd) else None
    except (OSError, ValueError):
        previous = None
    if previous is None:
        yield
        return
    os.setpgid(0, 0)
    # A background group that changes the foreground gets SIGTTOU: ignore it while switching.
    old = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        os.tcsetpgrp(fd, os.getpgrp())
        yield
    finally:
        with contextlib.suppress(OSError):
            os.tcsetpgrp(fd, previous)
        signal.signal(signal.SIGTTOU, old)


def _stop(processes: dict[str, subprocess.Popen], width: int) -> bool:
    """SIGTERM to each running process, SIGKILL to the groups still there after STOP_SECONDS; True if none was."""
    for name, process in processes.items():
        if process.poll() is None:
            say("system", width, f"sending SIGTERM to {name} (pid {process.pid})")
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    while time.monotonic() < deadline and any(p.poll() is None for p in processes.values()):
        time.sleep(0.1)
    killed = False
    for name, process in processes.items():
        if process.poll() is None:
            killed = True
            say("system", width, f"sending SIGKILL to {name} (pid {process.pid})")
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return not killed


def run(procfile: Path) -> int:
    """Start every process of `procfile`, wait until they stop; 0 after a clean, requested stop."""
    commands = parse_procfile(procfile.read_text())
    width = max(len(name) for name in [*commands, "system"])
    requested = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda number, frame: requested.set())
    processes: dict[str, subprocess.Popen] = {}
    relays = []
    with _terminal_foreground():
        for name, command in commands.items():
            # Its own process group: the terminal's Ctrl-C reaches this runner only, which then stops it.
            process = subprocess.Popen(
                ["/bin/sh", "-c", command], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
            processes[name] = process
            say("system", width, f"{name} started (pid={process.pid})")
            relay = threading.Thread(target=_relay, args=(name, width, process.stdout), daemon=True)
            relay.start()
            relays.append(relay)
        while not requested.is_set() and all(p.poll() is None for p in processes.values()):
            requested.wait(0.2)
        if requested.is_set():
            say("system", width, "stop requested")
        clean = _stop(processes, width)
        for relay in relays:
            relay.join(timeout=5)
        for name, process in processes.items():
            say("system", width, f"{name} stopped (rc={process.returncode})")
    codes = [process.returncode for process in processes.values()]
    return 0 if requested.is_set() and clean and all(code in CLEAN_STOP for code in codes) else 1


if __name__ == "__main__":
    sys.exit(run(Path(sys.argv[1] if len(sys.argv) > 1 else "Procfile")))
