"""A rebuild spread over workers: the same full rebuild with one worker process and with two, timed and compared.

    python -m bench.rebuild_workers                                  # 5,000 products, hashing provider
    python -m bench.rebuild_workers --products 5000 --provider local # the local model (all-MiniLM-L6-v2)

A private PostgreSQL database, Redis and Chroma server (bench/stack.py) and a synthetic catalog
(generate_catalog). The catalog is indexed once; then, for each layout (`--layouts`, default "1x1,2x1": one
worker with one process, two workers with one process each), the workers start, a rebuild is queued
(`scheduling.trigger_rebuild`, what the API and the admin do) and timed until its result arrives, and the
workers stop. The rebuild runs as a chord of chunk tasks (AI_REBUILD_CHUNK_SIZE documents each) on ai_heavy,
then the callback switches, re-syncs and drops the old collection.

Before each timed rebuild the embedding cache is emptied (`--keep-embeddings` leaves it): every text is
embedded again, as after a change of model, the rebuild a shop has to wait for. The table gives the wall
time, the CPU seconds of the worker processes, the chunks each worker ran (from their logs: "Rebuild chunk
i/n on <worker>") and whether the ledger (document ids, text and metadata hashes) is the same as the first
layout's. The load average is printed beside it: this machine has few cores, shared with other work.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import markdown_table as table  # noqa: E402
from bench.stack import PYTHON, ManagedProcess, Stack, celery_worker, wait_until, worker_ready  # noqa: E402

CHUNK_LINE = re.compile(r"Rebuild chunk (\d+)/(\d+) on (\S+): (\d+) documents")


def log(message: str) -> None:
    print(f"[rebuild_workers {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=5000, help="synthetic products (default 5000)")
    parser.add_argument("--provider", default="hashing", help="EMBEDDING_PROVIDER (default hashing)")
    parser.add_argument("--chunk-size", type=int, default=500, help="AI_REBUILD_CHUNK_SIZE (default 500)")
    parser.add_argument(
        "--layouts", default="1x1,2x1", help="workers x processes each, comma separated (default 1x1,2x1)"
    )
    parser.add_argument("--keep-embeddings", action="store_true", help="do not empty the embedding cache first")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args(argv)


def layouts(spec: str) -> list[tuple[int, int]]:
    result = []
    for part in spec.split(","):
        workers, _, processes = part.strip().partition("x")
        result.append((int(workers), int(processes or 1)))
    return result


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU seconds of every live process in the process group `pgid` (a worker and its pool)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # field 5 of stat: the process group
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def ledger() -> dict[str, tuple[str, str, str]]:
    from apps.ai_assistant.indexing import state
    from apps.ai_assistant.models import IndexedDocument

    rows = IndexedDocument.objects.filter(collection=state.active_collection())
    return {d: (c, t, m) for d, c, t, m in rows.values_list("doc_id", "content_hash", "text_hash", "metadata_hash")}


def run_layout(stack: Stack, workers: int, processes: int, keep_embeddings: bool) -> dict:
    from celery.result import AsyncResult
    from django.db import close_old_connections

    from apps.ai_assistant.indexing import scheduling
    from apps.ai_assistant.models import EmbeddingCache

    close_old_connections()
    if not keep_embeddings:
        EmbeddingCache.objects.all().delete()
    started: list[ManagedProcess] = []
    for n in range(workers):
        started.append(stack.start(celery_worker(stack.env, stack.run_dir, f"w{workers}x{processes}-{n}", processes)))
    wait_until(lambda: all(worker_ready(w) for w in started), 180, "the workers ready")
    time.sleep(3)  # the pool processes load the embedding model in the background as they start
    cpu_before = sum(group_cpu_seconds(w.pid) for w in started)
    load_before = os.getloadavg()
    begin = time.monotonic()
    task_id, _ = scheduling.trigger_rebuild()
    result = AsyncResult(task_id).get(timeout=3600)
    seconds = time.monotonic() - begin
    cpu = sum(group_cpu_seconds(w.pid) for w in started) - cpu_before
    load_after = os.getloadavg()
    chunks: dict[str, int] = {}
    for worker in started:
        for _, _, host, _ in CHUNK_LINE.findall(worker.log_since_start()):
            chunks[host] = chunks.get(host, 0) + 1
    for worker in started:
        worker.stop(timeout=20)
    return {
        "layout": f"{workers} worker(s) x {processes} process(es)",
        "seconds": seconds,
        "cpu": cpu,
        "result": result,
        "chunks": chunks,
        "load": (load_before, load_after),
        "ledger": ledger(),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = {
        "EMBEDDING_PROVIDER": args.provider,
        "AI_INDEX_AUTO_UPDATE": "0",
        "AI_REBUILD_CHUNK_SIZE": str(args.chunk_size),
    }
    stack = Stack.create("rebuild-workers", env)
    try:
        log(f"generating {args.products} products")
        subprocess.run(
            [PYTHON, "manage.py", "generate_catalog", "--products", str(args.products), "--seed", str(args.seed)],
            cwd=ROOT,
            env=stack.env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        from apps.ai_assistant.services.index_service import get_index_service

        log("first index build (in this process)")
        first = get_index_service().build_index()
        log(f"indexed {first['added']} documents")
        runs = []
        for workers, processes in layouts(args.layouts):
            log(f"rebuild with {workers} worker(s) x {processes} process(es)")
            runs.append(run_layout(stack, workers, processes, args.keep_embeddings))
            log(f"  {runs[-1]['seconds']:.1f} s, result {runs[-1]['result'].get('status')}")
        reference = runs[0]
        rows = []
        for run in runs:
            load = " / ".join(" ".join(f"{x:.1f}" for x in avg) for avg in run["load"])
            rows.append(
                [
                    run["layout"],
                    f"{run['seconds']:.1f}",
                    f"{reference['seconds'] / run['seconds']:.2f}",
                    f"{run['cpu']:.1f}",
                    run["result"].get("chunks"),
                    ", ".join(f"{host}: {n}" for host, n in sorted(run["chunks"].items())),
                    run["result"].get("documents"),
                    run["result"].get("embedded"),
                    "yes" if run["ledger"] == reference["ledger"] else "NO",
                    load,
                ]
            )
        print(
            f"Rebuild of {args.products} products ({len(reference['ledger'])} documents), provider {args.provider}, "
            f"chunks of {args.chunk_size}, embedding cache {'kept' if args.keep_embeddings else 'emptied'}; "
            f"{os.cpu_count()} CPUs"
        )
        print()
        print(
            table(
                [
                    "layout",
                    "seconds",
                    "speed-up",
                    "worker CPU s",
                    "chunks",
                    "chunks per worker",
                    "documents",
                    "embedded",
                    "same ledger",
                    "load avg before / after",
                ],
                rows,
            )
        )
        same = all(run["ledger"] == reference["ledger"] for run in runs)
        return 0 if same and all(run["result"].get("status") == "rebuilt" for run in runs) else 1
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
