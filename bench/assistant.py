"""Accuracy and latency of the built-in shopping assistant, on sets that measure generalisation.

    python -m bench.assistant                   # demo, dev, written dev, held-out, blind side by side (Markdown)
    python -m bench.assistant --set dev         # one set: demo | dev | written | heldout | blind | large
    python -m bench.assistant --set dev --verbose   # and every question with its answer
    python -m bench.assistant --set large       # answer times with 10,000 products (hashing embeddings)

Each set runs in a child process of its own: a fresh SQLite database under var/bench/, its own Chroma
server, the built-in engine (no OpenAI key), its catalog and a full index build. How the sets are made and
which may be tuned on: bench/assistant_eval/question_sets.py and docs/benchmarks.md. Results of each set
are also written to var/bench/assistant/<set>.json (questions, answers, verdicts).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from bench.common import ROOT, log, markdown_table, percentile

OUT_DIR = ROOT / "var" / "bench" / "assistant"
ROWS = [
    "find", "use_case", "compatibility", "config_price", "missing_part", "option_price", "product_price",
    "stock", "part_options", "product_facts", "not_sold", "injection", "follow_up",
]
# Sets whose misses are printed by default; held-out and blind misses are not shown, so nobody tunes on them.
SHOW_MISSES = {"demo", "dev", "written"}


def run_child(name: str, out: Path, provider: str) -> None:
    """Child process: set up a private environment, run one set, write its results as JSON."""
    os.environ["OPENAI_API_KEY"] = ""  # the built-in engine is what is measured
    os.environ.pop("REDIS_URL", None)  # no broker: the index is built in this process
    from bench.common import setup_environment

    setup_environment(f"assistant-{Path(name).name.replace(':', '-')}", provider=provider)
    from bench.assistant_eval.question_sets import question_set
    from bench.assistant_eval.runner import ask_all, prepare

    chosen = question_set(name)
    facts, build_seconds = prepare(chosen)
    questions = chosen.questions(facts)
    results = ask_all(questions, facts)
    out.write_text(json.dumps({
        "set": name, "column": chosen.column, "provider": provider, "index_seconds": round(build_seconds, 1),
        "products": len(facts.products), "results": results,
    }, indent=1), encoding="utf-8")


def run_set(name: str, provider: str) -> dict:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / f"{Path(name.split(':', 1)[-1]).name if ':' in name else name}.json"
    log(f"set {name}: loading the catalog, building the index ({provider}), asking ...")
    command = [sys.executable, "-m", "bench.assistant", "--child", name, "--out", str(out), "--provider", provider]
    subprocess.run(command, cwd=ROOT, check=True)
    return json.loads(out.read_text(encoding="utf-8"))


def _cell(results: list[dict]) -> str:
    if not results:
        return "–"
    correct = sum(r["ok"] for r in results)
    return f"{correct}/{len(results)} ({correct / len(results):.0%})"


def summary_table(runs: list[dict], columns: list[str]) -> str:
    """Rows per intent, one column per set (a set without runs, such as blind without folders, shows "–")."""
    by_column: dict[str, list[dict]] = {column: [] for column in columns}
    for run in runs:
        by_column.setdefault(run["column"], []).extend(run["results"])
    columns = list(by_column)
    rows = [[intent, *[_cell([r for r in by_column[c] if r["intent"] == intent]) for c in columns]]
            for intent in ROWS]
    others = sorted({r["intent"] for c in columns for r in by_column[c]} - set(ROWS))
    rows += [[intent, *[_cell([r for r in by_column[c] if r["intent"] == intent]) for c in columns]]
             for intent in others]
    rows.append(["**all**", *[f"**{_cell(by_column[c])}**" for c in columns]])
    rows.append(["wrong prices (answers)", *[str(sum(bool(r["wrong_amounts"]) for r in by_column[c]))
                                             if by_column[c] else "–" for c in columns]])
    rows.append(["p50 / p95 ms", *[_times(by_column[c]) for c in columns]])
    return markdown_table(["intent", *columns], rows)


def _times(results: list[dict]) -> str:
    times = [r["ms"] for r in results]
    return f"{percentile(times, 50):.0f} / {percentile(times, 95):.0f}" if times else "–"


def print_details(run: dict, verbose: bool) -> None:
    label = run["set"].split(":", 1)[0]
    print(f"\n{run['set']}: {run['products']} products, index built in {run['index_seconds']} s "
          f"({run['provider']} embeddings).")
    if not verbose and label not in SHOW_MISSES:
        return
    for r in run["results"]:
        if verbose or not r["ok"]:
            why = ", ".join(r["failed"] + [f"wrong price {a}" for a in r["wrong_amounts"]]) or "ok"
            follow = f" (after {r['follow_up_of']})" if r["follow_up_of"] else ""
            print(f"- [{r['id']} {r['intent']}{follow}: {why}; {r['ms']:.0f} ms] {r['question']!r}\n"
                  f"    -> {r['answer'][:300]!r} {r['cards'][:6]}\n    expected {json.dumps(r['expect'])[:300]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=["demo", "dev", "written", "heldout", "blind", "large"],
                        help="run one set only")
    parser.add_argument("--verbose", action="store_true", help="print every question and answer")
    parser.add_argument("--blind-root", type=Path, default=None, help="folder holding blind_*/ (bench/data)")
    parser.add_argument("--provider", default=None, help="embedding provider (default local; large: hashing)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run_child(args.child, args.out, args.provider or "local")
        return 0

    from bench.assistant_eval.question_sets import BLIND_ROOT, blind_folders

    wanted = [args.set] if args.set else ["demo", "dev", "written", "heldout", "blind"]
    names: list[str] = []
    for name in wanted:
        if name == "blind":
            names += [f"blind:{folder}" for folder in blind_folders(args.blind_root or BLIND_ROOT)]
        else:
            names.append(name)
    if "blind" in wanted and not any(name.startswith("blind:") for name in names):
        log(f"no blind set: no blind_*/catalog.json under {args.blind_root or BLIND_ROOT}")
    runs = [run_set(name, args.provider or ("hashing" if name == "large" else "local")) for name in names]
    labels = {"demo": "demo", "dev": "dev", "written": "written dev", "heldout": "held-out", "blind": "blind",
              "large": "10k"}
    print(summary_table(runs, [labels[name] for name in wanted]))
    for run in runs:
        print_details(run, args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
