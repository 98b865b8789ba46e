"""Chaos run: random catalog writes through the HTTP API while workers, Redis and Chroma fail; then prove that
no change was lost by comparing, document by document, the database with the index.

    python -m bench.chaos                       # 5000 operations, 8 writers, 2 worker kills, 1 Redis restart,
                                                # Chroma stopped for 10 s
    python -m bench.chaos --ops 500 --worker-kills 1 --redis-restarts 0 --chroma-stop-seconds 0   # CI form

Everything is real and private to the run: a fresh PostgreSQL database (dropped afterwards; the server of
DATABASE_URL when it names one, else 127.0.0.1:5432), a redis-server of its own on a free port (never the
machine's Redis), a Chroma server, TWO Celery worker processes on every queue, Celery beat (the production
DatabaseScheduler; the sweeper runs every --sweep-interval seconds instead of every minute) and gunicorn.
N writer threads send creates, edits and deletes as staff (products, options: price, stock, active, rules,
price rules, categories, parts). During the run a worker is killed with SIGKILL (its whole process group, as
an OOM kill does) and restarted, Redis is restarted with nothing persisted (every queued message and the
debounce mark are lost), and the Chroma server is stopped for a while (same data directory and port).

Then the run waits for quiet and calls `check_consistency()` (apps/ai_assistant/indexing/consistency.py):
missing, stale and ghost documents in the ledger and in the vector store must all be 0. Embeddings are
the `hashing` provider (deterministic, fast): embedding speed is not what this run measures.

Faults are spread over the run by progress (a fault fires when its share of the operations is done). A kill
waits up to 5 s for the worker to hold a task, so it usually lands on a flush. Convergence after a kill is
bounded by AI_INDEX_CLAIM_TIMEOUT_SECONDS (the claimed outbox rows of the killed flush are freed by the
sweeper after it): the run uses --claim-timeout 20 s; production's default is 300 s.

Exit status 0 when missing = stale = ghosts = 0 and no request got a 5xx; `--json FILE` writes the numbers.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.chaos_operations import Api, Operations  # noqa: E402
from bench.chaos_report import log_counts, report  # noqa: E402
from bench.stack import (  # noqa: E402 - after the sys.path line above
    ManagedProcess,
    RedisServer,
    Stack,
    celery_beat,
    celery_worker,
    gunicorn,
    wait_http,
    wait_until,
    worker_ready,
)
from ecommerce_backend.devservers import ChromaServer, free_port  # noqa: E402


def log(message: str) -> None:
    print(f"[chaos {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ops", type=int, default=5000, help="write operations in all (default 5000)")
    parser.add_argument("--writers", type=int, default=8, help="concurrent writer threads (default 8)")
    parser.add_argument("--worker-kills", type=int, default=2, help="kill -9 of a worker, then restart (default 2)")
    parser.add_argument("--redis-restarts", type=int, default=1, help="restarts of the private Redis (default 1)")
    parser.add_argument(
        "--chroma-stop-seconds", type=float, default=10.0, help="Chroma down once for this long; 0: never"
    )
    parser.add_argument("--products", type=int, default=300, help="synthetic products to start from (default 300)")
    parser.add_argument("--categories", type=int, default=4, help="synthetic categories (default 4)")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the catalog and the operations")
    parser.add_argument("--debounce", type=float, default=2.0, help="AI_INDEX_DEBOUNCE_SECONDS (production: 2)")
    parser.add_argument("--claim-timeout", type=float, default=20.0, help="AI_INDEX_CLAIM_TIMEOUT_SECONDS (default 60)")
    parser.add_argument("--sweep-interval", type=float, default=5.0, help="AI_INDEX_SWEEP_INTERVAL_SECONDS (prod 60)")
    parser.add_argument(
        "--converge-timeout", type=float, default=0, help="give up after this long (default: 4 x claim timeout + 120 s)"
    )
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--keep-logs", action="store_true", help="keep the process logs even when the run passes")
    args = parser.parse_args(argv)
    if args.ops < 1 or args.writers < 1:
        parser.error("--ops and --writers must be at least 1")
    args.converge_timeout = args.converge_timeout or 4 * args.claim_timeout + 120
    return args


# --- the private world ------------------------------------------------------------------------------


@dataclass
class World:
    """The run's stack (database, Redis, Chroma, environment) and the processes the faults act on."""

    stack: Stack
    web: ManagedProcess | None = None
    web_port: int = 0
    workers: list[ManagedProcess] = field(default_factory=list)
    beat: ManagedProcess | None = None

    @property
    def env(self) -> dict[str, str]:
        return self.stack.env

    @property
    def redis(self) -> RedisServer:
        assert self.stack.redis is not None
        return self.stack.redis

    @property
    def chroma(self) -> ChromaServer:
        assert self.stack.chroma is not None
        return self.stack.chroma


def start_world(args: argparse.Namespace) -> World:
    """Database, Redis and Chroma of this run and the environment every process shares (see bench/stack.py)."""
    stack = Stack.create(
        "chaos",
        {
            "EMBEDDING_PROVIDER": "hashing",
            "AI_INDEX_AUTO_UPDATE": "1",
            "AI_INDEX_DEBOUNCE_SECONDS": str(args.debounce),
            "AI_INDEX_CLAIM_TIMEOUT_SECONDS": str(args.claim_timeout),
            "AI_INDEX_SWEEP_INTERVAL_SECONDS": str(args.sweep_interval),
        },
    )
    return World(stack)


def seed(args: argparse.Namespace) -> str:
    """A synthetic catalog, its first index build, and a staff token for the writers."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from apps.ai_assistant.services.index_service import get_index_service
    from apps.catalog.api.permissions import shop_permissions
    from apps.catalog.services.synthetic_catalog import generate_synthetic_catalog

    generate_synthetic_catalog(products=args.products, seed=args.seed, categories=args.categories)
    result = get_index_service().rebuild_index()
    log(f"catalog: {args.products} products, first index build: {result['documents']} documents")
    user = get_user_model().objects.create_user(username="chaos-staff", is_staff=True)
    user.user_permissions.set(shop_permissions())  # API writes need the model permissions, not just is_staff
    return Token.objects.create(user=user).key


def start_processes(world: World) -> None:
    stack, logs = world.stack, world.stack.run_dir
    world.web_port = free_port()
    world.web = stack.start(gunicorn(world.env, logs, world.web_port, workers=2, threads=4))
    world.workers = [stack.start(celery_worker(world.env, logs, f"chaos{n}")) for n in (1, 2)]
    world.beat = stack.start(celery_beat(world.env, logs))
    wait_http(f"http://127.0.0.1:{world.web_port}/healthz", 90, world.web)
    for worker in world.workers:
        wait_until(lambda w=worker: worker_ready(w), 120, f"{worker.name} ready")
    log(f"gunicorn on :{world.web_port}, workers {[w.pid for w in world.workers]}, beat {world.beat.pid}")


class Writers:
    """N threads that share one budget of operations; counts answers per operation and status."""

    def __init__(self, args: argparse.Namespace, port: int, token: str) -> None:
        self.total = args.ops
        self.threads = [
            threading.Thread(target=self._run, args=(n, port, token, args.seed * 1000 + n), name=f"writer-{n}")
            for n in range(args.writers)
        ]
        self.ops = Operations()
        self.lock = threading.Lock()
        self.issued = 0
        self.done = 0
        self.statuses: Counter[tuple[str, str]] = Counter()
        self.errors: list[str] = []
        self.server_errors: list[str] = []
        self.started = self.finished = 0.0

    def start(self) -> None:
        self.started = time.monotonic()
        for thread in self.threads:
            thread.start()

    def join(self) -> None:
        for thread in self.threads:
            thread.join()
        self.finished = time.monotonic()

    def progress(self) -> float:
        return self.done / self.total

    def _next(self) -> bool:
        with self.lock:
            if self.issued >= self.total:
                return False
            self.issued += 1
            return True

    def _run(self, number: int, port: int, token: str, seed: int) -> None:
        from django.db import connection

        rng = random.Random(seed)
        api = Api(port, token)
        try:
            while self._next():
                name = self.ops.choose(rng)
                try:
                    status = self.ops.run(name, api, rng)
                    outcome = "skipped" if status is None else f"{status // 100}xx"
                    if status is not None and status >= 500:
                        self.server_errors.append(f"{name} -> {status}")
                except Exception as exc:  # a transport error is a finding too: count it, keep writing
                    outcome = "error"
                    self.errors.append(f"{name}: {type(exc).__name__}: {exc}")
                with self.lock:
                    self.statuses[(name, outcome)] += 1
                    self.done += 1
        finally:
            connection.close()


# --- faults ---------------------------------------------------------------------------------------------

TASK_RECEIVED = re.compile(r"Task (ai_assistant\.\w+)\[([0-9a-f-]+)\] received")
TASK_ENDED = re.compile(r"Task ai_assistant\.\w+\[([0-9a-f-]+)\] (?:succeeded|raised|retry)")


def tasks_in_hand(worker: ManagedProcess) -> list[str]:
    """Tasks this run of the worker received and has not finished (running, or waiting for their countdown)."""
    text = worker.log_since_start()
    ended = set(TASK_ENDED.findall(text))
    return [name for name, task_id in TASK_RECEIVED.findall(text) if task_id not in ended]


class Faults:
    """Fires the faults at their share of the writers' progress, in a thread; keeps a timeline."""

    def __init__(self, args: argparse.Namespace, world: World, writers: Writers, t0: float) -> None:
        events = ["worker"] * args.worker_kills + ["redis"] * args.redis_restarts
        if args.chroma_stop_seconds > 0:
            events.insert(len(events) // 2, "chroma")
        # Interleave the kinds: worker, redis, chroma, worker ... rather than all kills first.
        order = sorted(range(len(events)), key=lambda i: (events[: i + 1].count(events[i]), i))
        self.events = [events[i] for i in order]
        self.args, self.world, self.writers, self.t0 = args, world, writers, t0
        self.timeline: list[tuple[float, str]] = []
        self.ended_at = t0
        self.failures: list[str] = []
        self.kills = 0
        self.restarts: list[threading.Thread] = []
        self.thread = threading.Thread(target=self._run, name="faults")

    def note(self, text: str) -> None:
        self.timeline.append((time.monotonic() - self.t0, text))
        log(text)

    def _run(self) -> None:
        try:
            for n, kind in enumerate(self.events, start=1):
                share = n / (len(self.events) + 1)
                while self.writers.progress() < share and any(t.is_alive() for t in self.writers.threads):
                    time.sleep(0.05)
                getattr(self, f"_{kind}")()
            for restart in self.restarts:
                restart.join()
            self.ended_at = time.monotonic()
        except Exception:
            self.failures.append(traceback.format_exc())
            log(f"fault thread failed:\n{self.failures[-1]}")

    def _worker(self) -> None:
        worker = self.world.workers[self.kills % len(self.world.workers)]
        self.kills += 1
        # Aim at a flush (running, or waiting for its countdown); after 5 s any moment will do.
        deadline = time.monotonic() + 5
        while "ai_assistant.flush_index_changes" not in tasks_in_hand(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        held = tasks_in_hand(worker)
        worker.kill()
        self.note(f"kill -9 {worker.name} (pid group {worker.pid}); tasks in hand: {', '.join(held) or 'none'}")
        # Restarted in the background: the next fault does not wait for a worker to boot.
        restart = threading.Thread(target=self._restart, args=(worker,), name=f"restart-{worker.name}")
        restart.start()
        self.restarts.append(restart)

    def _restart(self, worker: ManagedProcess) -> None:
        try:
            time.sleep(1.0)
            started = time.monotonic()
            worker.start()
            wait_until(lambda: worker_ready(worker), 120, f"{worker.name} ready after restart")
            self.note(f"{worker.name} restarted, ready after {time.monotonic() - started:.1f} s")
        except Exception:
            self.failures.append(traceback.format_exc())

    def _redis(self) -> None:
        self.note("Redis stopped (nothing persisted: queued messages and the debounce mark are lost)")
        self.world.redis.restart(down_seconds=1.0)
        self.note("Redis up again (same port, empty)")

    def _chroma(self) -> None:
        seconds = self.args.chroma_stop_seconds
        self.world.chroma.stop()
        self.note(f"Chroma server stopped for {seconds:g} s")
        time.sleep(seconds)
        self.world.chroma.start()
        self.note("Chroma server up again (same data directory and port)")


# --- convergence and the report ---------------------------------------------------------------------------


def wait_for_convergence(timeout: float) -> tuple[float | None, dict]:
    """Poll check_consistency() until the outbox is empty and the index matches the database.

    Returns the monotonic time it first held (None after `timeout`) and the last report."""
    from django.db import close_old_connections

    from apps.ai_assistant.exceptions import TransientIndexError
    from apps.ai_assistant.indexing.consistency import check_consistency

    started = time.monotonic()
    report: dict = {}
    while time.monotonic() - started < timeout:
        close_old_connections()
        try:
            report = check_consistency()
        except TransientIndexError as exc:
            report = {"ok": False, "error": str(exc)}
        except Exception as exc:
            # Chroma's paged get can fail with "Error finding id" while a flush deletes ids: ask again.
            report = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        if report.get("ok") and report.get("pending_changes") == 0:
            return time.monotonic(), report
        time.sleep(1.0)
    return None, report


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    world = start_world(args)
    passed = False
    try:
        token = seed(args)
        start_processes(world)
        t0 = time.monotonic()
        writers = Writers(args, world.web_port, token)
        faults = Faults(args, world, writers, t0)
        writers.start()
        faults.thread.start()
        log(f"{args.writers} writers started; faults: {', '.join(faults.events) or 'none'}")
        writers.join()
        log(f"writes done: {writers.done} operations in {writers.finished - writers.started:.1f} s")
        faults.thread.join()
        converged_at, consistency = wait_for_convergence(args.converge_timeout)

        def since(moment: float | None) -> float | None:
            return None if converged_at is None or moment is None else round(converged_at - moment, 1)

        result = {
            "operations": args.ops,
            "writers": args.writers,
            "statuses": {f"{name} {outcome}": n for (name, outcome), n in sorted(writers.statuses.items())},
            "server_errors": writers.server_errors,
            "transport_errors": writers.errors[:20],
            "faults": [{"t": round(t, 1), "event": text} for t, text in faults.timeline],
            "fault_failures": faults.failures,
            "consistency": consistency,
            "converged_after_faults_s": since(faults.ended_at if faults.events else None),
            "converged_after_writes_s": since(writers.finished),
            "log_counts": log_counts(world),
            "missing": consistency.get("missing"),
            "stale": consistency.get("stale"),
            "ghosts": consistency.get("ghosts"),
        }
        passed = (
            converged_at is not None
            and consistency.get("ok") is True
            and (result["missing"], result["stale"], result["ghosts"]) == (0, 0, 0)
            and not writers.server_errors
            and not faults.failures
        )
        result["passed"] = passed
        print(report(args, writers, faults, result), flush=True)
        if args.json:
            args.json.write_text(json.dumps(result, indent=2, default=str))
        if not passed:
            log("FAILED")
        return 0 if passed else 1
    finally:
        world.stack.stop(keep=args.keep_logs or not passed)


if __name__ == "__main__":
    sys.exit(main())
