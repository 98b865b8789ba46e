"""Relevance of search on the demo catalog: vector only, keyword only and hybrid (RRF), on labelled queries.

    python -m bench.relevance            # the real local model (EMBEDDING_PROVIDER, default local)
    python -m bench.relevance --details  # also each query's nDCG@10 per mode

49 queries in six groups (exact names, attributes, prices, compatibility, misspellings, categories and
parts), each with graded judgements: 2 = what the customer asked for, 1 = useful too. Judgements name
documents (type + name) and were written from the catalog alone, before looking at any ranking.
Metrics over the top 10: recall, nDCG (gain 2^grade - 1) and MRR (first document of grade >= 1).

A seventh group, "use-case" (queries that describe a use rather than name a thing: the examples of issue 17,
judged from the catalog alone before they were run), is reported beside the six and kept out of the overall
table, so that table stays comparable with earlier runs.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys

from bench.common import log, markdown_table, setup_environment

P, PART, CAT, INC, RULE = "product", "part", "category", "incompatibility", "price_rule"

# (group, query, {(type, name): grade})
QUERIES: list[tuple[str, str, dict[tuple[str, str], int]]] = [
    ("exact", "Fat Tire Explorer", {(P, "Fat Tire Explorer"): 2}),
    ("exact", "Powder Hound", {(P, "Powder Hound"): 2}),
    ("exact", "Jam Skater", {(P, "Jam Skater"): 2}),
    ("exact", "Noserider Classic", {(P, "Noserider Classic"): 2}),
    ("exact", "Trail Blazer FS", {(P, "Trail Blazer FS"): 2}),
    ("exact", "Speed Racer Inline", {(P, "Speed Racer Inline"): 2}),
    ("exact", "Rim color", {(PART, "Rim color"): 2}),
    (
        "attributes",
        "fat bike with black rims",
        {(P, "Fat Tire Explorer"): 2, (P, "Dune Drifter"): 2, (P, "Snow Cruiser"): 1},
    ),
    (
        "attributes",
        "full suspension mountain bike",
        {
            (P, "Trail Blazer FS"): 2,
            (P, "Ridge Runner"): 2,
            (P, "Summit Single"): 2,
            (P, "Enduro Pro"): 2,
            (P, "Snow Cruiser"): 1,
            (PART, "Frame type"): 1,
        },
    ),
    (
        "attributes",
        "single speed city bike",
        {(P, "Fixie Classic"): 2, (P, "Urban Step"): 2, (P, "Summit Single"): 1, (P, "Dune Drifter"): 1},
    ),
    (
        "attributes",
        "step-through frame for commuting",
        {(P, "City Glide"): 2, (P, "Urban Step"): 2, (P, "Dune Drifter"): 1, (PART, "Frame type"): 1},
    ),
    (
        "attributes",
        "road bike with red rims",
        {(P, "Velocity Road"): 2, (P, "Urban Step"): 1, (P, "Ridge Runner"): 1},
    ),
    (
        "attributes",
        "bike for snow and sand",
        {(P, "Fat Tire Explorer"): 2, (P, "Snow Cruiser"): 2, (P, "Dune Drifter"): 2, (PART, "Wheels"): 1},
    ),
    ("attributes", "freeride skis for deep powder", {(P, "Powder Hound"): 2, (P, "Sunset Freerider"): 2}),
    (
        "attributes",
        "ski touring setup with a walk mode binding",
        {(P, "Backcountry Explorer"): 2, (PART, "Binding"): 1, (P, "Sunset Freerider"): 1},
    ),
    ("attributes", "carving skis for groomed pistes", {(P, "Piste Carver"): 2}),
    (
        "attributes",
        "short skis for kids and beginners",
        {(P, "First Tracks Junior"): 2, (P, "Resort All-Rounder"): 1},
    ),
    ("attributes", "longboard with a single fin", {(P, "Noserider Classic"): 2, (P, "Carbon Longboard"): 1}),
    (
        "attributes",
        "surfboard for beginners",
        {(P, "Beginner Funboard"): 2, (P, "Summer Fish"): 1, (CAT, "Surfboards"): 1},
    ),
    ("attributes", "fish surfboard for small summer waves", {(P, "Summer Fish"): 2}),
    ("attributes", "quad fin shortboard", {(P, "Point Break Quad"): 2, (P, "Summer Fish"): 1}),
    (
        "attributes",
        "inline skates for fitness",
        {(P, "Fitness Inline"): 2, (P, "Speed Racer Inline"): 2, (P, "Indoor Inline Trainer"): 1},
    ),
    (
        "attributes",
        "roller derby quad skates",
        {(P, "Roller Derby Pro"): 2, (P, "Jam Skater"): 1, (P, "Rink Classic"): 1},
    ),
    (
        "attributes",
        "skates for the roller rink",
        {(P, "Rink Classic"): 2, (P, "Jam Skater"): 1, (P, "Roller Derby Pro"): 1},
    ),
    (
        "attributes",
        "ceramic bearings",
        {
            (PART, "Bearings"): 2,
            (P, "Speed Racer Inline"): 1,
            (P, "Roller Derby Pro"): 1,
            (RULE, "Ceramic bearings with Speed wheels (110 mm)"): 1,
        },
    ),
    ("attributes", "chain with eight gears for hills", {(PART, "Chain"): 2}),
    (
        "prices",
        "cheapest roller skates",
        {(P, "Jam Skater"): 2, (P, "Rink Classic"): 1, (CAT, "Roller skates"): 1},
    ),
    ("prices", "bike under 280 euros", {(P, "Fixie Classic"): 2}),
    (
        "prices",
        "how much does matte finish cost on a full-suspension frame",
        {(RULE, "Matte with Full-suspension"): 2, (PART, "Frame finish"): 1},
    ),
    (
        "prices",
        "price of matte finish on a diamond frame",
        {(RULE, "Matte with Diamond"): 2, (PART, "Frame finish"): 1},
    ),
    (
        "prices",
        "touring binding cheaper with a touring ski",
        {
            (RULE, "Touring binding with Touring ski"): 2,
            (RULE, "Touring binding with Touring ski and Long (180-190 cm) and Graphite matte"): 1,
        },
    ),
    ("prices", "quad fins cheaper on a fish", {(RULE, "Quad with Fish"): 2}),
    (
        "compatibility",
        "can I get red rims with fat bike wheels",
        {(INC, "Fat bike wheels + Red"): 2, (PART, "Rim color"): 1},
    ),
    (
        "compatibility",
        "mountain wheels with a diamond frame",
        {(INC, "Mountain wheels + Diamond"): 2, (INC, "Mountain wheels + Step-through"): 1},
    ),
    (
        "compatibility",
        "which frames work with mountain wheels",
        {
            (INC, "Mountain wheels + Diamond"): 2,
            (INC, "Mountain wheels + Step-through"): 2,
            (PART, "Frame type"): 1,
            (PART, "Wheels"): 1,
        },
    ),
    ("compatibility", "touring binding on a carving ski", {(INC, "Touring binding + Carving ski"): 2}),
    ("compatibility", "is a race binding compatible with a touring ski", {(INC, "Race binding + Touring ski"): 2}),
    ("compatibility", "toe stop on inline skates", {(INC, "Toe stop + Inline boot"): 2, (PART, "Brake"): 1}),
    (
        "compatibility",
        "speed wheels on quad skates",
        {(INC, "Speed wheels (110 mm) + High-top quad boot"): 2, (INC, "Speed wheels (110 mm) + Low-top quad boot"): 2},
    ),
    ("compatibility", "6 ft leash for a longboard", {(INC, "6 ft leash + Longboard"): 2, (PART, "Leash"): 1}),
    ("misspellings", "fat tyre explorar", {(P, "Fat Tire Explorer"): 2}),
    (
        "misspellings",
        "mountian bike",
        {(P, "Trail Blazer FS"): 2, (P, "Ridge Runner"): 2, (P, "Summit Single"): 2, (P, "Enduro Pro"): 2},
    ),
    ("misspellings", "skiis for powder", {(P, "Powder Hound"): 2, (P, "Sunset Freerider"): 1}),
    ("misspellings", "surfbord", {(CAT, "Surfboards"): 2, (PART, "Board shape"): 1}),
    ("misspellings", "rollerskates", {(CAT, "Roller skates"): 2, (PART, "Boot"): 1}),
    ("categories", "skis", {(CAT, "Skis"): 2}),
    ("categories", "what parts does a bicycle have", {(CAT, "Bicycles"): 2}),
    ("categories", "surfboard construction epoxy or polyester", {(PART, "Construction"): 2}),
    ("categories", "ski lengths", {(PART, "Length"): 2}),
]
USE_CASES: list[tuple[str, str, dict[tuple[str, str], int]]] = [
    (
        "use-case",
        "something light for long gravel rides",
        {(P, "Weekend Tourer"): 2, (P, "Velocity Road"): 1, (P, "Fat Tire Explorer"): 1, (P, "Trail Blazer FS"): 1},
    ),
    (
        "use-case",
        "a bike for carrying groceries",
        {(P, "City Glide"): 2, (P, "Urban Step"): 2, (P, "Fixie Classic"): 1},
    ),
    (
        "use-case",
        "a bike to ride to work every day",
        {(P, "Urban Step"): 2, (P, "City Glide"): 2, (P, "Fixie Classic"): 2},
    ),
    (
        "use-case",
        "gear for a beginner on the slopes",
        {(P, "First Tracks Junior"): 2, (P, "Resort All-Rounder"): 2, (CAT, "Skis"): 1},
    ),
]
MODES = ("vector", "keyword", "hybrid")
K = 10


def ndcg(ranked: list[str], judgements: dict[str, int], k: int = K) -> float:
    dcg = sum((2 ** judgements.get(doc, 0) - 1) / math.log2(i + 2) for i, doc in enumerate(ranked[:k]))
    ideal = sorted(judgements.values(), reverse=True)[:k]
    idcg = sum((2**grade - 1) / math.log2(i + 2) for i, grade in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall(ranked: list[str], judgements: dict[str, int], k: int = K) -> float:
    relevant = {doc for doc, grade in judgements.items() if grade > 0}
    return len(relevant & set(ranked[:k])) / len(relevant)


def reciprocal_rank(ranked: list[str], judgements: dict[str, int]) -> float:
    for i, doc in enumerate(ranked, start=1):
        if judgements.get(doc, 0) > 0:
            return 1 / i
    return 0.0


def resolve(judgements: dict[tuple[str, str], int], ids_by_name: dict[tuple[str, str], str]) -> dict[str, int]:
    missing = [key for key in judgements if key not in ids_by_name]
    if missing:
        raise SystemExit(f"Judgements name documents the demo catalog does not have: {missing}")
    return {ids_by_name[key]: grade for key, grade in judgements.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--details", action="store_true", help="print each query's nDCG@10 per mode")
    parser.add_argument("--provider", default=None, help="EMBEDDING_PROVIDER (default: env or local)")
    args = parser.parse_args(argv)
    env = setup_environment("relevance", provider=args.provider)

    from apps.ai_assistant.models import IndexedDocument
    from apps.ai_assistant.retrieval.hybrid import SearchFilters, hybrid_search
    from apps.ai_assistant.services.index_service import get_index_service
    from apps.catalog.services.demo_catalog import load_demo_catalog

    load_demo_catalog()
    log("indexing the demo catalog")
    result = get_index_service().build_index()
    ids_by_name = {
        (doc_type, metadata["name"]): doc_id
        for doc_id, doc_type, metadata in IndexedDocument.objects.filter(collection=result["collection"]).values_list(
            "doc_id", "doc_type", "metadata"
        )
    }
    scores: dict[str, dict[str, list[float]]] = {mode: {"recall": [], "ndcg": [], "mrr": []} for mode in MODES}
    by_group: dict[tuple[str, str], list[float]] = {}
    details = []
    for group, query, raw in [*QUERIES, *USE_CASES]:
        judgements = resolve(raw, ids_by_name)
        row = [group, query]
        for mode in MODES:
            ranked = [hit["id"] for hit in hybrid_search(query, SearchFilters(), limit=K, mode=mode)]
            value = ndcg(ranked, judgements)
            if group != "use-case":
                scores[mode]["ndcg"].append(value)
                scores[mode]["recall"].append(recall(ranked, judgements))
                scores[mode]["mrr"].append(reciprocal_rank(ranked, judgements))
            by_group.setdefault((group, mode), []).append(value)
            row.append(f"{value:.2f}")
        details.append(row)

    print(f"\n### Relevance on the demo catalog: {len(QUERIES)} labelled queries ({env.describe()})\n")
    print(
        markdown_table(
            ["mode", "recall@10", "nDCG@10", "MRR"],
            [
                [mode, *(f"{statistics.mean(scores[mode][metric]):.3f}" for metric in ("recall", "ndcg", "mrr"))]
                for mode in MODES
            ],
        )
    )
    groups = list(dict.fromkeys(group for group, _, _ in [*QUERIES, *USE_CASES]))
    print("\nnDCG@10 by group of queries:\n")
    print(
        markdown_table(
            ["group", "queries", *MODES],
            [
                [
                    group,
                    len(by_group[(group, "hybrid")]),
                    *(f"{statistics.mean(by_group[(group, m)]):.3f}" for m in MODES),
                ]
                for group in groups
            ],
        )
    )
    if args.details:
        print("\nnDCG@10 per query:\n")
        print(markdown_table(["group", "query", *MODES], details))
    return 0


if __name__ == "__main__":
    sys.exit(main())
