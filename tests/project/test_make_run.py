"""`make run`'s processes (the Procfile, through ecommerce_backend.procfile_runner as the Makefile runs it) on
free ports in a private MARCUS_VAR_DIR: Ctrl-C stops every one cleanly, exit status 0, no ERROR line."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_ctrl_c_stops_make_run_cleanly(tmp_path):
    web_port, chroma_port, flower_port = _free_port(), _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL", "CHROMA_URL"}}
    # make run's embedded defaults (SQLite, file broker) in a private folder; the hashing embedder starts fast.
    env.update(
        MARCUS_VAR_DIR=str(tmp_path), WEB_PORT=str(web_port), CHROMA_PORT=str(chroma_port),
        FLOWER_PORT=str(flower_port),
        EMBEDDING_PROVIDER="hashing", PYTHONUNBUFFERED="1",
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)

    runner = subprocess.Popen(
        [sys.executable, "-m", "ecommerce_backend.procfile_runner", "Procfile"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,  # its own process group, like a terminal's foreground job
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(runner.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while not (_listening(web_port) and _listening(chroma_port) and any(" ready." in line for line in lines)):
            assert runner.poll() is None, "".join(lines)[-3000:]
            assert time.monotonic() < deadline, "make run did not come up:\n" + "".join(lines)[-3000:]
            time.sleep(0.5)
        os.killpg(runner.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        returncode = runner.wait(timeout=40)
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)
    reader.join(timeout=5)
    output = "".join(lines)
    assert returncode == 0, output[-3000:]
    assert [line for line in output.splitlines() if "ERROR" in line or "Traceback" in line] == []
    for name in ("chroma", "web", "worker", "flower"):
        assert f"{name} stopped (rc=0)" in output, output[-3000:]
    assert "SIGKILL" not in output
    assert not _listening(web_port) and not _listening(chroma_port)
