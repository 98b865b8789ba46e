"""Run the Procfile's processes for `make run` (honcho's manager) and stop them cleanly on Ctrl-C.

    python -m ecommerce_backend.procfile_runner [Procfile]

Honcho alone ends a Ctrl-C with status 130, sends SIGTERM to each process's whole group (so Celery's pool
children are killed under their parent, which logs them as ERROR) and SIGKILLs whatever still runs after 5 s
(the worker needs longer to finish a warm shutdown). Here:
- SIGTERM goes to each process only (the Procfile `exec`s each command, so that is the program itself);
  gunicorn, Celery and Chroma then stop their own children. SIGKILL (to the group) only after STOP_SECONDS.
- A stop that was asked for (SIGINT/SIGTERM) and went cleanly exits 0; a process that died on its own, or had
  to be killed, makes the exit status 1.
- In a terminal this process takes the foreground, so Ctrl-C reaches it alone and not `make`, which would
  otherwise report "Interrupt" and exit 130 whatever happened after.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import honcho.manager
from honcho.environ import parse_procfile
from honcho.manager import Manager

# Seconds between the SIGTERM and the SIGKILL; the Celery worker on the file broker needs about 8 s.
STOP_SECONDS = 20
# Exit codes of a process that stopped because it was asked to (0, or killed by the TERM/INT we sent).
CLEAN_STOP = {0, -signal.SIGTERM, -signal.SIGINT, 128 + signal.SIGTERM, 128 + signal.SIGINT}


class _LeaderOnly:
    """honcho's process manager, but SIGTERM to the process alone (its children are its business)."""

    def terminate(self, pid: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)

    def kill(self, pid: int) -> None:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError as error:
            if error.errno not in (errno.EPERM, errno.ESRCH):
                raise


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


def run(procfile: Path) -> int:
    """Start every process of `procfile`, wait until they stop; 0 after a clean, requested stop."""
    honcho.manager.KILL_WAIT = STOP_SECONDS
    manager = Manager()
    manager._procmgr = _LeaderOnly()  # honcho has no public hook for how it signals
    for name, command in parse_procfile(procfile.read_text()).processes.items():
        manager.add_process(name, command, env=dict(os.environ))
    with _terminal_foreground():
        manager.loop()
    requested = manager.returncode in (128 + signal.SIGINT, 128 + signal.SIGTERM)
    codes = [process.get("returncode") for process in manager._processes.values()]
    if requested and all(code in CLEAN_STOP for code in codes):
        return 0
    return manager.returncode or 1


if __name__ == "__main__":
    sys.exit(run(Path(sys.argv[1] if len(sys.argv) > 1 else "Procfile")))
