"""The chaos run's report: counts of the workers' and web's log lines, and the markdown tables of the run
(operations by outcome, faults, consistency) with its verdict."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import TYPE_CHECKING

from bench.common import markdown_table as table

if TYPE_CHECKING:  # bench.chaos imports this module
    from bench.chaos import Faults, World, Writers

WORKER_PATTERNS = {
    "flushes that synced changes": r"Flushed \d+ outbox changes",
    "task retries (transient errors)": r"Task ai_assistant\.\w+\[[0-9a-f-]+\] retry",
    "stale claims released by the sweeper": r"Released \d+ stale outbox claims",
    "sweeper flushes of leftovers": r"Sweeper found outbox rows",
    "publish failures in web (outbox kept)": r"Cannot queue the index flush",
}


def log_counts(world: World) -> dict[str, int]:
    texts = [w.log() for w in world.workers] + [world.web.log() if world.web else ""]
    return {label: sum(len(re.findall(pattern, text)) for text in texts) for label, pattern in WORKER_PATTERNS.items()}


def report(args, writers: Writers, faults: Faults, result: dict) -> str:
    by_op: dict[str, Counter] = {}
    for (name, outcome), number in writers.statuses.items():
        by_op.setdefault(name, Counter())[outcome] += number
    outcomes = ["2xx", "4xx", "5xx", "error", "skipped"]
    op_rows = [[name, sum(c.values()), *(c[o] for o in outcomes)] for name, c in sorted(by_op.items())]
    total = Counter()
    for c in by_op.values():
        total.update(c)
    op_rows.append(["**all**", sum(total.values()), *(total[o] for o in outcomes)])
    seconds = writers.finished - writers.started
    consistency = result["consistency"]
    parts = [
        f"Chaos run: {args.ops} operations by {args.writers} writers through the HTTP API (gunicorn), 2 Celery "
        f"workers, beat, a private Redis, PostgreSQL, Chroma server; EMBEDDING_PROVIDER=hashing (embedding speed "
        f"is not what is tested); debounce {args.debounce:g} s, claim timeout {args.claim_timeout:g} s, sweep "
        f"every {args.sweep_interval:g} s. Writes took {seconds:.1f} s ({args.ops / seconds:.0f} ops/s).",
        "",
        table(["operation", "sent", *outcomes], op_rows),
        "",
        table(["t (s)", "fault"], [[f"{t:.1f}", text] for t, text in faults.timeline] or [["-", "no faults"]]),
        "",
        table(
            [
                "documents (DB)",
                "ledger",
                "vectors",
                "missing",
                "stale",
                "ghosts",
                "outbox left",
                "converged after faults end",
                "after last write",
            ],
            [
                [
                    consistency.get("documents"),
                    consistency.get("ledger"),
                    consistency.get("vectors"),
                    consistency.get("missing"),
                    consistency.get("stale"),
                    consistency.get("ghosts"),
                    consistency.get("pending_changes"),
                    _seconds(result["converged_after_faults_s"], faults.events),
                    _seconds(result["converged_after_writes_s"], True),
                ]
            ],
        ),  # fmt: skip
        "",
        table(["worker and web logs", "count"], [[k, v] for k, v in result["log_counts"].items()]),
        "",
        f"**{'PASS' if result['passed'] else 'FAIL'}**: missing = stale = ghosts = 0 and no 5xx "
        f"(5xx: {len(writers.server_errors)}, transport errors: {len(writers.errors)}).",
    ]
    if consistency.get("examples"):
        parts.append(f"\nExamples: {json.dumps(consistency['examples'])}")
    return "\n".join(parts)


def _seconds(value: float | None, applies: object) -> str:
    if not applies:
        return "-"
    return "never (timeout)" if value is None else f"{value:.1f} s"
