"""Indexing and search at scale: synthetic catalogs of 1k, 10k and 50k products, the real local model.

    python -m bench.index                       # sizes 1000,10000,50000
    python -m bench.index --sizes 1000,10000    # shorter
    python -m bench.index --help

For each size, on a fresh catalog (`generate_catalog --products N --seed S`) and an empty index:
1. raw embedding throughput: the provider embeds every document text (or a sample of --raw-sample texts),
   nothing else (texts/s);
2. first full build (`build_index`): seconds, texts embedded, texts/s and its share of the raw throughput
   (target >= 80 %: the pipeline around the model costs little);
3. rebuild of the unchanged catalog (`rebuild_index`): 0 embedded, and how many times faster (target >= 10x);
4. one changed product synced (`sync_documents` of what the edit touches): median over --edits edits
   (target <= 100 ms);
5. search p50/p95 without and with filters (type, category, max price, in stock), query embedding
   included (10k target: p50 <= 30 ms, p95 <= 80 ms), and the first search's time (no index to load);
6. peak memory (RSS) of this process and of the Chroma server.

The machine's 5-minute load average after the raw and the build phase is printed beside the ratio: on a
shared machine a busy neighbour during one phase only skews it.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time

from bench.common import log, markdown_table, peak_rss_mb, percentile, setup_environment, timed


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,50000", help="comma-separated product counts")
    parser.add_argument("--seed", type=int, default=7, help="seed of the synthetic catalog")
    parser.add_argument("--queries", type=int, default=60, help="search queries per measurement")
    parser.add_argument("--edits", type=int, default=20, help="single-product edits synced one by one")
    parser.add_argument("--provider", default=None, help="EMBEDDING_PROVIDER (default: env or local)")
    parser.add_argument(
        "--raw-sample",
        type=int,
        default=0,
        help="texts the raw throughput is measured on (default 0: all; at 50k a sample halves the run)",
    )
    args = parser.parse_args(argv)
    try:
        args.sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    except ValueError:
        parser.error("--sizes must be comma-separated integers")
    if not args.sizes or min(args.sizes) < 1:
        parser.error("--sizes must be positive")
    return args


def reset_everything() -> None:
    """An empty catalog, ledger, embedding cache and pointer; no collection in the Chroma server."""
    from apps.ai_assistant.models import EmbeddingCache, IndexedDocument, IndexState, KeywordTerm
    from apps.ai_assistant.retrieval.vector_store import get_vector_store
    from apps.catalog.services.synthetic_catalog import wipe_catalog

    wipe_catalog()
    IndexedDocument.objects.all().delete()  # and the keyword rows with it
    KeywordTerm.objects.all().delete()
    EmbeddingCache.objects.all().delete()
    IndexState.objects.all().delete()
    store = get_vector_store()
    for name in store.list_collections():
        store.delete_collection(name)


def make_queries(rng: random.Random, count: int) -> list[str]:
    from apps.catalog.services import synthetic_catalog as synth

    nouns = [singular for _plural, singular, _parts in synth.THEMES]
    templates = [
        lambda: f"{rng.choice(synth.COLOURS)} {rng.choice(nouns)} for {rng.choice(synth.USES)}",
        lambda: f"{rng.choice(synth.BRANDS)} {rng.choice(synth.MODELS)}",
        lambda: f"{rng.choice(synth.ADJECTIVES)} {rng.choice(synth.MATERIALS)} {rng.choice(nouns)}",
        lambda: f"cheap {rng.choice(nouns)} in stock",
        lambda: f"which {rng.choice(nouns)} parts are incompatible",
        lambda: f"{rng.choice(synth.MATERIALS)} {rng.choice(rng.choice(synth.THEMES)[2]).lower()}",
    ]
    queries: dict[str, None] = {}  # distinct: no query is answered from something a previous one warmed
    for attempt in range(count * 20):
        queries.setdefault(templates[attempt % len(templates)]())
        if len(queries) == count:
            break
    return list(queries)


def measure_searches(service, queries: list[str], filters: list[dict]) -> tuple[float, float, float]:
    """(p50 ms, p95 ms, mean results) of service.search_documents over the queries."""
    times, sizes = [], []
    for query, extra in zip(queries, filters, strict=True):
        started = time.perf_counter()
        hits = service.search_documents(query, limit=10, **extra)
        times.append((time.perf_counter() - started) * 1000)
        sizes.append(len(hits))
    return percentile(times, 50), percentile(times, 95), statistics.mean(sizes)


def run_size(size: int, args: argparse.Namespace, env) -> dict:
    from apps.ai_assistant.indexing.documents.registry import iter_all_documents, touched_doc_ids
    from apps.ai_assistant.retrieval.embeddings import get_embedding_provider
    from apps.ai_assistant.services.index_service import get_index_service
    from apps.catalog.models import Category
    from apps.catalog.services.synthetic_catalog import generate_synthetic_catalog
    from apps.preconfigured_products.models import PreConfiguredProduct

    rng = random.Random(args.seed * 1000 + size)
    reset_everything()
    log(f"[{size}] generating the catalog")
    generated = generate_synthetic_catalog(products=size, seed=args.seed)
    service = get_index_service()
    provider = get_embedding_provider()
    provider.embed(["warm the model up"])

    with timed() as t_docs:
        texts = [doc.text for batch in iter_all_documents() for doc in batch]
    if args.raw_sample and args.raw_sample < len(texts):
        texts = random.Random(args.seed).sample(texts, args.raw_sample)
    log(f"[{size}] {t_docs[0]:.1f}s to build the documents; raw embedding of {len(texts)} texts")
    with timed() as t_raw:
        for start in range(0, len(texts), 1024):
            provider.embed(texts[start : start + 1024])
    raw_tps = len(texts) / t_raw[0]
    raw_load = os.getloadavg()[1]  # 5-minute load average: was the machine busy with something else?
    del texts

    log(f"[{size}] first build (raw: {raw_tps:.0f} texts/s)")
    first = service.build_index(progress=lambda e: log(f"  {e['message']}") if e["done"] % 5000 < 500 else None)
    build_tps = first["embedded"] / first["seconds"]
    build_load = os.getloadavg()[1]

    log(f"[{size}] rebuild of the unchanged catalog")
    rebuild = service.rebuild_index()

    log(f"[{size}] searches")
    with timed() as t_load:  # nothing is loaded into this process: the first search costs what the others do
        service.search_documents("warm up")
    queries = make_queries(rng, args.queries)
    plain_p50, plain_p95, plain_hits = measure_searches(service, queries, [{}] * len(queries))
    categories = list(Category.objects.values_list("pk", flat=True))
    prices = sorted(float(p["price"]) for p in service.search_documents("a", type="product", limit=50))
    cap = prices[len(prices) // 2] if prices else None
    filters = [
        {"type": "product", "category": rng.choice(categories), "max_price": cap, "in_stock": True} for _ in queries
    ]
    filt_p50, filt_p95, filt_hits = measure_searches(service, queries[::-1], filters)

    log(f"[{size}] {args.edits} single-product edits")
    edit_times = []
    product_ids = list(PreConfiguredProduct.objects.values_list("pk", flat=True))
    for number in range(args.edits):
        product = PreConfiguredProduct.objects.get(pk=rng.choice(product_ids))
        product.description = f"{product.description} Edition {number} restyled {rng.randrange(10**6)}."
        product.save(update_fields=["description", "updated_at"])
        started = time.perf_counter()
        result = service.sync_documents(touched_doc_ids(product))
        edit_times.append((time.perf_counter() - started) * 1000)
        assert result["updated"] == 1 and result["embedded"] == 1, result

    return {
        "size": size,
        "documents": first["added"],
        "generated_s": generated.seconds,
        "raw_tps": raw_tps,
        "first_s": first["seconds"],
        "first_embedded": first["embedded"],
        "build_tps": build_tps,
        "share": build_tps / raw_tps,
        "load": f"{raw_load:.1f} / {build_load:.1f}",
        "rebuild_s": rebuild["seconds"],
        "rebuild_embedded": rebuild["embedded"],
        "speedup": first["seconds"] / rebuild["seconds"],
        "edit_p50": statistics.median(edit_times),
        "edit_p95": percentile(edit_times, 95),
        "first_search_s": t_load[0],
        "plain": (plain_p50, plain_p95, plain_hits),
        "filtered": (filt_p50, filt_p95, filt_hits),
        "rss": peak_rss_mb(),
        "chroma_rss": peak_rss_mb(env.chroma_server.process.pid),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = setup_environment("index", provider=args.provider)
    results = [run_size(size, args, env) for size in args.sizes]

    print(f"\n### Indexing ({env.describe()})\n")
    print(
        markdown_table(
            [
                "products", "documents", "raw embed texts/s", "first build s", "embedded", "build texts/s",
                "build / raw", "load avg raw / build", "rebuild s", "rebuild embedded", "first / rebuild",
                "1 edit p50 ms", "1 edit p95 ms",
            ],
            [
                [
                    r["size"], r["documents"], f"{r['raw_tps']:.0f}", f"{r['first_s']:.1f}", r["first_embedded"],
                    f"{r['build_tps']:.0f}", f"{r['share']:.0%}", r["load"], f"{r['rebuild_s']:.1f}",
                    r["rebuild_embedded"],
                    f"{r['speedup']:.1f}x", f"{r['edit_p50']:.0f}", f"{r['edit_p95']:.0f}",
                ]
                for r in results
            ],
        )
    )  # fmt: skip
    print(f"\n### Search, {args.queries} distinct queries each, query embedding included\n")
    print(
        markdown_table(
            [
                "products", "p50 ms", "p95 ms", "hits", "filtered p50 ms", "filtered p95 ms", "filtered hits",
                "first search s", "peak RSS MB", "Chroma peak RSS MB",
            ],
            [
                [
                    r["size"], f"{r['plain'][0]:.1f}", f"{r['plain'][1]:.1f}", f"{r['plain'][2]:.1f}",
                    f"{r['filtered'][0]:.1f}", f"{r['filtered'][1]:.1f}", f"{r['filtered'][2]:.1f}",
                    f"{r['first_search_s']:.2f}", f"{r['rss']:.0f}", f"{r['chroma_rss']:.0f}",
                ]
                for r in results
            ],
        )
    )  # fmt: skip
    print(
        "\nTargets: build >= 80 % of raw throughput; rebuild of an unchanged catalog embeds 0 and is >= 10x faster; "
        "one edit synced in <= 100 ms (median); 10k search p50 <= 30 ms, p95 <= 80 ms. Filters: type=product, "
        "one category, max price = median product price, in stock."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
