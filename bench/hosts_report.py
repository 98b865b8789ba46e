"""bench.hosts: the verdict (which of the issue's conditions failed) and the Markdown report."""

from __future__ import annotations

import argparse
import statistics
import time

from bench.common import markdown_table, percentile

FRESHNESS_P95_TARGET = 3.0
OUTCOMES = ("2xx", "4xx", "5xx", "error")
PHASES = ("before", "during", "after")


def _freshness(result: dict) -> list[float]:
    return [s.seconds for s in result["probe"].samples if s.seconds is not None]


def verdict(result: dict) -> tuple[bool, list[str]]:
    """(passed, what failed): every condition of the issue's "must show" for bench.hosts."""
    reasons: list[str] = []
    consistency = result["consistency"]
    counts = (consistency.get("missing"), consistency.get("stale"), consistency.get("ghosts"))
    if counts != (0, 0, 0) or consistency.get("ok") is not True or result["converged_after_writes_s"] is None:
        reasons.append(f"index and database disagree (missing, stale, ghosts = {counts})")
    tally, cut = result["writers"].tally, result["cut"]
    for (host, phase, outcome), number in sorted(tally.counts.items()):
        if outcome in ("5xx", "error") and not (host == cut.host and phase == "during"):
            reasons.append(f"{number} {outcome} on {host} {phase} the cut")
    if result["faults"].failures:
        reasons.append("a fault could not be applied")
    # Freshness through c, the other web host: during the chaos writes (the debounced flush writes the keyword
    # rows and facts of pending changes ahead while edits go on) and as single edits after them.
    probes = {"during the writes": result["probe"].samples, "single edits": result["quiet_probe"].samples}
    for label, samples in probes.items():
        fresh = [s.seconds for s in samples if s.seconds is not None]
        timeouts = len(samples) - len(fresh)
        if not fresh or timeouts or percentile(fresh, 95) >= FRESHNESS_P95_TARGET:
            p95 = f"{percentile(fresh, 95):.2f} s" if fresh else "no sample"
            target = f"target < {FRESHNESS_P95_TARGET:g} s"
            reasons.append(f"freshness p95 {label} {p95}, {timeouts} never found ({target})")
    if result["warnings"]:
        reasons.append(f"host warnings: {result['warnings']}")
    rebuild = result["rebuild"]
    if rebuild is not None:
        if any(rebuild["differences"].values()):
            reasons.append(f"the two rebuilds differ: {rebuild['differences']}")
        chunks = rebuild["two"]["chunks"]
        if chunks and len(chunks) < 2:
            reasons.append(f"chunks ran on one host only: {chunks}")
    return not reasons, reasons


def _requests_table(result: dict) -> str:
    tally = result["writers"].tally
    rows = []
    for host in sorted({h for h, _, _ in tally.counts}):
        for phase in sorted({p for h, p, _ in tally.counts if h == host}, key=lambda p: (p not in PHASES, p)):
            rows.append([host, phase, *(tally.counts[(host, phase, o)] for o in OUTCOMES)])
    return markdown_table(["web host", "cut phase", *OUTCOMES], rows)


def _freshness_rows(result: dict, claim_window: float) -> list[list[object]]:
    probe, faults = result["probe"], result["faults"]
    fresh = _freshness(result)
    timeouts = sum(1 for s in probe.samples if s.seconds is None)

    def row(label: str, values: list[float]) -> list[object]:
        if not values:
            return [label, 0, "-", "-", "-"]
        return [
            label,
            len(values),
            f"{statistics.median(values):.2f}",
            f"{percentile(values, 95):.2f}",
            f"{max(values):.2f}",
        ]

    rows = [row("during the writes and faults", fresh)]
    if faults.kill_at is not None:
        window = faults.kill_at, faults.kill_at + claim_window
        apart = [s.seconds for s in probe.samples if s.seconds is not None and not window[0] <= s.sent <= window[1]]
        rows.append(row("outside the kill's claim window", apart))
    rows.append(["never found / dropped (a writer changed it)", f"{timeouts} / {probe.dropped}", "", "", ""])
    quiet = result["quiet_probe"]
    quiet_found = [s.seconds for s in quiet.samples if s.seconds is not None]
    missed = len(quiet.samples) - len(quiet_found)
    below = sum(1 for s in [*probe.samples, *quiet.samples] if s.rank is not None and s.rank >= 5)
    rows.append(row(f"single edits after the writes (judged; {missed} never found)", quiet_found))
    rows.append([f"found below the 5th product (only word of the query that matches it): {below}", "", "", "", ""])
    return rows


def report(args: argparse.Namespace, result: dict, passed: bool, reasons: list[str]) -> str:
    writers, faults, cut = result["writers"], result["faults"], result["cut"]
    consistency = result["consistency"]
    seconds = writers.finished - writers.started
    load = result["load_end"]
    parts = [
        f"bench.hosts {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: host A (bridge: Redis, Chroma, "
        f"PostgreSQL forwarder), web hosts b and c, worker hosts d and e (beat on e), each its own network "
        f"namespace and hostname. {args.products} products, {args.ops} writes by {args.writers} writers "
        f"spread over b and c in {seconds:.1f} s; debounce {args.debounce:g} s, "
        f"claim timeout {args.claim_timeout:g} s, sweep every {args.sweep_interval:g} s; embeddings "
        f"{args.embedding}. Load average at the end {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}. "
        f"Host warnings (manage.py check on b): {len(result['warnings'])}.",
        "",
        markdown_table(["t (s)", "fault"], [[f"{t:.1f}", text] for t, text in faults.timeline]),
        "",
        f"Requests by web host and phase of the cut of host {cut.host or '-'} (during = lifetime overlaps the cut):",
        "",
        _requests_table(result),
        "",
        "Freshness through host c (edit answered -> found by c's search API), seconds:",
        "",
        markdown_table(
            ["samples", "n", "p50", "p95", "max"], _freshness_rows(result, args.claim_timeout + args.sweep_interval)
        ),
        "",
        markdown_table(
            ["documents (DB)", "ledger", "vectors", "missing", "stale", "ghosts", "outbox left", "agreed after writes"],
            [
                [
                    consistency.get(k)
                    for k in ("documents", "ledger", "vectors", "missing", "stale", "ghosts", "pending_changes")
                ]
                + [f"{result['converged_after_writes_s']} s"]
            ],
        ),
    ]
    rebuild = result["rebuild"]
    if rebuild is not None:
        one, two = rebuild["one"], rebuild["two"]
        rows = [
            ["2 (d, e)", f"{two['seconds']:.1f}", two["documents"], _chunks(two["chunks"]), _load(two["load"])],
            ["1 (e)", f"{one['seconds']:.1f}", one["documents"], _chunks(one["chunks"]), _load(one["load"])],
        ]
        ratio = one["seconds"] / two["seconds"] if two["seconds"] else 0
        parts += [
            "",
            markdown_table(["worker hosts", "rebuild (s)", "documents", "chunks by host (worker logs)", "load"], rows),
            "",
            f"One-worker time / two-worker time: {ratio:.2f}. Differences between the two rebuilds: "
            f"{rebuild['differences']}.",
        ]
    verdict_line = "**PASS**" if passed else "**FAIL**: " + "; ".join(reasons)
    parts += ["", verdict_line]
    return "\n".join(parts)


def _chunks(chunks: dict) -> str:
    return ", ".join(f"{host}: {n}" for host, n in sorted(chunks.items())) or "none (one task)"


def _load(load: tuple[float, float, float]) -> str:
    return f"{load[0]:.2f}"
