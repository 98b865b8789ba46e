"""Start real local servers (Chroma) for tests and benchmarks, on a free port, and stop them again."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(process: subprocess.Popen | None, timeout: float = 10.0) -> None:
    """Terminate a child process, and kill it if it has not exited within `timeout` seconds."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def chroma_binary() -> str:
    """The `chroma` command of this virtualenv (the chromadb package ships it)."""
    candidate = Path(sys.executable).parent / "chroma"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("chroma")
    if not found:
        raise RuntimeError("The chroma command is missing: install the chromadb package (make install).")
    return found


class ChromaServer:
    """A `chroma run` process with its data in a folder of its own.

    Use as a context manager, or call start() and stop(). `url` is what CHROMA_URL should say.
    """

    def __init__(self, path: str | Path | None = None, port: int | None = None) -> None:
        self._tmp = None if path else tempfile.mkdtemp(prefix="chroma-")
        self.path = Path(path or self._tmp)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log_path = self.path.parent / f"chroma-{self.port}.log"

    def start(self, timeout: float = 30.0) -> ChromaServer:
        self.path.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child process keeps it open
        self.process = subprocess.Popen(
            [chroma_binary(), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"chroma exited with {self.process.returncode}; see {self.log_path}")
            if self.is_up():
                return
            time.sleep(0.1)
        raise RuntimeError(f"chroma did not answer on {self.url} within {timeout}s; see {self.log_path}")

    def is_up(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        """Stop the server (its data stays, so start() again brings the same collections back)."""
        stop_process(self.process)
        self.process = None

    def cleanup(self) -> None:
        self.stop()
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> ChromaServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.cleanup()
