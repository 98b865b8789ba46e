"""Hybrid search over the active collection: vector similarity + BM25 keywords, fused by Reciprocal Rank Fusion.

    score(d) = sum over rankings r of  w_r / (RRF_K + rank_r(d)),   RRF_K = 60, ranks from 1

RRF uses ranks only, so the two scales (cosine distance, BM25 score) never need calibrating against each
other; k = 60 (Cormack et al., 2009) flattens the head so one list alone cannot push its first hit above
a document both lists like. Each list contributes its top CANDIDATES after the filters (type, category,
price range, stock) have been applied - in Chroma's `where` for vectors, in memory for keywords - so a
selective filter can never leave a naive top-k empty. A document whose name, or for a part one of its
options' names, is exactly the query ranks first (exact-match boost).

The keyword index lives in this process and follows the ledger: at most every REFRESH_SECONDS a search
reads the pointer and version stamp of IndexState (one small query) and, when they moved, applies only the
ledger rows whose hash changed. Query vectors are made with the ACTIVE collection's embedding model; when
that model is unavailable here, search answers from keywords alone (status() says a rebuild is needed).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from apps.ai_assistant import metrics
from apps.ai_assistant.exceptions import TransientIndexError
from apps.ai_assistant.indexing import state
from apps.ai_assistant.models import IN_LIST_CHUNK, IndexedDocument
from apps.ai_assistant.retrieval.embeddings import EmbeddingProvider, get_embedding_provider
from apps.ai_assistant.retrieval.keyword import KeywordIndex
from apps.ai_assistant.retrieval.vector_store import CollectionNotFound, get_vector_store

logger = logging.getLogger(__name__)

RRF_K = 60
VECTOR_WEIGHT = 1.0
KEYWORD_WEIGHT = 1.0
CANDIDATES = 50
PREFETCH = 200  # unfiltered neighbours tried before a filtered vector query (see _filtered_query)
MAX_QUERY_IDS = 5000  # the largest id list sent with a query instead of a `where` clause
EXACT_BOOST = 1.0
REFRESH_SECONDS = 0.5
SNIPPET_CHARS = 240


@dataclass(frozen=True)
class SearchFilters:
    """Filters applied before the top k is cut. A price or stock filter keeps only documents that have one."""

    type: str | None = None
    category_id: int | None = None
    min_price: float | None = None
    max_price: float | None = None
    in_stock: bool | None = None

    def where(self) -> dict | None:
        """The Chroma `where` clause of these filters."""
        clauses: list[dict] = []
        if self.type:
            clauses.append({"type": self.type})
        if self.category_id is not None:
            clauses.append({"category_id": self.category_id})
        if self.min_price is not None:
            clauses.append({"price": {"$gte": self.min_price}})
        if self.max_price is not None:
            clauses.append({"price": {"$lte": self.max_price}})
        if self.in_stock is not None:
            clauses.append({"in_stock": self.in_stock})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def accepts(self, facets: dict[str, Any]) -> bool:
        """The same filters, in memory, over an entry's facets."""
        if self.type and facets.get("type") != self.type:
            return False
        if self.category_id is not None and facets.get("category_id") != self.category_id:
            return False
        if self.min_price is not None or self.max_price is not None:
            price = facets.get("price")
            if price is None:
                return False
            if self.min_price is not None and price < self.min_price:
                return False
            if self.max_price is not None and price > self.max_price:
                return False
        return self.in_stock is None or facets.get("in_stock") is self.in_stock

    def equalities(self) -> dict[str, Any]:
        """The equality filters, by facet name."""
        equal = {"type": self.type, "category_id": self.category_id, "in_stock": self.in_stock}
        return {facet: value for facet, value in equal.items() if value is not None}

    @property
    def empty(self) -> bool:
        return self.where() is None


@dataclass(frozen=True)
class Snapshot:
    """The part of IndexState a search needs."""

    collection: str
    provider: str
    model: str
    version: int


class KeywordIndexCache:
    """This process's keyword index of the active collection, refreshed from the ledger when it changes."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.index = KeywordIndex()
        self.snapshot: Snapshot | None = None
        self.checked_at = 0.0

    def current(self, force: bool = False) -> tuple[KeywordIndex, Snapshot | None]:
        """The index and the state it reflects; call with `self.lock` held."""
        now = time.monotonic()
        if not force and self.snapshot is not None and now - self.checked_at < REFRESH_SECONDS:
            return self.index, self.snapshot
        row = state.search_pointer()
        snapshot = Snapshot(*row) if row else None
        if snapshot != self.snapshot:
            if snapshot is None:
                self.index = KeywordIndex()
            else:
                if self.snapshot is None or self.snapshot.collection != snapshot.collection:
                    self.index = KeywordIndex()
                self._sync(self.index, snapshot.collection)
            self.snapshot = snapshot
        self.checked_at = now
        return self.index, self.snapshot

    @staticmethod
    def _sync(index: KeywordIndex, collection: str) -> None:
        """Apply the ledger's changes since the last look: drop vanished ids, (re)load changed ones."""
        ledger = IndexedDocument.objects.filter(collection=collection)
        current = dict(ledger.values_list("doc_id", "content_hash").iterator(chunk_size=5000))
        for doc_id in [doc_id for doc_id in index.ids() if doc_id not in current]:
            index.remove(doc_id)
        changed = [
            doc_id
            for doc_id, digest in current.items()
            if (entry := index.get(doc_id)) is None or entry.content_hash != digest
        ]
        if not changed:
            return
        fields = ("doc_id", "content_hash", "text", "metadata")
        if len(changed) > len(current) // 4:
            rows: Iterable = ledger.values_list(*fields).iterator(chunk_size=2000)
            wanted = set(changed)
            rows = (row for row in rows if row[0] in wanted)
            for doc_id, digest, text, metadata in rows:
                index.put(doc_id, digest, text, metadata)
            return
        for start in range(0, len(changed), IN_LIST_CHUNK):
            chunk = changed[start : start + IN_LIST_CHUNK]
            for doc_id, digest, text, metadata in ledger.filter(doc_id__in=chunk).values_list(
                *fields
            ):
                index.put(doc_id, digest, text, metadata)


_cache = KeywordIndexCache()


def mark_search_cache_stale(**kwargs) -> None:
    """This process just changed the ledger or the pointer: its next search re-reads them at once."""
    _cache.checked_at = 0.0


state.pointer_moved.connect(mark_search_cache_stale, dispatch_uid="search_cache_stale")


def reset_search_cache() -> None:
    """Forget this process's keyword index (tests that switch databases or collections)."""
    global _cache
    _cache = KeywordIndexCache()


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
    """The separate rankings of the last search (benchmarks compare them with the fused one)."""

    vector: list[str]
    keyword: list[str]
    exact: list[str]


def hybrid_search(
    query: str, filters: SearchFilters, limit: int = 10, mode: str = "hybrid", debug: SearchDebug | None = None
) -> list[dict]:
    """Ranked results of the active collection (mode: hybrid, vector or keyword - the last two for benchmarks)."""
    # Any other mode searches like hybrid (below); a fixed label set keeps the metric's series bounded.
    label = mode if mode in ("vector", "keyword") else "hybrid"
    with metrics.SEARCH_LATENCY.labels(mode=label).time():
        return _ranked(query, filters, limit, mode, debug)


def _ranked(query: str, filters: SearchFilters, limit: int, mode: str, debug: SearchDebug | None) -> list[dict]:
    cache = _cache
    with cache.lock:
        index, snapshot = cache.current()
        if snapshot is None:
            return []
        keyword_hits: list[tuple[str, float]] = []
        exact: list[str] = []
        if mode != "vector":
            accept = None if filters.empty else (lambda entry: filters.accepts(entry.facets))
            keyword_hits = index.search(query, CANDIDATES, accept, within=index.narrowest(filters.equalities()))
            exact = sorted(doc_id for doc_id in index.exact_matches(query) if filters.accepts(index.get(doc_id).facets))
    vector_hits = _vector_hits(query, filters, snapshot, cache) if mode != "keyword" else []

    vector_ids = [doc_id for doc_id, _ in vector_hits]
    keyword_ids = [doc_id for doc_id, _ in keyword_hits]
    if debug is not None:
        debug.vector, debug.keyword, debug.exact = vector_ids, keyword_ids, exact
    fused = rrf([(vector_ids, VECTOR_WEIGHT), (keyword_ids, KEYWORD_WEIGHT)])
    for doc_id in exact:
        fused[doc_id] = fused.get(doc_id, 0.0) + EXACT_BOOST
    ranked = sorted(fused.items(), key=lambda item: (-item[1], item[0]))
    return _results(ranked, limit, snapshot, cache, filters)


def _vector_hits(query: str, filters: SearchFilters, snapshot: Snapshot, cache: KeywordIndexCache) -> list:
    provider = query_provider(snapshot)
    if provider is None:
        return []
    try:
        vector = provider.embed_one(query)
    except TransientIndexError as exc:
        logger.warning("Search without vectors: the embedding provider failed: %s", exc)
        return []
    store = get_vector_store()
    try:
        return _filtered_query(store, snapshot.collection, vector, filters, cache)
    except CollectionNotFound:
        # A rebuild switched collections and dropped the old one between our look at the pointer and now.
        with cache.lock:
            _, fresh = cache.current(force=True)
        if fresh is None or fresh.collection == snapshot.collection:
            return []
        if (fresh.provider, fresh.model) != (snapshot.provider, snapshot.model):
            return []
        return store.query(fresh.collection, vector, CANDIDATES, filters.where())


def _filtered_query(store, collection: str, vector: list[float], filters: SearchFilters, cache) -> list:
    """The CANDIDATES nearest documents that pass the filters, by the cheapest exact route.

    Chroma's `where` costs 12-28 ms on 10k documents whatever it matches (an unfiltered query: 2 ms). So:
    1. take the PREFETCH nearest without a filter and filter them in memory: when CANDIDATES pass, they are
       exactly the CANDIDATES nearest passing documents (the usual case for broad filters);
    2. else (a selective filter) list the passing ids from the in-memory facets and restrict the query to
       them (about 5 ms for a few hundred ids);
    3. else (too many ids to send) let Chroma apply the `where` clause.
    The filter is always applied before the top k is cut, so it can never starve the list.
    """
    where = filters.where()
    if where is None:
        return store.query(collection, vector, CANDIDATES)
    nearest = store.query(collection, vector, PREFETCH)
    accept = lambda entry: filters.accepts(entry.facets)  # noqa: E731
    with cache.lock:
        index = cache.index
        passing = [(doc_id, d) for doc_id, d in nearest if (e := index.get(doc_id)) is not None and accept(e)]
        if len(passing) >= CANDIDATES or len(nearest) < PREFETCH:
            return passing[:CANDIDATES]  # the prefetch saw every document there is
        allowed = index.matching(filters.equalities(), accept)
    if len(allowed) <= MAX_QUERY_IDS:
        return store.query(collection, vector, CANDIDATES, ids=allowed)
    return store.query(collection, vector, CANDIDATES, where)


def _results(
    ranked: list[tuple[str, float]], limit: int, snapshot: Snapshot, cache: KeywordIndexCache, filters: SearchFilters
) -> list[dict]:
    # A few more than asked: some may have been deleted or changed out of the filters a moment ago.
    picked = ranked[: limit * 2]
    ids = [doc_id for doc_id, _ in picked]
    rows = {
        doc_id: (text, metadata)
        for doc_id, text, metadata in IndexedDocument.objects.filter(
            collection__in={snapshot.collection, cache.snapshot.collection if cache.snapshot else ""}, doc_id__in=ids
        ).values_list("doc_id", "text", "metadata")
    }
    results = []
    for doc_id, score in picked:
        row = rows.get(doc_id)
        if row is None:
            continue  # deleted since it was ranked
        # The ledger row is fresher than the in-memory facets (refreshed every REFRESH_SECONDS): show it.
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


def keyword_index_size() -> int:
    return len(_cache.index)


def default_provider_matches(snapshot: Snapshot | None) -> bool:
    """Whether settings choose the provider/model the active collection was built with."""
    if snapshot is None:
        return True
    try:
        configured = get_embedding_provider()
    except ImproperlyConfigured:
        return False
    return (configured.name, configured.model) == (snapshot.provider, snapshot.model)
