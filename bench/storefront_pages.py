"""The storefront pages bench.load requests: each kind of page of the demo catalog (home, family, product,
configurator, search frame, cart), one row per kind.

A page's server time is measured with one client in a closed loop: no request waits for another, so the
latency is the server's time plus a loopback round trip (the target, <= 100 ms p95, is a server-time target).
On a machine shared with other work that time includes waiting for a core; the CPU time the web server's
processes spent per page (`group_cpu_seconds`, from /proc) does not, and is reported beside it.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

DEMO_FAMILIES = ("bicycles", "skis", "surfboards", "roller-skates")
SEARCHES = ("fat bike", "red rims", "beginner skis", "surfboard", "inline skates", "bike under 400")


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
