"""The storefront pages bench.load requests: each kind of page of the demo catalog (home, family, product,
configurator, search frame, cart), one row per kind.

A page's server time is measured with one client in a closed loop: no request waits for another, so the
latency is the server's time plus a loopback round trip (the target, <= 100 ms p95, is a server-time target).
On a machine shared with other work that time includes waiting for a core; the CPU time the web server's
processes spent per page (`group_cpu_seconds`, from /proc) does not, and is reported beside it.

Run alone, it measures the family page in-process (Django's test client, no web server) on a scratch
PostgreSQL database, with the demo "bicycles" family grown to each of --sizes models (random options, some
unorderable): per sort and filter, the SQL queries per page (Django's own count), the page's wall time p50/p95
and this process's CPU time per page (which excludes PostgreSQL's share of the work).

    python -m bench.storefront_pages                        # sizes 12, 120, 1200; 5 s per row
    python -m bench.storefront_pages --sizes 12 60 --seconds 2
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEMO_FAMILIES = ("bicycles", "skis", "surfboards", "roller-skates")
SEARCHES = ("fat bike", "red rims", "beginner skis", "surfboard", "inline skates", "bike under 400")
FAMILY_VIEWS = (("name", ""), ("price", ""), ("-price", ""), ("price", "on"), ("name", "on"))


def storefront_pages() -> dict[str, list[str]]:
    """Page kind -> the paths of that kind in the demo catalog (read from the database the server uses)."""
    from apps.catalog.models import Category
    from apps.preconfigured_products.models import PreConfiguredProduct

    families = list(Category.objects.filter(slug__in=DEMO_FAMILIES, is_active=True).values_list("slug", flat=True))
    products = PreConfiguredProduct.objects.filter(category__slug__in=DEMO_FAMILIES, is_active=True)
    return {
        "GET / (storefront home)": ["/"],
        "GET /shop/families/<slug>/": [f"/shop/families/{slug}/" for slug in families]
        + [f"/shop/families/{slug}/?sort=price" for slug in families],
        "GET /shop/products/<id>/": [f"/shop/products/{pk}/" for pk in products.values_list("pk", flat=True)],
        "GET /shop/families/<slug>/configure/": [f"/shop/families/{slug}/configure/" for slug in families],
        "GET /shop/search/?q=": [f"/shop/search/?q={q.replace(' ', '+')}" for q in SEARCHES],
        "GET /shop/cart/": ["/shop/cart/"],
    }


def page_request(paths: list[str]):
    """A make_request for bench.load.run_endpoint: a GET of one of `paths`, chosen at random."""

    def make(rng: random.Random):
        return "GET", rng.choice(paths), None

    return make


def group_cpu_seconds(process_group: int) -> float:
    """User + system CPU seconds used so far by the live processes of a process group (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        # After the command name: state ppid pgrp session ... utime (12th) stime (13th).
        if int(fields[2]) == process_group:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def grow_family(category, size: int, seed: int = 7) -> None:
    """Add models to `category` (a Category) until it has `size` active ones, each with a random option per part:
    some combinations are incompatible or out of stock, so "available" filters some out."""
    from apps.catalog.models import Part
    from apps.preconfigured_products.models import PreConfiguredProduct, PreConfiguredProductOption

    rng = random.Random(seed)
    parts = [list(part.options.all()) for part in Part.objects.filter(category=category).prefetch_related("options")]
    count = PreConfiguredProduct.objects.filter(category=category, is_active=True).count()
    new = PreConfiguredProduct.objects.bulk_create(
        PreConfiguredProduct(category=category, name=f"Model {n:05d}", slug=f"{category.slug}-model-{n}")
        for n in range(count, size)
    )
    PreConfiguredProductOption.objects.bulk_create(
        PreConfiguredProductOption(product=product, part_id=option.part_id, option=option)
        for product in new
        for option in (rng.choice(options) for options in parts if options)
    )


def measure_family_page(client, path: str, params: dict, seconds: float) -> dict:
    """Request one family page in a closed loop for `seconds`: queries per page, wall and CPU ms per page."""
    from django.db import connection

    from bench.common import percentile

    executed = [0]

    def count(execute, sql, params, many, context):
        executed[0] += 1
        return execute(sql, params, many, context)

    walls, cpus, queries = [], [], set()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or not walls:
        executed[0] = 0
        cpu, wall = time.process_time(), time.perf_counter()
        with connection.execute_wrapper(count):
            response = client.get(path, params)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{path} {params}: {response.status_code}")
        queries.add(executed[0])
    return {"requests": len(walls), "queries": sorted(queries), "p50_ms": round(percentile(walls, 50), 1),
            "p95_ms": round(percentile(walls, 95), 1), "cpu_ms": round(percentile(cpus, 50), 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[12, 120, 1200], help="models in the family")
    parser.add_argument("--seconds", type=float, default=5.0, help="closed-loop time per row (default 5)")
    args = parser.parse_args(argv)

    from bench.stack import PostgresDatabase

    database = PostgresDatabase("marcus_storefront_pages").create()
    os.environ.update({"DATABASE_URL": database.url, "AI_INDEX_AUTO_UPDATE": "0", "DJANGO_DEBUG": "0",
                       "LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "ecommerce_backend.settings"})
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections
        from django.test import Client

        from apps.catalog.models import Category
        from apps.catalog.services.demo_catalog import load_demo_catalog
        from bench.common import markdown_table

        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)  # used when REDIS_URL is not set
        load_demo_catalog()
        family = Category.objects.get(slug="bicycles")
        client = Client()
        client.get("/")  # the session cookie, once
        rows = []
        for size in sorted(args.sizes):
            grow_family(family, size)
            for sort, available in FAMILY_VIEWS:
                params = {"sort": sort, **({"available": available} if available else {})}
                for page in (1, 3):
                    r = measure_family_page(client, f"/shop/families/{family.slug}/", {**params, "page": page},
                                            args.seconds)
                    rows.append([size, f"sort={sort}" + (" available" if available else ""), page,
                                 "/".join(map(str, r["queries"])), r["requests"], r["p50_ms"], r["p95_ms"],
                                 r["cpu_ms"], f"{os.getloadavg()[0]:.1f}"])
        print(markdown_table(["models", "view", "page", "queries", "requests", "p50 ms", "p95 ms",
                              "CPU ms p50", "load 1 min"], rows))
        print(f"\nIn-process (Django test client, no web server), PostgreSQL, {os.cpu_count()} cores.")
        connections.close_all()
    finally:
        database.drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
