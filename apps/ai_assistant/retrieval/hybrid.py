"""Hybrid search over the active collection: vector similarity + the database's keyword search, fused by
Reciprocal Rank Fusion.

    score(d) = sum over rankings r of  w_r / (RRF_K + rank_r(d)),   RRF_K = 60, ranks from 1

RRF uses ranks only, so the two scales (cosine distance, full-text rank) never need calibrating against each
other; k = 60 (Cormack et al., 2009) flattens the head so one list alone cannot push its first hit above a
document both lists like. Each list contributes its top CANDIDATES after the filters (type, category, price
range, stock) have been applied - in Chroma's `where` for vectors, in the keyword query's SQL for keywords -
so a selective filter can never leave a naive top-k empty. A document whose name, or for a part one of its
options' names, is exactly the query ranks first (exact-match boost); the product family the query names or
implies ranks next (intent.py); among the rest, the products come before the catalog's other documents unless
the query is closer to a document of another type than to any product (type_prior.py).

Every search reads the pointer (one small query) and then only the database and the vector store: no
process keeps an index, so every process answers from the same rows the moment a write commits. Query vectors
are made with the ACTIVE collection's embedding model; when that model is unavailable here, search answers
from keywords alone (status() says a rebuild is needed). The vector half (query embedding, the vector store's
queries) runs in a small thread pool while this thread ranks the keywords in the database (vector_side.py),
which also keeps the last query vectors: the storefront asks the same query again for each page, facet and
sort, and the local model's embedding is the largest CPU cost of a search (bench.search_speed).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from apps.ai_assistant import metrics
from apps.ai_assistant.models import IndexedDocument
from apps.ai_assistant.retrieval import vector_side
from apps.ai_assistant.retrieval.filters import SearchFilters
from apps.ai_assistant.retrieval.intent import family_documents, intended_family
from apps.ai_assistant.retrieval.keyword_search import exact_matches, expand, keyword_ranking
from apps.ai_assistant.retrieval.type_prior import apply_type_prior
from apps.ai_assistant.retrieval.vector_side import CANDIDATES, Snapshot, current_snapshot

__all__ = ["SearchDebug", "SearchFilters", "hybrid_search", "rrf"]

logger = logging.getLogger(__name__)

RRF_K = 60
VECTOR_WEIGHT = 1.0
KEYWORD_WEIGHT = 1.0
EXACT_BOOST = 1.0
FAMILY_BOOST = 0.1  # above any fused RRF score (at most 2 / 61), below the exact-match boost
SNIPPET_CHARS = 240
TIE = 1e-12  # fused scores this close are the same score (floating-point sums of the same fractions)
MAX_CO_BEST = 20  # documents sharing the best fused score that the intent looks at (bounded per search)


def _snippet(text: str) -> str:
    if len(text) <= SNIPPET_CHARS:
        return text
    cut = text.rfind(" ", 0, SNIPPET_CHARS)
    return text[: cut if cut > 0 else SNIPPET_CHARS].rstrip(" ,;:") + "…"


def _price(value: Any) -> str | None:
    if value is None:
        return None
    return str(Decimal(str(value)).quantize(Decimal("0.01")))


def rrf(rankings: list[tuple[list[str], float]], k: int = RRF_K) -> dict[str, float]:
    """Reciprocal Rank Fusion of ranked id lists, each with a weight (see the module docstring)."""
    fused: dict[str, float] = {}
    for ids, weight in rankings:
        for rank, doc_id in enumerate(ids, start=1):
            fused[doc_id] = fused.get(doc_id, 0.0) + weight / (k + rank)
    return fused


@dataclass
class SearchDebug:
    """The separate rankings of the last search (benchmarks and tests compare them with the fused one)."""

    vector: list[str]
    keyword: list[str]
    exact: list[str]
    family: list[str] = field(default_factory=list)
    prior: dict[str, float] = field(default_factory=dict)  # the type penalty taken from each document


def hybrid_search(
    query: str, filters: SearchFilters, limit: int = 10, mode: str = "hybrid", debug: SearchDebug | None = None
) -> list[dict]:
    """Ranked results of the active collection (mode: hybrid, vector or keyword - the last two for benchmarks)."""
    # Any other mode searches like hybrid (below); a fixed label set keeps the metric's series bounded.
    label = mode if mode in ("vector", "keyword") else "hybrid"
    with metrics.SEARCH_LATENCY.labels(mode=label).time():
        return _ranked(query, filters, limit, mode, debug)


def _ranked(query: str, filters: SearchFilters, limit: int, mode: str, debug: SearchDebug | None) -> list[dict]:
    snapshot = current_snapshot()
    if snapshot is None:
        return []
    query = expand(query)  # the shop's synonyms, for both rankings and the intent
    with_intent = mode not in ("vector", "keyword") and filters.category_id is None
    family_docs = family_documents(snapshot.collection) if with_intent else {}
    # The vector half runs beside the keyword half (vector_side.py); it needs no database, this thread does.
    family_ids = list(family_docs) if len(family_docs) >= 2 else []  # one family: no intent to read
    pending = vector_side.start(query, snapshot, filters, family_ids) if mode != "keyword" else None
    keyword_hits: list[tuple[str, float]] = []
    exact: list[str] = []
    if mode != "vector":
        keyword_hits = keyword_ranking(snapshot.collection, query, filters, CANDIDATES)
        exact = exact_matches(snapshot.collection, query, filters)
    vector, vector_hits, family_hits = _vector_half(pending, filters, snapshot)

    vector_ids = [doc_id for doc_id, _ in vector_hits]
    keyword_ids = [doc_id for doc_id, _ in keyword_hits]
    fused = rrf([(vector_ids, VECTOR_WEIGHT), (keyword_ids, KEYWORD_WEIGHT)])
    for doc_id in exact:
        fused[doc_id] = fused.get(doc_id, 0.0) + EXACT_BOOST
    # The ledger rows of every fused document, read once: the intent reads their families, the results
    # their text and facts.
    rows = _ledger_rows(snapshot.collection, list(fused))
    family: list[str] = []
    if with_intent and vector is not None and family_hits is not None:
        best_first = [doc_id for doc_id, _ in sorted(fused.items(), key=lambda item: (-item[1], item[0]))]
        top = fused[best_first[0]] if best_first else 0.0
        co_best = [doc_id for doc_id in best_first[:MAX_CO_BEST] if fused[doc_id] >= top - TIE]
        family_of = {doc_id: metadata.get("category_id") for doc_id, (_, metadata) in rows.items()}
        family = _family_members(family_docs, family_hits, best_first, co_best, family_of)
        for doc_id in family:
            fused[doc_id] += FAMILY_BOOST
    prior: dict[str, float] = {}
    if mode not in ("vector", "keyword") and filters.type is None and vector_hits:
        prior = apply_type_prior(fused, vector_hits)  # products first unless the query is about another type
    if debug is not None:
        debug.vector, debug.keyword, debug.exact, debug.family = vector_ids, keyword_ids, exact, family
        debug.prior = prior
    ranked = sorted(fused.items(), key=lambda item: (-item[1], item[0]))
    return _results(ranked, limit, rows, filters)


def _vector_half(
    pending: vector_side.Pending | None, filters: SearchFilters, snapshot: Snapshot
) -> tuple[list[float] | None, list, list | None]:
    """(query vector, vector hits passing the filters, family documents' distances) of the vector half, joined;
    ([], None) parts when there is no vector (keyword mode, no model here)."""
    if pending is None:
        return None, [], None
    found = pending.result()
    if found.vector is None:
        return None, [], None
    # The filters' check against the keyword rows (and a collection lost meanwhile) need this thread's database.
    return found.vector, _vector_hits(found.vector, filters, snapshot, found.nearest), found.families


def _vector_hits(vector: list[float], filters: SearchFilters, snapshot: Snapshot, nearest: list | None) -> list:
    return vector_side.vector_hits(vector, filters, snapshot, nearest)


def _ledger_rows(collection: str, ids: list[str]) -> dict[str, tuple[str, dict]]:
    """doc_id -> (text, metadata) of these documents' ledger rows (one query; deleted ones are absent)."""
    found = IndexedDocument.objects.filter(collection=collection, doc_id__in=ids).values_list(
        "doc_id", "text", "metadata"
    )
    return {doc_id: (text, metadata) for doc_id, text, metadata in found}


def _family_members(
    family_docs: dict[str, int | None],
    family_hits: list[tuple[str, float]],
    best_first: list[str],
    co_best: list[str],
    family_of: dict[str, int | None],
) -> list[str]:
    """The candidates (fused, best first) of the product family the query intends (intent.py); [] for none.
    `family_of`: each candidate's category id."""
    family = intended_family(family_docs, family_hits, best_first, co_best, family_of)
    if family is None:
        return []
    return sorted(doc_id for doc_id in best_first if family_of.get(doc_id) == family)


def _results(
    ranked: list[tuple[str, float]], limit: int, rows: dict[str, tuple[str, dict]], filters: SearchFilters
) -> list[dict]:
    # Some may have been deleted (absent from `rows`) or changed out of the filters a moment ago.
    results = []
    for doc_id, score in ranked:
        row = rows.get(doc_id)
        if row is None:
            continue  # deleted since it was ranked
        text, facets = row
        if not filters.accepts(facets):
            continue
        results.append(
            {
                "id": doc_id,
                "type": facets.get("type"),
                "object_id": facets.get("object_id"),
                "name": facets.get("name", ""),
                "score": round(score, 6),
                "price": _price(facets.get("price")),
                "in_stock": facets.get("in_stock"),
                "category": facets.get("category"),
                "category_id": facets.get("category_id"),
                "snippet": _snippet(text),
            }
        )
        if len(results) == limit:
            break
    return results
