"""Memory of a web process by catalog size (issue 17: no process-local index, so RSS must not grow with the
catalog).

    python -m bench.search_memory                          # 1,000 and 50,000 products, SQLite
    DATABASE_URL=postgres://.../scratch python -m bench.search_memory --sizes 1000,50000

For each size: a fresh synthetic catalog indexed with the hashing provider and pointed at the local model
(bench.search_speed.prepare_index: same dimension, so every search embeds its query with the local model as in
production), then the production web process: gunicorn with ecommerce_backend/gunicorn_conf.py (one gthread
worker, which loads the model and answers one search before it accepts requests), MALLOC_ARENA_MAX=2 as in the
Procfile. The worker's resident memory (VmRSS) is read once it answers (after start) and after --searches
distinct searches over HTTP (GET /api/ai-assistant/search, one at a time), with its peak (VmHWM).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench.common import bench_dir, log, markdown_table, setup_environment


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,50000", help="comma-separated product counts")
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    args.sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    return args


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak) of a process, in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values


def worker_pid(master_pid: int, timeout: float = 60.0) -> int:
    """The gunicorn worker: the master's only child."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.2)
    raise RuntimeError("gunicorn started no worker")


def measure_size(size: int, args: argparse.Namespace, queries: list[str]) -> dict:
    from bench.search_speed import prepare_index
    from bench.stack import ManagedProcess, wait_http
    from ecommerce_backend.devservers import free_port

    built = prepare_index(size, args.seed, "hashing")
    port = free_port()
    env = {
        **os.environ,
        "EMBEDDING_PROVIDER": "local",  # the web process loads the model at start, as in production
        "AI_SEARCH_THROTTLE": "1000000/min",
        "MALLOC_ARENA_MAX": "2",
        "WEB_WORKERS": "1",
    }
    command = [sys.executable, "-m", "gunicorn", "ecommerce_backend.wsgi", "-c", "ecommerce_backend/gunicorn_conf.py"]
    web = ManagedProcess(f"search-memory-{size}", [*command, "--bind", f"127.0.0.1:{port}"], env, bench_dir())
    web.start()
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", timeout=300, process=web)
        pid = worker_pid(web.pid)
        started = memory_mb(pid)
        log(f"[{size}] worker {pid} answers: RSS {started['VmRSS']:.0f} MB; {len(queries)} searches")
        hits = 0
        for query in queries:
            url = f"http://127.0.0.1:{port}/api/ai-assistant/search?" + urllib.parse.urlencode({"q": query})
            with urllib.request.urlopen(url, timeout=60) as response:
                hits += len(json.load(response)["results"])
        after = memory_mb(pid)
    finally:
        web.stop()
    return {
        "size": size,
        "documents": built["documents"],
        "start": started["VmRSS"],
        "after": after["VmRSS"],
        "peak": after["VmHWM"],
        "hits": hits / len(queries),
        "load": os.getloadavg(),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    setup_environment("search_memory", provider="hashing")
    import random

    from django.db import connection

    from bench.index import make_queries

    queries = make_queries(random.Random(args.seed), args.searches)
    rows = [measure_size(size, args, queries) for size in args.sizes]
    database = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    print(f"\n### Web process memory by catalog size ({database}; {args.searches} searches, local query embedding)\n")
    print(
        markdown_table(
            ["products", "documents", "RSS after start MB", f"RSS after {args.searches} searches MB",
             "peak RSS MB", "mean hits", "load avg 1/5 min at the end"],
            [[f"{r['size']:,}", f"{r['documents']:,}", f"{r['start']:.0f}", f"{r['after']:.0f}",
              f"{r['peak']:.0f}", f"{r['hits']:.1f}", f"{r['load'][0]:.1f} / {r['load'][1]:.1f}"] for r in rows],
        )
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
