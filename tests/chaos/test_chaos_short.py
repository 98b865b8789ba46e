"""The short chaos run in CI: 500 API writes, one worker killed with SIGKILL mid-run, then no document may be
missing, stale or a ghost in the index, and no write may get a 5xx (bench/chaos.py; docs/operations.md).

It runs the benchmark as a subprocess: it brings its own PostgreSQL database (on the server of DATABASE_URL,
else 127.0.0.1:5432), its own redis-server, Chroma server, two workers, beat and gunicorn, so it shares
nothing with this test process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.integration

COMMAND = ["-m", "bench.chaos", "--ops", "500", "--worker-kills", "1", "--redis-restarts", "0"]
COMMAND += ["--chroma-stop-seconds", "0", "--claim-timeout", "10", "--sweep-interval", "2"]


def test_short_chaos_run_loses_no_change(tmp_path: Path):
    out = tmp_path / "chaos.json"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_TEST_DB_NAME", None)
    run = subprocess.run(
        [sys.executable, *COMMAND, "--json", str(out)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert out.exists(), f"the chaos run wrote no result:\n{run.stdout[-3000:]}\n{run.stderr[-6000:]}"
    result = json.loads(out.read_text())
    detail = f"{run.stdout[-4000:]}\n{run.stderr[-3000:]}"
    assert (result["missing"], result["stale"], result["ghosts"]) == (0, 0, 0), detail
    assert result["consistency"]["ok"] is True, detail
    assert result["consistency"]["pending_changes"] == 0, detail
    assert result["server_errors"] == [], detail
    assert result["fault_failures"] == [], detail
    assert [event["event"] for event in result["faults"] if event["event"].startswith("kill -9")], detail
    assert sum(n for key, n in result["statuses"].items() if key.endswith(" 2xx")) > 300, detail
    assert run.returncode == 0, detail
