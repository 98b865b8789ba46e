"""Fan-out freshness (`python -m bench.freshness --fanout`): one option used by many products changes its price,
then goes out of stock. Facts are metadata (issue 11): neither change may embed a text, and the search filters
(max_price, in_stock) must reflect every affected product soon after the commit.

    python -m bench.freshness --fanout                                  # 10,000 products, 1,000 affected
    python -m bench.freshness --fanout --products 3000 --affected 1000  # smaller catalog
    EMBEDDING_PROVIDER=hashing python -m bench.freshness --fanout       # without the local model

Everything is real (bench.freshness's environment: DATABASE_URL or a fresh SQLite file, a Redis db of its
own, a Chroma server, a Celery worker, EMBEDDING_PROVIDER, default local). The option is the most used one
of the synthetic catalog; when fewer than --affected products use it, more products are switched to it
before the first build (a bulk write: the build indexes them as they are).

"Reflects" means what a search's filter sees, on both of its routes: the keyword rows in the database
(written with the ledger, the same for every process) and Chroma's `where` on the stored metadata (a `get` by
ids and `where`, asked once every product's keyword row reflects the change). Per affected product: the time from
the commit until its keyword row reflects the change, counted once Chroma agrees too (p50/p95/max; the writer
updates Chroma first); stale = products on which the two did not both agree after --timeout. Only the
products the change moves out of the filter by the database's own quotes count (a price rule can keep a
product's price). Texts embedded = new rows in the embedding cache during the change.

Where the time goes: the flush's own seconds (the worker's `Flushed ...` log line), and over the whole change
(commit until reflected) the CPU seconds the worker's processes ran and the seconds they were runnable but
waiting for a core (the kernel's /proc/<pid>/task/*/schedstat), the same for the Chroma server and for the
PostgreSQL server processes of the database's connections (the worker's and this process's polling), and the
load average at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import time
from decimal import Decimal
from pathlib import Path

from bench.common import markdown_table, percentile

FLUSH_LINE = re.compile(r"Flushed (\d+) outbox changes \((\d+) documents\) in \d+ batch\(es\), ([\d.]+)s")


def _descendants(root: int) -> list[int]:
    """`root` and every process below it (the worker's pool processes)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def scheduled(pids: list[int]) -> tuple[float, float]:
    """(CPU seconds, seconds runnable but waiting for a core) of these processes' threads so far."""
    cpu = wait = 0
    for pid in pids:
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                ran, waited, _ = (task / "schedstat").read_text().split()
            except (OSError, ValueError):
                continue
            cpu, wait = cpu + int(ran), wait + int(waited)
    return cpu / 1e9, wait / 1e9


def database_backends() -> list[int]:
    """PostgreSQL: the server processes of every connection to this database (the worker's, this process's)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        return [row[0] for row in cursor.fetchall()]


class Sampler:
    """CPU and run-queue waiting of the worker, the Chroma server and the database's backends over a change."""

    def __init__(self, worker_pid: int, chroma_pid: int) -> None:
        self.groups = {"worker": _descendants(worker_pid), "chroma": _descendants(chroma_pid)}
        self.groups["database"] = database_backends()
        self.before = {name: scheduled(pids) for name, pids in self.groups.items()}

    def cell(self, name: str) -> str:
        cpu, wait = scheduled(self.groups[name])
        return f"{cpu - self.before[name][0]:.1f} / {wait - self.before[name][1]:.1f}"


def pick_option(affected: int) -> tuple[int, list[int]]:
    """The most used option, used by at least `affected` products (switching products to it when needed)."""
    from django.db.models import Count

    from apps.preconfigured_products.models import PreConfiguredProductOption

    top = (
        PreConfiguredProductOption.objects.values("option_id", "part_id")
        .annotate(n=Count("id"))
        .order_by("-n", "option_id")
        .first()
    )
    option_id, part_id = top["option_id"], top["part_id"]
    missing = affected - top["n"]
    if missing > 0:
        others = PreConfiguredProductOption.objects.filter(part_id=part_id).exclude(option_id=option_id)
        switch = list(others.order_by("product_id").values_list("pk", flat=True)[:missing])
        PreConfiguredProductOption.objects.filter(pk__in=switch).update(option_id=option_id)
    products = PreConfiguredProductOption.objects.filter(option_id=option_id).values_list("product_id", flat=True)
    return option_id, sorted(set(products))


def keyword_reflected(doc_ids: list[str], filters, collection: str) -> set[str]:
    """The documents whose keyword rows (written with the ledger) the filter now excludes."""
    from apps.ai_assistant.models import IN_LIST_CHUNK, KeywordRow

    found: set[str] = set()
    for start in range(0, len(doc_ids), IN_LIST_CHUNK):
        rows = KeywordRow.objects.filter(collection=collection, doc_id__in=doc_ids[start : start + IN_LIST_CHUNK])
        found |= set(rows.exclude(filters.keyword_q()).values_list("doc_id", flat=True))
    return found


def chroma_passing(doc_ids: list[str], filters, collection: str) -> set[str]:
    """The documents Chroma's `where` still lets through: a get by ids and `where` (metadata only)."""
    chroma = _chroma_collection(collection)
    passing: set[str] = set()
    for start in range(0, len(doc_ids), 1000):
        passing.update(chroma.get(ids=doc_ids[start : start + 1000], where=filters.where(), include=[])["ids"])
    return passing


def _chroma_collection(name: str):
    """The benchmark's own Chroma client on the collection (CHROMA_URL, the server bench.common started)."""
    from urllib.parse import urlsplit

    import chromadb
    from django.conf import settings

    url = urlsplit(settings.CHROMA_URL)
    return chromadb.HttpClient(host=url.hostname, port=url.port).get_collection(name)


def passing_in_database(products: list[int], filters) -> set[int]:
    """The products the filter lets through by the database's own prices and availability (the configurator)."""
    from apps.preconfigured_products.models import PreConfiguredProduct
    from apps.preconfigured_products.selectors import product_quotes

    quotes = product_quotes(PreConfiguredProduct.objects.filter(pk__in=products))
    return {pk for pk, q in quotes.items() if filters.accepts({"type": "product", "price": float(q.price),
                                                                "in_stock": bool(q.valid)})}


def change_and_wait(
    label: str, apply, products: list[int], filters, timeout: float, worker, chroma_pid: int
) -> list[object]:
    """Commit `apply()` (one option save), then poll until the index agrees with the database on every product
    the change moved out of the filter (a price rule can keep a product's price: those did not move)."""
    from django.db import transaction

    from apps.ai_assistant.indexing.state import get_state
    from apps.ai_assistant.models import EmbeddingCache

    collection = get_state().active_collection
    embedded_before = EmbeddingCache.objects.count()
    before = passing_in_database(products, filters)
    log_from = len(worker.log())
    sampler = Sampler(worker.process.pid, chroma_pid)
    with transaction.atomic():
        apply()
        # The products it moves, by the quotes inside the change's transaction (not timed: before the commit).
        doc_ids = [f"product:{pk}" for pk in sorted(before - passing_in_database(products, filters))]
    committed = time.perf_counter()
    # A product counts from the moment its keyword row reflects the change, once Chroma is seen to agree too (the
    # writer updates the vector store's metadata before the keyword rows, so Chroma agreed by then). Chroma is
    # asked after the keyword rows all reflect it: a `get` of a thousand ids and a `where` costs its server about
    # a second of CPU, and asked during the flush it delayed both the flush and the next keyword poll.
    seen: dict[str, float] = {}
    while len(seen) < len(doc_ids) and time.perf_counter() - committed < timeout:
        pending = [d for d in doc_ids if d not in seen]
        for doc_id in keyword_reflected(pending, filters, collection):
            seen[doc_id] = time.perf_counter() - committed
        if len(seen) < len(doc_ids):
            time.sleep(0.05)
    confirmed: set[str] = set()
    while len(confirmed) < len(seen) and time.perf_counter() - committed < timeout:
        unconfirmed = sorted(set(seen) - confirmed)
        confirmed |= set(unconfirmed) - chroma_passing(unconfirmed, filters, collection)
        if len(confirmed) < len(seen):
            time.sleep(0.05)
    pending = [d for d in doc_ids if d not in confirmed]
    reflected_after = time.perf_counter() - committed
    cells = [f"{sampler.cell('worker')} in {reflected_after:.1f} s", sampler.cell("chroma"), sampler.cell("database")]
    time.sleep(1.0)  # anything the flush still embeds lands in the cache now
    embedded = EmbeddingCache.objects.count() - embedded_before
    flushes = [float(seconds) for _, _, seconds in FLUSH_LINE.findall(worker.log()[log_from:])]
    latencies = sorted(seen[d] for d in confirmed)
    cell = lambda p: f"{percentile(latencies, p):.2f} s" if latencies else "-"  # noqa: E731
    return [label, len(products), len(doc_ids), embedded, cell(50), cell(95),
            f"{latencies[-1]:.2f} s" if latencies else "-", len(pending),
            " + ".join(f"{seconds:.1f}" for seconds in flushes) or "-",
            *cells,
            " ".join(f"{load:.1f}" for load in os.getloadavg())]


def run(args: argparse.Namespace, worker) -> int:
    """The two changes on the option; prints a table; 1 when a product stayed stale or a text was embedded."""
    from apps.ai_assistant.retrieval.hybrid import SearchFilters
    from apps.catalog.models import PartOption
    from apps.preconfigured_products.models import PreConfiguredProduct
    from apps.preconfigured_products.selectors import product_quotes

    option_id, products = args.fanout_option, args.fanout_products
    option = PartOption.objects.get(pk=option_id)
    quotes = product_quotes(PreConfiguredProduct.objects.filter(pk__in=products))
    ceiling = float(max(q.price for q in quotes.values()))
    # Raise the price above every affected product's current price: then `max_price=ceiling` drops all of them.
    delta = Decimal(str(ceiling)).quantize(Decimal("1")) + 1

    def raise_price() -> None:
        option.default_price = option.default_price + delta
        option.save()

    def out_of_stock() -> None:
        option.in_stock = False
        option.save()

    print(f"\noption {option.name!r} (id {option_id}) used by {len(products)} products", flush=True)
    rows = [
        change_and_wait(f"price +{delta} (max_price={ceiling:.2f})", raise_price, products,
                        SearchFilters(type="product", max_price=ceiling), args.timeout, worker, args.chroma_pid),
        change_and_wait("out of stock (in_stock=true)", out_of_stock, products,
                        SearchFilters(type="product", in_stock=True), args.timeout, worker, args.chroma_pid),
    ]
    print(markdown_table(
        ["change", "products using the option", "products it moves out of the filter", "texts embedded",
         "commit → reflected p50", "p95", "max", "stale", "flush in the worker s",
         "worker CPU s / waiting for a core s", "Chroma server CPU / waiting s", "PostgreSQL backends CPU / waiting s",
         "load 1/5/15 min"],
        rows,
    ), flush=True)
    runs = worker.flush_runs()
    print(f"flushes that synced something: {runs[-6:]}", flush=True)
    return 1 if any(row[7] or row[3] for row in rows) else 0
