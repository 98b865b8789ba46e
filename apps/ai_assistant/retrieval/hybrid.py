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
from keywords alone (status() says a rebuild is needed). The last QUERY_VECTORS query vectors are kept per
provider instance (keyed by query text; a fixed ~0.4 MB whatever the catalog's size, gone with the provider
when the providers are reset): the storefront asks the same query again for each page, facet and sort, and
the local model's embedding is the largest CPU cost of a search (15-20 ms of 45-50 ms at 10k products,
bench.search_speed).
"""

from __future__ import annotations

import logging
import threading
import weakref
from array import array
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from apps.ai_assistant import metrics
from apps.ai_assistant.exceptions import TransientIndexError
from apps.ai_assistant.indexing import state
from apps.ai_assistant.models import IndexedDocument, KeywordRow
from apps.ai_assistant.retrieval.embeddings import EmbeddingProvider, get_embedding_provider
from apps.ai_assistant.retrieval.filters import SearchFilters
from apps.ai_assistant.retrieval.intent import intended_family
from apps.ai_assistant.retrieval.keyword_search import exact_matches, expand, keyword_ranking
from apps.ai_assistant.retrieval.type_prior import apply_type_prior
from apps.ai_assistant.retrieval.vector_store import CollectionNotFound, get_vector_store

__all__ = ["SearchDebug", "SearchFilters", "hybrid_search", "rrf"]

logger = logging.getLogger(__name__)

RRF_K = 60
VECTOR_WEIGHT = 1.0
KEYWORD_WEIGHT = 1.0
CANDIDATES = 50
PREFETCH = 200  # unfiltered neighbours tried before a filtered vector query (see _filtered_query)
MAX_QUERY_IDS = 5000  # the largest id list sent with a query instead of a `where` clause
EXACT_BOOST = 1.0
FAMILY_BOOST = 0.1  # above any fused RRF score (at most 2 / 61), below the exact-match boost
SNIPPET_CHARS = 240
TIE = 1e-12  # fused scores this close are the same score (floating-point sums of the same fractions)
MAX_CO_BEST = 20  # documents sharing the best fused score that the intent looks at (bounded per search)
QUERY_VECTORS = 256  # recent query vectors kept per process (float32: 1.5 KB each at 384 dimensions)

_query_vectors: weakref.WeakKeyDictionary[EmbeddingProvider, OrderedDict[str, array]] = weakref.WeakKeyDictionary()
_query_vectors_lock = threading.Lock()


@dataclass(frozen=True)
class Snapshot:
    """The part of IndexState a search needs."""

    collection: str
    provider: str
    model: str
    version: int


def current_snapshot() -> Snapshot | None:
    row = state.search_pointer()
    return Snapshot(*row) if row else None


def query_provider(snapshot: Snapshot) -> EmbeddingProvider | None:
    """The provider of the active collection's vectors, or None when this process cannot make them."""
    try:
        return get_embedding_provider(snapshot.provider or None, snapshot.model or None)
    except ImproperlyConfigured as exc:
        logger.warning("Search without vectors: %s", exc)
        return None


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
    keyword_hits: list[tuple[str, float]] = []
    exact: list[str] = []
    if mode != "vector":
        keyword_hits = keyword_ranking(snapshot.collection, query, filters, CANDIDATES)
        exact = exact_matches(snapshot.collection, query, filters)
    vector = _query_vector(query, snapshot) if mode != "keyword" else None
    vector_hits = _vector_hits(vector, filters, snapshot) if vector is not None else []

    vector_ids = [doc_id for doc_id, _ in vector_hits]
    keyword_ids = [doc_id for doc_id, _ in keyword_hits]
    fused = rrf([(vector_ids, VECTOR_WEIGHT), (keyword_ids, KEYWORD_WEIGHT)])
    for doc_id in exact:
        fused[doc_id] = fused.get(doc_id, 0.0) + EXACT_BOOST
    # The ledger rows of every fused document, read once: the intent reads their families, the results
    # their text and facts.
    rows = _ledger_rows(snapshot.collection, list(fused))
    family: list[str] = []
    if mode not in ("vector", "keyword") and vector is not None and filters.category_id is None:
        best_first = [doc_id for doc_id, _ in sorted(fused.items(), key=lambda item: (-item[1], item[0]))]
        top = fused[best_first[0]] if best_first else 0.0
        co_best = [doc_id for doc_id in best_first[:MAX_CO_BEST] if fused[doc_id] >= top - TIE]
        family_of = {doc_id: metadata.get("category_id") for doc_id, (_, metadata) in rows.items()}
        family = _family_members(snapshot.collection, vector, best_first, co_best, family_of)
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


def _ledger_rows(collection: str, ids: list[str]) -> dict[str, tuple[str, dict]]:
    """doc_id -> (text, metadata) of these documents' ledger rows (one query; deleted ones are absent)."""
    found = IndexedDocument.objects.filter(collection=collection, doc_id__in=ids).values_list(
        "doc_id", "text", "metadata"
    )
    return {doc_id: (text, metadata) for doc_id, text, metadata in found}


def _family_members(
    collection: str,
    vector: list[float],
    best_first: list[str],
    co_best: list[str],
    family_of: dict[str, int | None],
) -> list[str]:
    """The candidates (fused, best first) of the product family the query intends (intent.py); [] for none.
    `family_of`: each candidate's category id."""
    try:
        family = intended_family(get_vector_store(), collection, vector, best_first, co_best, family_of)
    except CollectionNotFound:
        return []  # switched and dropped meanwhile: rank without the intent this once
    if family is None:
        return []
    return sorted(doc_id for doc_id in best_first if family_of.get(doc_id) == family)


def _query_vector(query: str, snapshot: Snapshot) -> list[float] | None:
    provider = query_provider(snapshot)
    if provider is None:
        return None
    with _query_vectors_lock:
        kept = _query_vectors.setdefault(provider, OrderedDict())
        vector = kept.get(query)
        if vector is not None:
            kept.move_to_end(query)
            return vector.tolist()
    try:
        vector = array("f", provider.embed_one(query))  # float32, as the vector store compares them
    except TransientIndexError as exc:
        logger.warning("Search without vectors: the embedding provider failed: %s", exc)
        return None
    with _query_vectors_lock:
        kept[query] = vector
        while len(kept) > QUERY_VECTORS:
            kept.popitem(last=False)
    return vector.tolist()


def forget_query_vectors() -> None:
    """Drop every kept query vector (benchmarks timing distinct queries; tests)."""
    with _query_vectors_lock:
        _query_vectors.clear()


def _vector_hits(vector: list[float], filters: SearchFilters, snapshot: Snapshot) -> list:
    store = get_vector_store()
    try:
        return _filtered_query(store, snapshot.collection, vector, filters)
    except CollectionNotFound:
        # A rebuild switched collections and dropped the old one between our look at the pointer and now.
        fresh = current_snapshot()
        if fresh is None or fresh.collection == snapshot.collection:
            return []
        if (fresh.provider, fresh.model) != (snapshot.provider, snapshot.model):
            return []
        return store.query(fresh.collection, vector, CANDIDATES, filters.where())


def _filtered_query(store, collection: str, vector: list[float], filters: SearchFilters) -> list:
    """The CANDIDATES nearest documents that pass the filters, by the cheapest exact route.

    Chroma's `where` costs 12-28 ms on 10k documents whatever it matches (an unfiltered query: 2 ms). So:
    1. take the PREFETCH nearest without a filter and keep those the keyword rows say pass: when CANDIDATES
       pass, they are exactly the CANDIDATES nearest passing documents (the usual case for broad filters);
    2. else (a selective filter) list the passing ids from the keyword rows (one indexed query) and restrict
       the vector query to them (about 5 ms for a few hundred ids);
    3. else (too many ids to send) let Chroma apply the `where` clause.
    The filter is always applied before the top k is cut, so it can never starve the list.
    """
    where = filters.where()
    if where is None:
        return store.query(collection, vector, CANDIDATES)
    nearest = store.query(collection, vector, PREFETCH)
    rows = KeywordRow.objects.filter(filters.keyword_q(), collection=collection)
    passing_ids = set(rows.filter(doc_id__in=[doc_id for doc_id, _ in nearest]).values_list("doc_id", flat=True))
    passing = [(doc_id, distance) for doc_id, distance in nearest if doc_id in passing_ids]
    if len(passing) >= CANDIDATES or len(nearest) < PREFETCH:
        return passing[:CANDIDATES]  # the prefetch saw every document there is
    allowed = list(rows.order_by().values_list("doc_id", flat=True)[: MAX_QUERY_IDS + 1])
    if len(allowed) <= MAX_QUERY_IDS:
        return store.query(collection, vector, CANDIDATES, ids=allowed) if allowed else []
    return store.query(collection, vector, CANDIDATES, where)


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
