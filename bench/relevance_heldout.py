"""Relevance of search on held-out sets: catalogs and queries written by someone who never saw the search code.

    python -m bench.relevance_heldout                      # every bench/data/blind_*/ holding search_queries.json
    python -m bench.relevance_heldout --root /some/folder  # blind_*/ folders under another root
    python -m bench.relevance_heldout --details            # also each query's nDCG@10 per mode
    python -m bench.relevance_heldout --products-only      # search products only (type=product, as a shop page)

Each folder holds `catalog.json` (the format of apps/catalog/services/demo_data.py) and `search_queries.json`:
`[{"id", "type", "query", "relevant": {"<product name>": 2 | 1}}]`, graded before any search ran (2 = what the
customer asked for, 1 = useful too, unlisted = 0). Labels name products only, so by default a part, category or
rule document in the top 10 counts as a miss; `--products-only` searches with `type=product` as the storefront's
product search does. The catalog is loaded into a fresh database, indexed, and every
query is run in the three modes (vector, keyword, hybrid). Nothing here is tuned on: the scores are reported as they
come (docs/benchmarks.md says which run was the first).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

from bench.common import log, markdown_table, setup_environment
from bench.relevance import MODES, K, ndcg, recall, reciprocal_rank

DATA_ROOT = Path(__file__).resolve().parent / "data"


def held_out_folders(root: Path) -> list[Path]:
    """The blind_*/ folders under root that hold a catalog and search queries."""
    return sorted(
        folder
        for folder in root.glob("blind_*")
        if (folder / "catalog.json").is_file() and (folder / "search_queries.json").is_file()
    )


def read_queries(path: Path) -> list[dict]:
    """The labelled queries of one folder, checked for shape."""
    queries = json.loads(path.read_text(encoding="utf-8"))
    for entry in queries:
        if not {"id", "type", "query", "relevant"} <= entry.keys() or not entry["relevant"]:
            raise SystemExit(f"{path}: query {entry.get('id')!r} lacks id, type, query or relevant")
    return queries


Scores = dict[tuple[str, str], list[tuple[float, float, float]]]


def score_folder(folder: Path, details: list[list[str]], products_only: bool = False) -> Scores:
    """(type, mode) -> [(nDCG@10, recall@10, MRR)] for every query of the folder."""
    from apps.ai_assistant.models import IndexedDocument
    from apps.ai_assistant.retrieval.hybrid import SearchFilters, hybrid_search
    from apps.ai_assistant.services.index_service import get_index_service
    from apps.catalog.services.demo_catalog import load_demo_catalog

    load_demo_catalog(folder / "catalog.json")
    log(f"indexing {folder.name}")
    result = get_index_service().build_index()
    product_ids = {
        metadata["name"]: doc_id
        for doc_id, metadata in IndexedDocument.objects.filter(
            collection=result["collection"], doc_type="product"
        ).values_list("doc_id", "metadata")
    }
    filters = SearchFilters(type="product") if products_only else SearchFilters()
    scores: Scores = {}
    for entry in read_queries(folder / "search_queries.json"):
        unknown = [name for name in entry["relevant"] if name not in product_ids]
        if unknown:
            raise SystemExit(f"{folder.name} {entry['id']}: labels name products the catalog lacks: {unknown}")
        judgements = {product_ids[name]: grade for name, grade in entry["relevant"].items()}
        row = [folder.name, entry["type"], entry["query"]]
        for mode in MODES:
            ranked = [hit["id"] for hit in hybrid_search(entry["query"], filters, limit=K, mode=mode)]
            value = ndcg(ranked, judgements)
            scores.setdefault((entry["type"], mode), []).append(
                (value, recall(ranked, judgements), reciprocal_rank(ranked, judgements))
            )
            row.append(f"{value:.2f}")
        details.append(row)
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=DATA_ROOT, help="folder holding blind_*/ (bench/data)")
    parser.add_argument("--details", action="store_true", help="print each query's nDCG@10 per mode")
    parser.add_argument("--products-only", action="store_true", help="search documents of type product only")
    parser.add_argument("--provider", default=None, help="EMBEDDING_PROVIDER (default: env or local)")
    args = parser.parse_args(argv)
    folders = held_out_folders(args.root)
    if not folders:
        print(f"no held-out search set: no blind_*/ with catalog.json and search_queries.json under {args.root}")
        return 1
    env = setup_environment("relevance-heldout", provider=args.provider)
    details: list[list[str]] = []
    scores: Scores = {}
    for folder in folders:
        for key, values in score_folder(folder, details, args.products_only).items():
            scores.setdefault(key, []).extend(values)

    types = sorted({kind for kind, _ in scores})
    total = sum(len(scores[(kind, "hybrid")]) for kind in types)
    scope = "products only" if args.products_only else "all document types"
    print(f"\n### Held-out relevance, {scope}: {total} queries in {len(folders)} set(s) ({env.describe()})\n")
    rows = []
    for mode in MODES:
        every = [value for kind in types for value in scores[(kind, mode)]]
        rows.append([mode, *(f"{statistics.mean(v[i] for v in every):.3f}" for i in range(3))])
    print(markdown_table(["mode", "nDCG@10", "recall@10", "MRR"], rows))
    print("\nnDCG@10 / recall@10 by type of query:\n")
    print(
        markdown_table(
            ["type", "queries", *MODES],
            [
                [
                    kind,
                    len(scores[(kind, "hybrid")]),
                    *(
                        f"{statistics.mean(v[0] for v in scores[(kind, m)]):.3f} / "
                        f"{statistics.mean(v[1] for v in scores[(kind, m)]):.3f}"
                        for m in MODES
                    ),
                ]
                for kind in types
            ],
        )
    )
    if args.details:
        print("\nnDCG@10 per query:\n")
        print(markdown_table(["set", "type", "query", *MODES], details))
    return 0


if __name__ == "__main__":
    sys.exit(main())
