"""Load test of the public AI endpoints: search and chat on gunicorn (2 workers) over loopback.

    python -m bench.load                              # 20 s each, 8 concurrent clients, demo + 1,000 products
    python -m bench.load --seconds 5 --products 200   # short form
    python -m bench.load --only storefront            # the storefront's pages alone

A private PostgreSQL database, Redis and Chroma server (bench/stack.py), the demo catalog plus a synthetic
one, indexed with the local model (EMBEDDING_PROVIDER=local, as in production). gunicorn runs as in the
Procfile (2 sync workers); the throttles are raised for the run through AI_SEARCH_THROTTLE and
AI_CHAT_THROTTLE (production: 120/min and 30/min per client). The load generator is this process: --concurrency
threads, each with one HTTP/1.1 keep-alive connection, sending the next request as soon as the last one was
answered (closed loop) for --seconds per endpoint. It shares the machine's cores with the server, so the
numbers are a floor. Chat uses the built-in engine (no OPENAI_API_KEY) and starts a new session per message.

Then cart and orders: each client is a signed-in customer (token) who puts an available product or a complete
custom configuration into the cart (POST /api/cart/lines/) and places the order (POST /api/orders/ with an
Idempotency-Key), in a closed loop. Afterwards every stored order is compared with the configurator: each line's
unit price must be the configurator's price of its options (the catalog does not change during the run, so that
is the price at placement) and the order's total the sum of its lines.

First, the storefront's pages of the demo catalog (bench/storefront_pages.py), each kind by one client for a
quarter of --seconds (at least 3 s): with nobody queueing, the latency is the server's time; the target is
<= 100 ms p95. `--only storefront` runs just these (no synthetic catalog, index, search, chat or orders).
"""

from __future__ import annotations

import argparse
import json
import os
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
from bench.storefront_pages import group_cpu_seconds, page_request, storefront_pages  # noqa: E402
from ecommerce_backend.devservers import free_port  # noqa: E402

STOREFRONT_P95_MS = 100  # the storefront's pages, server time on the demo catalog (issue 13)
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
    parser.add_argument("--only", choices=("all", "storefront"), default="all",
                        help="storefront: only the storefront pages (no index, search, chat or orders)")
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
        "p95_ms": pct(95) if ordered else None,
        "p99_ms": pct(99) if ordered else None,
        "errors": sum(errors.values()),
        "error_kinds": errors,
    }


def order_fixtures(concurrency: int) -> tuple[list[str], list[dict]]:
    """One customer token per client, and the items they buy: available products and valid configurations."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from apps.preconfigured_products.models import PreConfiguredProduct
    from apps.preconfigured_products.selectors import product_quotes

    tokens = []
    for n in range(concurrency):
        user, _ = get_user_model().objects.get_or_create(username=f"load-customer-{n}")
        tokens.append(Token.objects.get_or_create(user=user)[0].key)
    products = list(PreConfiguredProduct.objects.filter(is_active=True).order_by("id")[:200])
    quotes = product_quotes(products)
    items = []
    for product in products:
        q = quotes[product.pk]
        if q.valid:
            items.append({"product": product.pk})
            items.append({"category": product.category_id, "options": [i.option_id for i in q.breakdown]})
    return tokens, items


def run_orders(port: int, tokens: list[str], items: list[dict], seconds: float) -> dict:
    """Closed loop per customer: add one or two items to the cart, place the order; latencies per request kind."""
    latencies: dict[str, list[float]] = {"cart": [], "order": []}
    errors: dict[str, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def customer(number: int) -> None:
        rng = random.Random(number)
        http = KeepAliveClient(
            port, {"Content-Type": "application/json", "Authorization": f"Token {tokens[number]}"}, timeout=60
        )
        mine: dict[str, list[float]] = {"cart": [], "order": []}
        failed: dict[str, int] = {}
        sequence = 0
        while time.monotonic() < deadline:
            steps = [("cart", "/api/cart/lines/", {**rng.choice(items), "quantity": rng.randint(1, 3)})
                     for _ in range(rng.randint(1, 2))]
            steps.append(("order", "/api/orders/", {"name": f"Load {number}", "email": f"load{number}@example.com",
                                                     "address": "1 Bench Street"}))
            for kind, path, body in steps:
                sequence += 1
                if kind == "order":
                    http.headers["Idempotency-Key"] = f"load-{number}-{sequence}"
                started = time.perf_counter()
                try:
                    status, _ = http.request("POST", path, json.dumps(body).encode())
                    outcome = None if status == 201 else f"{kind} {status}"
                except Exception as exc:
                    outcome = f"{kind} {type(exc).__name__}"
                mine[kind].append(time.perf_counter() - started)
                http.headers.pop("Idempotency-Key", None)
                if outcome:
                    failed[outcome] = failed.get(outcome, 0) + 1
        http.close()
        with lock:
            for kind, values in mine.items():
                latencies[kind].extend(values)
            for outcome, count in failed.items():
                errors[outcome] = errors.get(outcome, 0) + count

    started = time.monotonic()
    threads = [threading.Thread(target=customer, args=(n,)) for n in range(len(tokens))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started

    def pct(values: list[float], p: float) -> float | None:
        ordered = sorted(values)
        if not ordered:
            return None
        return round(ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))] * 1000, 1)

    return {
        kind: {
            "requests": len(values),
            "seconds": round(elapsed, 1),
            "throughput_rps": round(len(values) / elapsed, 1),
            "p50_ms": pct(values, 50),
            "p95_ms": pct(values, 95),
            "errors": sum(n for outcome, n in errors.items() if outcome.startswith(kind)),
            "error_kinds": {o: n for o, n in errors.items() if o.startswith(kind)},
        }
        for kind, values in latencies.items()
    }


def orders_off_by_the_configurator() -> tuple[int, int]:
    """(orders checked, orders whose stored unit prices or total differ from the configurator's)."""
    from decimal import Decimal

    from apps.catalog.services.configurator import quote_many
    from apps.orders.models import Order

    orders = list(Order.objects.prefetch_related("lines"))
    lines = [line for order in orders for line in order.lines.all()]
    quotes = quote_many((line.category_id, [o["option_id"] for o in line.options]) for line in lines)
    fresh = {line.pk: q for line, q in zip(lines, quotes, strict=True)}
    wrong = 0
    for order in orders:
        total = sum((fresh[line.pk].price * line.quantity for line in order.lines.all()), Decimal("0"))
        if total != order.total or any(
            not fresh[line.pk].valid or fresh[line.pk].price != line.unit_price for line in order.lines.all()
        ):
            wrong += 1
    return len(orders), wrong


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
        everything = args.only == "all"
        if args.products and everything:
            generate_synthetic_catalog(products=args.products, seed=args.seed, categories=6)
        built = get_index_service().rebuild_index() if everything else {"documents": 0, "seconds": 0}
        log(f"index: {built['documents']} documents ({args.provider}) in {built['seconds']:.0f} s")
        words = search_words(random.Random(args.seed))

        port = free_port()
        web = stack.start(gunicorn(stack.env, stack.run_dir, port, workers=args.workers))
        wait_http(f"http://127.0.0.1:{port}/healthz", 120, web)
        pages = storefront_pages()
        warm = KeepAliveClient(port, {"Content-Type": "application/json"}, timeout=120)
        for n in range(4 * args.workers):  # every worker loads the embedding model once
            for paths in pages.values():
                warm.request("GET", paths[n % len(paths)])
            if everything:
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
        concurrency = {}
        # Storefront pages: one client, so each latency is the server's time (no queueing behind others).
        page_seconds = max(3.0, args.seconds / 4)
        for name, paths in pages.items():
            log(f"{name}: 1 client for {page_seconds:g} s")
            cpu_before = group_cpu_seconds(web.pid)  # gunicorn runs in a process group of its own
            results[name] = run_endpoint(port, 1, page_seconds, page_request(paths))
            cpu = group_cpu_seconds(web.pid) - cpu_before
            results[name]["server_cpu_ms"] = round(cpu * 1000 / max(1, results[name]["requests"]), 1)
            concurrency[name] = 1
        storefront_ok = all(results[name]["p95_ms"] <= STOREFRONT_P95_MS for name in pages)
        if everything:
            for name, make in (("GET /api/ai-assistant/search", search), ("POST /api/ai-assistant/chat", chat)):
                log(f"{name}: {args.concurrency} clients for {args.seconds:g} s")
                results[name] = run_endpoint(port, args.concurrency, args.seconds, make)
            tokens, items = order_fixtures(args.concurrency)
            log(f"cart and orders: {args.concurrency} customers for {args.seconds:g} s")
            placed = run_orders(port, tokens, items, args.seconds)
            results["POST /api/cart/lines/"] = placed["cart"]
            results["POST /api/orders/"] = placed["order"]
        checked, wrong = orders_off_by_the_configurator()
        orders_ok = wrong == 0 and (checked > 0 or not everything)
        passed = storefront_ok and orders_ok and all(r["errors"] == 0 and r["requests"] > 0 for r in results.values())
        rows = [
            [name, concurrency.get(name, args.concurrency), r["seconds"], r["requests"], r["throughput_rps"],
             r["p50_ms"], r.get("p95_ms", "-"), r.get("p99_ms", "-"),
             r["errors"] if not r["error_kinds"] else f"{r['errors']} {r['error_kinds']}"]
            for name, r in results.items()
        ]  # fmt: skip
        print(
            f"Load: gunicorn with {args.workers} sync workers on loopback, {built['documents']} documents indexed "
            f"(EMBEDDING_PROVIDER={args.provider}), throttles raised for the run; closed loop, keep-alive, the "
            f"load generator on the same machine.\n"
        )
        print(table(["endpoint", "concurrency", "s", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"],
                    rows))
        print(f"\nOrders stored: {checked}; whose unit prices or total differ from the configurator's: {wrong}.")
        print(f"\nStorefront pages (one client: server time): p95 <= {STOREFRONT_P95_MS} ms for every kind: "
              f"{'yes' if storefront_ok else 'NO'}. CPU time of the web server per page (ms): "
              + ", ".join(f"{name} {results[name]['server_cpu_ms']}" for name in pages)
              + f". Load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.")
        print(f"\n**{'PASS' if passed else 'FAIL'}**: no errors, storefront pages within {STOREFRONT_P95_MS} ms p95, "
              "every order priced as the configurator prices it.")
        if args.json:
            args.json.write_text(json.dumps({"results": results, "orders": checked, "orders_mispriced": wrong,
                                             "storefront_within_target": storefront_ok, "passed": passed}))
        return 0 if passed else 1
    finally:
        stack.stop(keep=not passed)


if __name__ == "__main__":
    sys.exit(main())
