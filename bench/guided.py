"""Answer times of guided configuration turns (built-in engine, in process), on the demo catalog and with
10,000 more products in eight more categories.

    python -m bench.guided                  # 20 sessions per catalog
    python -m bench.guided --sessions 50

Each session builds a bike in free words: the start, five answers (one refused: red rims after fat bike
wheels) and the last step (configurator total, the matching product, the cart offer). Every turn goes through
`apps.ai_assistant.assistant.service.chat`, session storage included. Guided turns never search the index, so
none is built. A private SQLite database (bench/common.py); prints one Markdown table.
"""

from __future__ import annotations

import argparse
import time

from bench.common import log, markdown_table, percentile, setup_environment

TURNS = [
    ("start", "I'd like to build a bike"),
    ("choose", "the diamond one"),
    ("choose (price rule)", "matte please"),
    ("choose", "I'll take the fat ones"),
    ("refused (rule)", "red"),
    ("choose", "black then"),
    ("last step", "the 8 speed"),
]
LARGE_PRODUCTS = 10_000


def run_sessions(sessions: int) -> dict[str, list[float]]:
    """Milliseconds of each kind of turn over `sessions` sessions (after one session of warm-up)."""
    from apps.ai_assistant.assistant.service import chat

    times: dict[str, list[float]] = {kind: [] for kind, _ in TURNS}
    for n in range(sessions + 1):
        session_id = None
        for kind, message in TURNS:
            started = time.perf_counter()
            reply = chat(message, session_id)
            elapsed = (time.perf_counter() - started) * 1000
            session_id = reply["session_id"]
            if n:  # the first session warms caches and connections
                times[kind].append(elapsed)
        if "Total from the configurator" not in reply["answer"]:
            raise SystemExit(f"the guide did not finish: {reply['answer'][:300]}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    args = parser.parse_args()
    setup_environment("guided", provider="hashing")

    from apps.catalog.services.demo_catalog import load_demo_catalog
    from apps.catalog.services.synthetic_catalog import generate_synthetic_catalog

    load_demo_catalog()
    results = {}
    log(f"demo catalog: {args.sessions} sessions ...")
    results["demo"] = run_sessions(args.sessions)
    log(f"adding {LARGE_PRODUCTS:,} products ...")
    generate_synthetic_catalog(products=LARGE_PRODUCTS, seed=16)
    log(f"demo + {LARGE_PRODUCTS:,} products: {args.sessions} sessions ...")
    results["large"] = run_sessions(args.sessions)

    rows = []
    for kind in dict.fromkeys(kind for kind, _ in TURNS):
        row = [kind]
        for name in ("demo", "large"):
            values = results[name][kind]
            row += [f"{percentile(values, 50):.0f}", f"{percentile(values, 95):.0f}"]
        rows.append(row)
    every = {name: [v for values in results[name].values() for v in values] for name in results}
    rows.append(["every turn", *(f"{percentile(every[n], p):.0f}" for n in ("demo", "large") for p in (50, 95))])
    print(markdown_table(
        ["turn", "demo p50 ms", "demo p95 ms", f"+{LARGE_PRODUCTS:,} products p50 ms", "p95 ms"], rows
    ))


if __name__ == "__main__":
    main()
