"""Small helpers shared by the benchmarks: a private environment, Markdown tables, percentiles, memory.

A benchmark calls `setup_environment(name)` BEFORE anything imports Django settings: it chooses a fresh
SQLite database under var/bench/ (or DATABASE_URL when given: a scratch database, the benchmark replaces
its catalog), starts a Chroma server of its own, sets EMBEDDING_PROVIDER (default local), turns off the
auto-indexing signals (benchmarks drive the index service directly), then runs django.setup() and migrate.
"""

from __future__ import annotations

import atexit
import os
import resource
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass
class BenchEnvironment:
    name: str
    database_url: str
    chroma_url: str
    chroma_server: object  # ecommerce_backend.devservers.ChromaServer
    provider: str

    def describe(self) -> str:
        database = "SQLite (fresh)" if self.database_url.startswith("sqlite") else "DATABASE_URL"
        return f"database: {database}; Chroma: {self.chroma_url}; embeddings: {self.provider}"


def bench_dir() -> Path:
    path = Path(os.environ.get("MARCUS_VAR_DIR", ROOT / "var")) / "bench"
    path.mkdir(parents=True, exist_ok=True)
    return path


def setup_environment(name: str, *, provider: str | None = None, auto_index: bool = False) -> BenchEnvironment:
    """Private environment of one benchmark run (see the module docstring); call before Django is set up."""
    from ecommerce_backend.devservers import ChromaServer

    folder = bench_dir()
    run = f"{name}-{os.getpid()}"
    if not os.environ.get("DATABASE_URL"):
        db_path = folder / f"{run}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
        atexit.register(lambda: [Path(f"{db_path}{s}").unlink(missing_ok=True) for s in ("", "-wal", "-shm")])
    os.environ["EMBEDDING_PROVIDER"] = provider or os.environ.get("EMBEDDING_PROVIDER") or "local"
    os.environ["AI_INDEX_AUTO_UPDATE"] = "1" if auto_index else "0"
    os.environ["CHROMA_COLLECTION_PREFIX"] = f"bench-{name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecommerce_backend.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    server = ChromaServer(path=folder / f"chroma-{run}").start()
    atexit.register(_stop_and_remove, server)
    os.environ["CHROMA_URL"] = server.url

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return BenchEnvironment(name, os.environ["DATABASE_URL"], server.url, server, os.environ["EMBEDDING_PROVIDER"])


def _stop_and_remove(server) -> None:
    import shutil

    server.stop()
    shutil.rmtree(server.path, ignore_errors=True)
    Path(server.log_path).unlink(missing_ok=True)


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (0 < pct <= 100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def peak_rss_mb(pid: int | None = None) -> float:
    """Peak resident memory in MB: of this process, or of another process by pid (Linux /proc)."""
    if pid is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


@contextmanager
def timed() -> Iterator[list[float]]:
    """`with timed() as t: ...` then t[0] is the elapsed seconds."""
    box: list[float] = [0.0]
    started = time.perf_counter()
    try:
        yield box
    finally:
        box[0] = time.perf_counter() - started


def log(message: str) -> None:
    """Progress for the human watching (stderr, so the tables on stdout stay clean)."""
    print(message, file=sys.stderr, flush=True)
