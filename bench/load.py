"""Load test of the public AI endpoints: search and chat on gunicorn (2 workers) over loopback.

    python -m bench.load                              # 20 s each, 8 concurrent clients, demo + 1,000 products
    python -m bench.load --seconds 5 --products 200   # short form

A private PostgreSQL database, Redis and Chroma server (bench/stack.py), the demo catalog plus a synthetic
one, indexed with the local model (EMBEDDING_PROVIDER=local, as in production). gunicorn runs as in the
Procfile (2 sync workers); the throttles are raised for the run through AI_SEARCH_THROTTLE and
AI_CHAT_THROTTLE (production: 120/min and 30/min per client). The load generator is this process: --concurrency
threads, each with one HTTP/1.1 keep-alive connection, sending the next request as soon as the last one was
answered (closed loop) for --seconds per endpoint. It shares the machine's cores with the server, so the
numbers are a floor. Chat uses the built-in engine (no OPENAI_API_KEY) and starts a new session per message.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import markdown_table as table  # noqa: E402
from bench.stack import KeepAliveClient, Stack, gunicorn, wait_http  # noqa: E402
from ecommerce_backend.devservers import free_port  # noqa: E402

QUESTIONS = [
    "show me mountain bikes under 900",
    "can I have red rims with fat bike wheels?",
    "which frame finishes are there?",
    "what does a full-suspension bike with matte finish cost?",
    "do you have surfboards in stock?",
    "I need skis for a beginner",
    "cheapest roller skates",
    "lightweight kayak for weekend adventures",
    "is the 8-speed chain in stock?",
    "a tent for long expeditions",
]


def log(message: str) -> None:
    print(f"[load {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each endpoint's run (default 20)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--products", type=int, default=1000, help="synthetic products beside the demo catalog")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2, as in the Procfile)")
    parser.add_argument("--provider", default="local", help="EMBEDDING_PROVIDER (default local)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    return parser.parse_args(argv)


def search_words(rng: random.Random) -> list[str]:
    from apps.catalog.models import Category, PartOption
    from apps.preconfigured_products.models import PreConfiguredProduct

    words = list(PreConfiguredProduct.objects.order_by("?").values_list("name", flat=True)[:100])
    words += list(Category.objects.values_list("name", flat=True))
    words += list(PartOption.objects.order_by("?").values_list("name", flat=True)[:40])
    words += ["mountain bike under 900", "red rims", "waterproof", "beginner skis", "cheap surfboard"]
    rng.shuffle(words)
    return words


def run_endpoint(port: int, concurrency: int, seconds: float, make_request) -> dict:
    """Closed loop: `concurrency` threads send `make_request(rng)` -> (method, path, body) for `seconds`."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        rng = random.Random(number)
        http = KeepAliveClient(port, {"Content-Type": "application/json"}, timeout=60)
        mine: list[float] = []
        while time.monotonic() < deadline:
            method, path, body = make_request(rng)
            started = time.perf_counter()
            try:
                status, _ = http.request(method, path, body)
                outcome = None if status == 200 else str(status)
            except Exception as exc:  # a transport error counts as an error of the endpoint
                outcome = type(exc).__name__
            mine.append(time.perf_counter() - started)
            if outcome:
                with lock:
                    errors[outcome] = errors.get(outcome, 0) + 1
        http.close()
        with lock:
            latencies.extend(mine)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))] * 1000, 1)

    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 1),
        "throughput_rps": round(len(latencies) / elapsed, 1),
        "p50_ms": pct(50) if ordered else None,
        "p99_ms": pct(99) if ordered else None,
        "errors": sum(errors.values()),
        "error_kinds": errors,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stack = Stack.create(
        "load",
        {
            "EMBEDDING_PROVIDER": args.provider,
            "AI_INDEX_AUTO_UPDATE": "0",
            "AI_SEARCH_THROTTLE": "1000000/min",
            "AI_CHAT_THROTTLE": "1000000/min",
            "OPENAI_API_KEY": "",
        },
    )
    passed = False
    try:
        from apps.ai_assistant.services.index_service import get_index_service
        from apps.catalog.services.demo_catalog import load_demo_catalog
        from apps.catalog.services.synthetic_catalog import generate_synthetic_catalog

        load_demo_catalog()
        if args.products:
            generate_synthetic_catalog(products=args.products, seed=args.seed, categories=6)
        built = get_index_service().rebuild_index()
        log(f"index: {built['documents']} documents ({args.provider}) in {built['seconds']:.0f} s")
        words = search_words(random.Random(args.seed))

        port = free_port()
        web = stack.start(gunicorn(stack.env, stack.run_dir, port, workers=args.workers))
        wait_http(f"http://127.0.0.1:{port}/healthz", 120, web)
        warm = KeepAliveClient(port, {"Content-Type": "application/json"}, timeout=120)
        for n in range(4 * args.workers):  # every worker loads the model and its keyword index once
            warm.request("GET", "/api/ai-assistant/search?" + urlencode({"q": words[n % len(words)]}))
            warm.request(
                "POST", "/api/ai-assistant/chat", json.dumps({"message": QUESTIONS[n % len(QUESTIONS)]}).encode()
            )
        warm.close()

        def search(rng: random.Random):
            return "GET", "/api/ai-assistant/search?" + urlencode({"q": rng.choice(words), "limit": 10}), None

        def chat(rng: random.Random):
            return "POST", "/api/ai-assistant/chat", json.dumps({"message": rng.choice(QUESTIONS)}).encode()

        results = {}
        for name, make in (("GET /api/ai-assistant/search", search), ("POST /api/ai-assistant/chat", chat)):
            log(f"{name}: {args.concurrency} clients for {args.seconds:g} s")
            results[name] = run_endpoint(port, args.concurrency, args.seconds, make)
        passed = all(r["errors"] == 0 and r["requests"] > 0 for r in results.values())
        rows = [
            [name, args.concurrency, r["seconds"], r["requests"], r["throughput_rps"], r["p50_ms"], r["p99_ms"],
             r["errors"] if not r["error_kinds"] else f"{r['errors']} {r['error_kinds']}"]
            for name, r in results.items()
        ]  # fmt: skip
        print(
            f"Load: gunicorn with {args.workers} sync workers on loopback, {built['documents']} documents indexed "
            f"(EMBEDDING_PROVIDER={args.provider}), throttles raised for the run; closed loop, keep-alive, the "
            f"load generator on the same machine.\n"
        )
        print(table(["endpoint", "concurrency", "s", "requests", "req/s", "p50 ms", "p99 ms", "errors"], rows))
        print(f"\n**{'PASS' if passed else 'FAIL'}**: no errors.")
        if args.json:
            args.json.write_text(json.dumps({"results": results, "passed": passed}))
        return 0 if passed else 1
    finally:
        stack.stop(keep=not passed)


if __name__ == "__main__":
    sys.exit(main())
