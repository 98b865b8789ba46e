"""Search speed at scale with the local model's query embedding, split by stage (issue 17: p50/p95 <= 30/80 ms
at 10k products).

    python -m bench.search_speed                                  # 10,000 products, SQLite
    DATABASE_URL=postgres://.../scratch python -m bench.search_speed   # PostgreSQL (its catalog is replaced)
    python -m bench.search_speed --products 1000 --queries 50

1. A synthetic catalog (`generate_synthetic_catalog`, seed --seed), its search vocabulary, and an index built
   with --index-provider (default `hashing`: 10k documents in a minute, where the local model needs 5-60
   minutes on a shared machine). The hashing and the local model's vectors have the same dimension (384,
   checked), so the collection is then pointed at the local model: every search embeds its query with
   all-MiniLM-L6-v2 and queries the 10k-vector collection exactly as in production. Only the ranking's
   quality is meaningless here (the documents' vectors are lexical hashes); `bench.relevance` measures that.
   On PostgreSQL the database is then VACUUM ANALYZEd, as autovacuum does a minute after such a bulk write
   (this machine's server runs with autovacuum off). Without statistics the planner estimated 191 keyword rows
   for a 10k collection and counted a word's rows by reading all of them, 25 ms instead of 4 (p50 527 ms at
   load 9); without the vacuum the GIN index's pending list keeps the bulk write's 5,000 entries, which every
   full-text query then reads (a one-word match 3-5 ms instead of 0.3).
2. --queries distinct queries (bench.index's generator) through GET /api/ai-assistant/search in this process
   (Django's test client: routing, middleware, throttle, serializers, facets, did-you-mean, the analytics row;
   no network), once plain and once with filters (type=product, one category, in stock), then the plain ones
   again as their second page (offset 10: what the storefront asks for a next page, a facet or a sort; the
   query vector is kept, vector_side.QUERY_VECTORS). A query's kept vector is dropped before each of its first
   pages: the filtered pass, whose texts are the plain pass's, embeds every query again. With
   --sequential-too each search is run twice in a row, overlapped and sequential, each first every other time.
3. Per search: wall time, this process's CPU time (what the machine's load does not inflate; both threads of
   the search), the SQL statements its request thread sent, the Chroma server's CPU and, on PostgreSQL, the
   database backend's CPU (both from /proc); and per stage, wall and the CPU of the thread that ran it. The
   vector half runs in a worker thread beside the keyword half (retrieval/vector_side.py): query embedding,
   vector prefetch and family distances are the worker's; "vector half wait" is how long the request's thread
   then still waited for it, "vector filter" the check of the prefetched neighbours against the filters. The
   request thread's stages: keyword ranking (+ exact names), intent, ledger rows (the fused documents' text and
   metadata, read once for the intent and the results), result rows, facets, did-you-mean, analytics write.

The cache is what `make run` uses: Redis when REDIS_URL is set, else the database cache, whose table is
created here as `bootstrap_shop` creates it (without it every cached read - the synonym groups, the
throttle - fails over to the database and the figures are not a running shop's).

Every figure is printed with the load average before and after the run.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from bench.common import log, markdown_table, percentile, setup_environment, timed

TARGET_P50_MS, TARGET_P95_MS = 30.0, 80.0
OVERLAPPED, SEQUENTIAL = "overlapped", "sequential"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=100, help="distinct queries, each run plain and filtered")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--index-provider", default="hashing", choices=["hashing", "local"])
    parser.add_argument(
        "--sequential-too", action="store_true",
        help="also run each search with its vector half in the request's thread (vector_side.WORKERS = 0), "
        "right after the overlapped one, so both see the same load",
    )  # fmt: skip
    return parser.parse_args(argv)


def process_cpu_ms(pid: int) -> float:
    """User + system CPU time of another process so far (Linux /proc), in ms; NaN when it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) * 1000 / CLOCK_TICKS


class StageClock:
    """Wraps module functions so each call adds its wall and CPU ms to a named stage of the current search."""

    def __init__(self) -> None:
        self.current: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])

        self.lock = threading.Lock()  # the vector half's stages are timed in its worker thread

    def wrap(self, owner, attribute: str, stage: str) -> None:
        original: Callable = getattr(owner, attribute)

        def timed_call(*args, **kwargs):
            wall, cpu = time.perf_counter(), time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                took_wall, took_cpu = (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000
                with self.lock:
                    box = self.current[stage]
                    box[0] += took_wall
                    box[1] += took_cpu

        setattr(owner, attribute, timed_call)

    def take(self) -> dict[str, tuple[float, float]]:
        with self.lock:
            taken = {stage: (wall, cpu) for stage, (wall, cpu) in self.current.items()}
            self.current.clear()
        return taken


STAGES = [
    ("throttle", "SearchRateThrottle", "allow_request"),
    ("query embedding", "vector_side", "query_vector"),
    ("vector prefetch", "vector_side", "prefetch"),
    ("family distances", "vector_side", "family_distances"),
    ("vector half wait", "Pending", "result"),
    ("vector filter", "hybrid", "_vector_hits"),
    ("keyword ranking", "hybrid", "keyword_ranking"),
    ("exact names", "hybrid", "exact_matches"),
    ("intent", "hybrid", "_family_members"),
    ("ledger rows", "hybrid", "_ledger_rows"),
    ("result rows", "hybrid", "_results"),
    ("facets", "search_page", "search_facets"),
    ("did-you-mean", "search_page", "correct_query"),
    ("analytics write", "search_views", "record_search"),
]


def instrument() -> StageClock:
    from apps.ai_assistant.api import search_views
    from apps.ai_assistant.retrieval import hybrid, vector_side
    from apps.search.selectors import search_page
    from ecommerce_backend.throttling import SearchRateThrottle

    modules = {
        "SearchRateThrottle": SearchRateThrottle, "hybrid": hybrid, "vector_side": vector_side,
        "Pending": vector_side.Pending, "search_page": search_page, "search_views": search_views,
    }  # fmt: skip
    clock = StageClock()
    for stage, module, attribute in STAGES:
        clock.wrap(modules[module], attribute, stage)
    return clock


def prepare_index(products: int, seed: int, index_provider: str) -> dict:
    """A fresh catalog of `products`, its vocabulary, an index built with `index_provider`, and the collection
    pointed at the local model (see the module docstring). Returns what it built and how long it took."""
    from django.core.management import call_command
    from django.db import connection

    from apps.ai_assistant.models import IndexState
    from apps.ai_assistant.retrieval.embeddings import LOCAL_MODEL, get_embedding_provider
    from apps.ai_assistant.services.index_service import get_index_service
    from apps.catalog.services.synthetic_catalog import generate_synthetic_catalog
    from apps.search.services.vocabulary import refresh_all
    from bench.index import reset_everything

    reset_everything()
    call_command("createcachetable", verbosity=0)  # as bootstrap_shop (make run) does; unused with REDIS_URL
    log(f"generating {products} products (seed {seed})")
    generate_synthetic_catalog(products=products, seed=seed)
    refresh_all()
    local = get_embedding_provider("local", LOCAL_MODEL)
    builder = get_embedding_provider(index_provider)
    if builder.dimensions != local.dimensions:
        raise SystemExit(f"{builder!r} and {local!r} differ in dimension: build with --index-provider local")
    log(f"building the index with {builder!r}")
    with timed() as took:
        built = get_index_service().build_index()
    IndexState.objects.filter(pk=1).update(embedding_provider="local", embedding_model=LOCAL_MODEL)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk write (module docstring)
    local.embed(["warm the model up"])
    return {"documents": built["added"], "build_s": took[0]}


def database_backend_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None  # SQLite runs in this process: its CPU is in the process's
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def run_searches(
    client, queries: list[dict], clock: StageClock, chroma_pid: int, modes: list[str], embed: bool
) -> dict[str, list[dict]]:
    """Per mode (OVERLAPPED, SEQUENTIAL), one record per search: wall, cpu, chroma_cpu, db_cpu (ms), sql
    (statements sent) and the stages. `embed`: drop the query's kept vector before each search."""
    from apps.ai_assistant.retrieval import vector_side

    db_pid = database_backend_pid()
    workers = vector_side.WORKERS
    records: dict[str, list[dict]] = {mode: [] for mode in modes}
    try:
        for number, params in enumerate(queries):
            # Each mode goes first every other query: the first search of a text pays for what the second
            # reuses (PostgreSQL remembers its words' frequencies).
            for mode in modes[number % len(modes) :] + modes[: number % len(modes)]:
                vector_side.WORKERS = workers if mode == OVERLAPPED else 0
                if embed:
                    vector_side.forget_query_vectors(params["q"])
                records[mode].append(one_search(client, params, clock, chroma_pid, db_pid))
    finally:
        vector_side.WORKERS = workers
    return records


def one_search(client, params: dict, clock: StageClock, chroma_pid: int, db_pid: int | None) -> dict:
    """One search's record (see run_searches)."""
    from django.db import connection

    chroma0 = process_cpu_ms(chroma_pid)
    db0 = process_cpu_ms(db_pid) if db_pid else 0.0
    sent: list[str] = []

    def count(execute, sql, sql_params, many, context):
        sent.append(sql)
        return execute(sql, sql_params, many, context)

    wall, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(count):
        response = client.get("/api/ai-assistant/search", params)
    record = {
        "sql": len(sent),
        "wall": (time.perf_counter() - wall) * 1000,
        "cpu": (time.process_time() - cpu) * 1000,
        "chroma_cpu": process_cpu_ms(chroma_pid) - chroma0,
        "db_cpu": (process_cpu_ms(db_pid) - db0) if db_pid else float("nan"),
        "stages": clock.take(),
        "hits": len(response.json()["results"]) if response.status_code == 200 else -1,
    }
    if response.status_code != 200:
        raise SystemExit(f"search {params} answered {response.status_code}: {response.content[:300]!r}")
    return record


def summary_rows(label: str, records: list[dict]) -> list[list[str]]:
    def p(values: list[float], pct: float) -> str:
        return f"{percentile(values, pct):.1f}"

    def mean(values: list[float]) -> str:
        values = [v for v in values if v == v]
        return f"{sum(values) / len(values):.1f}" if values else "-"

    rows = [[
        label, "whole search", p([r["wall"] for r in records], 50), p([r["wall"] for r in records], 95),
        p([r["cpu"] for r in records], 50), p([r["cpu"] for r in records], 95),
        mean([r["chroma_cpu"] for r in records]), mean([r["db_cpu"] for r in records]),
        mean([r["sql"] for r in records]),
    ]]  # fmt: skip
    for stage, _module, _attribute in STAGES:
        walls = [r["stages"].get(stage, (0.0, 0.0))[0] for r in records]
        cpus = [r["stages"].get(stage, (0.0, 0.0))[1] for r in records]
        rows.append([label, stage, p(walls, 50), p(walls, 95), p(cpus, 50), p(cpus, 95), "", "", ""])
    return rows


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("AI_SEARCH_THROTTLE", "1000000/min")
    env = setup_environment("search_speed", provider=args.index_provider)
    from django.test import Client

    from apps.catalog.models import Category
    from bench.index import make_queries

    built = prepare_index(args.products, args.seed, args.index_provider)
    rng = random.Random(args.seed)
    texts = make_queries(rng, args.queries)
    categories = list(Category.objects.values_list("pk", flat=True))
    plain = [{"q": text, "limit": 10} for text in texts]
    filtered = [
        {"q": text, "limit": 10, "type": "product", "category": rng.choice(categories), "in_stock": "true"}
        for text in texts[::-1]
    ]
    client = Client()
    client.get("/api/ai-assistant/search", {"q": "warm up"})  # the connection, the URL map, the first query
    clock = instrument()
    chroma_pid = env.chroma_server.process.pid
    load_before = os.getloadavg()
    log(f"{len(plain)} plain and {len(filtered)} filtered searches (load {load_before[0]:.1f})")
    modes = [OVERLAPPED, SEQUENTIAL] if args.sequential_too else [OVERLAPPED]
    passes = {
        "plain": run_searches(client, plain, clock, chroma_pid, modes, embed=True),
        # The filtered searches reuse the plain ones' texts: embed them again (embed=True).
        "filtered": run_searches(client, filtered, clock, chroma_pid, modes, embed=True),
        "page 2": run_searches(
            client, [{**params, "offset": 10} for params in plain], clock, chroma_pid, modes, embed=False
        ),
    }
    load_after = os.getloadavg()
    for mode in modes:
        results = {label: by_mode[mode] for label, by_mode in passes.items()}
        report(args, built, mode if args.sequential_too else "", results, load_before, load_after)
    return 0


def report(args, built: dict, mode: str, results: dict[str, list[dict]], load_before, load_after) -> None:
    """The tables of one mode's searches (stdout, Markdown)."""
    from django.conf import settings
    from django.db import connection

    database = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(
        f"\n### Search at {args.products:,} products ({database}; {built['documents']:,} documents, index built "
        f"with {args.index_provider} in {built['build_s']:.0f} s, queries embedded by the local model; cache: "
        f"{cache}{'; vector half ' + mode if mode else ''})\n"
    )
    print(f"Load average (1/5/15 min) before {load_before[0]:.1f}/{load_before[1]:.1f}/{load_before[2]:.1f}, "
          f"after {load_after[0]:.1f}/{load_after[1]:.1f}/{load_after[2]:.1f}.\n")  # fmt: skip
    rows = [row for label, records in results.items() for row in summary_rows(label, records)]
    print(
        markdown_table(
            ["searches", "stage", "wall p50 ms", "wall p95 ms", "CPU p50 ms", "CPU p95 ms",
             "Chroma CPU ms/search", "PostgreSQL CPU ms/search", "SQL statements/search"],
            rows,
        )
    )  # fmt: skip
    first_pages = [r for label in ("plain", "filtered") for r in results[label]]
    walls = [r["wall"] for r in first_pages]
    print(
        f"\nThe {len(walls)} plain and filtered searches: wall p50 {percentile(walls, 50):.1f} / p95 "
        f"{percentile(walls, 95):.1f} ms (target {TARGET_P50_MS:.0f} / {TARGET_P95_MS:.0f}); mean hits "
        f"{sum(r['hits'] for r in first_pages) / len(walls):.1f}. CPU is this process's (the web process's work: "
        "Django, the query embedding, SQLite when it is the database); Chroma's and PostgreSQL's are their "
        "servers' processes."
    )


if __name__ == "__main__":
    sys.exit(main())
