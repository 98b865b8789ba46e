"""Rebuild under load: searches at a steady rate over HTTP while a full rebuild of a large catalog runs.

    python -m bench.rebuild_load                     # 10,000 products, 20 searches/s, 20 s before and after
    python -m bench.rebuild_load --products 1000 --before 10 --after 10     # short form

The claim under test: search never goes down for a rebuild. A private PostgreSQL database, Redis and Chroma
server (bench/stack.py); a synthetic catalog (generate_catalog) embedded once with the local model
(EMBEDDING_PROVIDER=local, all-MiniLM-L6-v2) so that the measured rebuild reuses the embedding cache, as a
production rebuild does; gunicorn with 2 workers serves GET /api/ai-assistant/search (throttle raised through
AI_SEARCH_THROTTLE). Searches are sent open-loop at --rate per second (a slow answer does not slow the sender;
latency is counted from the moment a search was due, so queueing shows). After --before seconds,
`manage.py rebuild_ai_index` runs in its own process: it fills a new collection, switches searches to it and
drops the old one. Searching goes on for --after seconds after it ends.

Every search is a product name, category, option or theme word of the catalog: an answer with no result is
counted as empty. Failed (not 200) and empty answers must both be 0. Exit status 0 when they are.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import markdown_table as table  # noqa: E402
from bench.stack import PYTHON, KeepAliveClient, Stack, gunicorn, wait_http  # noqa: E402
from ecommerce_backend.devservers import free_port  # noqa: E402

SEARCH = "/api/ai-assistant/search"


def log(message: str) -> None:
    print(f"[rebuild_load {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=10000, help="synthetic products (default 10000)")
    parser.add_argument("--rate", type=float, default=20.0, help="searches per second (default 20)")
    parser.add_argument("--before", type=float, default=20.0, help="seconds of searching before the rebuild")
    parser.add_argument("--after", type=float, default=20.0, help="seconds of searching after the rebuild")
    parser.add_argument("--clients", type=int, default=8, help="client threads sending the searches (default 8)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--provider", default="local", help="EMBEDDING_PROVIDER (default local)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    return parser.parse_args(argv)


@dataclass
class Sample:
    due: float  # monotonic time the search was due
    latency: float  # seconds from due to the end of the answer
    status: int  # HTTP status, 0 for a transport error
    results: int
    server_ms: float  # took_ms of the answer: time inside the view, without queueing


def queries(rng: random.Random) -> list[str]:
    """Product names, categories, options and theme words of the catalog: each must find something."""
    from apps.catalog.models import Category, PartOption
    from apps.preconfigured_products.models import PreConfiguredProduct

    names = list(PreConfiguredProduct.objects.order_by("?").values_list("name", flat=True)[:150])
    categories = list(Category.objects.values_list("name", flat=True))
    options = list(PartOption.objects.order_by("?").values_list("name", flat=True)[:40])
    themes = [
        f"{word} {category.lower()}" for word in ("lightweight", "cheap", "waterproof") for category in categories
    ]
    found = names + categories + options + themes
    rng.shuffle(found)
    return found


class Load:
    """Open-loop searches at a fixed rate from a pool of keep-alive clients; samples in order of sending."""

    def __init__(self, port: int, rate: float, clients: int, words: list[str]) -> None:
        self.port, self.rate, self.words = port, rate, words
        self.todo: queue.Queue[tuple[float, str] | None] = queue.Queue()
        self.samples: list[Sample] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.clients = [threading.Thread(target=self._client, daemon=True) for _ in range(clients)]
        self.pacer = threading.Thread(target=self._pace, daemon=True)

    def start(self) -> None:
        for thread in self.clients:
            thread.start()
        self.pacer.start()

    def finish(self) -> None:
        self.stop.set()
        self.pacer.join()
        for _ in self.clients:
            self.todo.put(None)
        for thread in self.clients:
            thread.join()

    def _pace(self) -> None:
        started = time.monotonic()
        n = 0
        while not self.stop.is_set():
            due = started + n / self.rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            self.todo.put((due, self.words[n % len(self.words)]))
            n += 1

    def _client(self) -> None:
        client = KeepAliveClient(self.port, timeout=30)
        while True:
            item = self.todo.get()
            if item is None:
                client.close()
                return
            due, word = item
            status, results, server_ms = 0, 0, 0.0
            try:
                status, body = client.request("GET", f"{SEARCH}?{urlencode({'q': word, 'limit': 10})}")
                if status == 200:
                    answer = json.loads(body)
                    results, server_ms = len(answer["results"]), float(answer["took_ms"])
            except Exception:  # a transport error is a failed search
                status = 0
            sample = Sample(due, time.monotonic() - due, status, results, server_ms)
            with self.lock:
                self.samples.append(sample)


def run_rebuild(env: dict[str, str]) -> tuple[subprocess.CompletedProcess, list[tuple[float, str]]]:
    """`manage.py rebuild_ai_index` in its own process; its output lines with the moment each arrived."""
    process = subprocess.Popen(
        [PYTHON, "manage.py", "rebuild_ai_index"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    errors: list[str] = []
    reader = threading.Thread(target=lambda: errors.extend(process.stderr), daemon=True)
    reader.start()
    lines = [(time.monotonic(), line) for line in process.stdout]
    process.wait()
    reader.join()
    stdout = "".join(line for _, line in lines)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, "".join(errors)), lines


def slow_window(samples: list[Sample], origin: float, threshold_ms: float = 500.0) -> str:
    """Where the searches slower than `threshold_ms` were due, in seconds from `origin`."""
    slow = [s for s in samples if s.latency * 1000 > threshold_ms]
    if not slow:
        return f"no search took more than {threshold_ms:g} ms"
    first, last = min(s.due for s in slow) - origin, max(s.due for s in slow) - origin
    return f"{len(slow)} searches took more than {threshold_ms:g} ms, due from {first:+.1f} s to {last:+.1f} s"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summarize(samples: list[Sample]) -> dict:
    latencies = [s.latency * 1000 for s in samples]
    server = [s.server_ms for s in samples if s.status == 200] or [0.0]
    return {
        "searches": len(samples),
        "failed": sum(1 for s in samples if s.status != 200),
        "empty": sum(1 for s in samples if s.status == 200 and s.results == 0),
        "p50_ms": round(percentile(latencies, 50), 1) if samples else None,
        "p95_ms": round(percentile(latencies, 95), 1) if samples else None,
        "p99_ms": round(percentile(latencies, 99), 1) if samples else None,
        "max_ms": round(max(latencies), 1) if samples else None,
        "server_p50_ms": round(percentile(server, 50), 1),
        "server_p99_ms": round(percentile(server, 99), 1),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stack = Stack.create(
        "rebuild",
        {
            "EMBEDDING_PROVIDER": args.provider,
            "AI_INDEX_AUTO_UPDATE": "0",  # the catalog is not edited; the rebuild is the only index writer
            "AI_SEARCH_THROTTLE": "1000000/min",
        },
    )
    passed = False
    try:
        from apps.ai_assistant.services.index_service import get_index_service
        from apps.catalog.services.synthetic_catalog import generate_synthetic_catalog

        started = time.monotonic()
        generate_synthetic_catalog(products=args.products, seed=args.seed)
        log(f"catalog of {args.products} products in {time.monotonic() - started:.1f} s; first build (embeds all)")
        started = time.monotonic()
        first = get_index_service().rebuild_index()
        first_seconds = time.monotonic() - started
        log(f"first build: {first['documents']} documents, {first['embedded']} embedded in {first_seconds:.1f} s")
        words = queries(random.Random(args.seed))

        port = free_port()
        web = stack.start(gunicorn(stack.env, stack.run_dir, port, workers=2))
        wait_http(f"http://127.0.0.1:{port}/healthz", 120, web)
        warm = KeepAliveClient(port, timeout=120)
        for word in words[:20]:  # each gunicorn worker loads the model on its first search
            warm.request("GET", f"{SEARCH}?{urlencode({'q': word})}")
        warm.close()

        load = Load(port, args.rate, args.clients, words)
        load.start()
        loads: dict[str, str] = {}
        time.sleep(args.before)
        loads["before"] = f"{os.getloadavg()[0]:.1f}"
        log("rebuild starts")
        rebuild_started = time.monotonic()
        rebuild, lines = run_rebuild(stack.env)
        rebuild_ended = time.monotonic()
        loads["during"] = f"{os.getloadavg()[0]:.1f}"
        # The first progress line of the re-sync phase comes right after the pointer switch.
        switched_at = next((t for t, line in lines if line.strip().startswith("re-sync")), None)
        log(f"rebuild ended (exit {rebuild.returncode}) after {rebuild_ended - rebuild_started:.1f} s")
        time.sleep(args.after)
        loads["after"] = f"{os.getloadavg()[0]:.1f}"
        load.finish()

        phases = {
            "before": [s for s in load.samples if s.due < rebuild_started],
            "during": [s for s in load.samples if rebuild_started <= s.due < rebuild_ended],
            "after": [s for s in load.samples if s.due >= rebuild_ended],
        }
        phases["outside (before + after)"] = phases["before"] + phases["after"]
        summary = {name: summarize(samples) for name, samples in phases.items()}
        done = re.search(
            r"Rebuilt (\S+): (\d+) documents, (\d+) embedded, (\d+) re-synced.*in ([\d.]+) s", rebuild.stdout
        )
        total = summarize(load.samples)
        passed = rebuild.returncode == 0 and total["failed"] == 0 and total["empty"] == 0 and bool(phases["during"])
        rows = [
            [
                name,
                s["searches"],
                s["failed"],
                s["empty"],
                s["p50_ms"],
                s["p95_ms"],
                s["p99_ms"],
                s["max_ms"],
                s["server_p50_ms"],
                s["server_p99_ms"],
                loads.get(name, ""),
            ]
            for name, s in summary.items()
        ]
        print(
            f"Rebuild under load: {args.products} products ({first['documents']} documents), "
            f"EMBEDDING_PROVIDER={args.provider}; first build {first_seconds:.0f} s ({first['embedded']} embedded). "
            f"Searches over HTTP (gunicorn, 2 workers) at {args.rate:g}/s open-loop, latency from when each was due.\n"
        )
        headers = ["phase", "searches", "failed", "empty", "p50 ms", "p95 ms", "p99 ms", "max ms"]
        headers += ["server p50 ms", "server p99 ms", "load avg"]
        print(table(headers, rows))
        print(
            "\nLatency counts from when a search was due (queueing included); server = took_ms inside the view. "
            "Load avg: the machine's 1-minute load average at the end of the phase (2 cores; other work counts)."
        )
        if done:
            print(
                f"\nThe rebuild: {done.group(2)} documents into {done.group(1)}, {done.group(3)} embedded "
                f"(cache hits for the rest), {done.group(4)} re-synced after the switch, {done.group(5)} s "
                f"({rebuild_ended - rebuild_started:.1f} s with process start)."
            )
        else:
            print(
                f"\nThe rebuild failed (exit {rebuild.returncode}):\n{rebuild.stdout[-2000:]}\n{rebuild.stderr[-3000:]}"
            )
        if switched_at is not None:
            print(
                f"\nThe pointer switched {switched_at - rebuild_started:.1f} s into the rebuild; "
                f"{slow_window(load.samples, switched_at)} (relative to the switch)."
            )
        print(f"\n**{'PASS' if passed else 'FAIL'}**: failed = empty = 0 during and outside the rebuild.")
        if args.json:
            args.json.write_text(json.dumps({"summary": summary, "passed": passed, "first_build_s": first_seconds}))
        return 0 if passed else 1
    finally:
        stack.stop(keep=not passed)


if __name__ == "__main__":
    sys.exit(main())
