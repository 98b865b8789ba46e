"""Run every benchmark, each in a process of its own, and print their tables (`make bench`).

    python -m bench.run_all                 # all benchmarks, full sizes
    python -m bench.run_all --quick         # short forms (smaller catalogs, fewer edits)
    python -m bench.run_all --only index,relevance
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

# name -> (full arguments, quick arguments)
BENCHMARKS: dict[str, tuple[list[str], list[str]]] = {
    "relevance": ([], []),
    "relevance_heldout": (["--products-only"], ["--products-only"]),
    "index": (["--sizes", "1000,10000,50000"], ["--sizes", "1000"]),
    "freshness": ([], ["--quick"]),
    "assistant": ([], ["--set", "demo"]),
    "chaos": ([], ["--ops", "500", "--worker-kills", "1", "--redis-restarts", "0", "--chroma-stop-seconds", "0"]),
    "rebuild_load": ([], ["--products", "1000", "--before", "10", "--after", "10"]),
    "load": ([], ["--seconds", "5", "--products", "200"]),
    "attack": ([], ["--brute-seconds", "15"]),
    "suggest": ([], ["--products", "1000", "--requests", "100"]),
    "broker_publish": ([], ["--up", "20", "--down", "2"]),
    "search_speed": ([], ["--products", "1000", "--queries", "20"]),
    "search_memory": ([], ["--sizes", "1000,5000", "--searches", "50"]),
    "storefront_pages": ([], ["--sizes", "12", "120", "--seconds", "1"]),
    "rebuild_workers": ([], ["--products", "500", "--chunk-size", "100"]),
    "hosts": ([], ["--products", "100", "--ops", "300", "--writers", "2"]),  # needs root: network namespaces
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="run the short form of each benchmark")
    parser.add_argument("--only", default="", help="comma-separated benchmark names: " + ", ".join(BENCHMARKS))
    args = parser.parse_args(argv)

    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")

    failed = []
    for name in names:
        full, quick = BENCHMARKS[name]
        command = [sys.executable, "-m", f"bench.{name}", *(quick if args.quick else full)]
        print(f"\n## bench.{name}: {' '.join(command[1:])}\n", flush=True)
        started = time.monotonic()
        if subprocess.call(command) != 0:
            failed.append(name)
        print(f"\n(bench.{name} took {time.monotonic() - started:.0f} s)", flush=True)
    if failed:
        print(f"\nFailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
