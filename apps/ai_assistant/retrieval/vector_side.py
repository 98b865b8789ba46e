"""The vector half of a hybrid search, run beside the keyword half: the query's vector and its neighbours.

A search's vector half - the query embedding (the local model: the largest CPU cost of a search) and the
vector store's queries over HTTP - needs nothing from Django's database, and the keyword half is the
database's work. So `start()` hands the vector half to a small thread pool and the request's thread ranks the
keywords meanwhile (torch, the socket waits and SQLite all release the GIL); `VectorSide.result()` joins. The
worker never opens a database connection (a connection is per thread: it would be one more database session
per worker, and in tests another database): what needs the keyword rows - which prefetched neighbours pass
the filters (`vector_hits`), the family documents' ids (read by the caller before `start`) - is done in the
request's thread. The answer is the same as the sequential path's: the same calls with the same arguments,
only in another order (tests/search/test_vector_side.py). When the pool's workers are all busy the half runs
in the request's thread, so a burst of concurrent searches never queues behind one another here.

The last QUERY_VECTORS query vectors are kept per provider instance (keyed by query text; a fixed ~0.4 MB
whatever the catalog's size, gone with the provider when the providers are reset): the storefront asks the
same query again for each page, facet and sort.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from array import array
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

from apps.ai_assistant.exceptions import TransientIndexError
from apps.ai_assistant.indexing import state
from apps.ai_assistant.models import KeywordRow
from apps.ai_assistant.retrieval.embeddings import EmbeddingProvider, get_embedding_provider
from apps.ai_assistant.retrieval.filters import SearchFilters
from apps.ai_assistant.retrieval.vector_store import CollectionNotFound, VectorStore, get_vector_store

logger = logging.getLogger(__name__)

CANDIDATES = 50  # nearest documents each search fuses (hybrid.CANDIDATES is this)
PREFETCH = 200  # unfiltered neighbours tried before a filtered vector query (see filtered_query)
MAX_QUERY_IDS = 5000  # the largest id list sent with a query instead of a `where` clause
QUERY_VECTORS = 256  # recent query vectors kept per process (float32: 1.5 KB each at 384 dimensions)
WORKERS = 4  # searches whose vector half runs beside their keyword half at once, per process

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


def query_vector(query: str, snapshot: Snapshot) -> list[float] | None:
    """The query's vector in the active collection's space (kept for repeats), or None when it cannot be made."""
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


def forget_query_vectors(query: str | None = None) -> None:
    """Drop the kept vector of `query`, or every kept query vector (benchmarks timing the embedding; tests)."""
    with _query_vectors_lock:
        if query is None:
            _query_vectors.clear()
            return
        for kept in _query_vectors.values():
            kept.pop(query, None)


def prefetch(store: VectorStore, collection: str, vector: list[float], filters: SearchFilters) -> list:
    """The neighbours `filtered_query` starts from: CANDIDATES without filters, else the PREFETCH nearest."""
    return store.query(collection, vector, CANDIDATES if filters.where() is None else PREFETCH)


def filtered_query(
    store: VectorStore, collection: str, vector: list[float], filters: SearchFilters, nearest: list | None = None
) -> list:
    """The CANDIDATES nearest documents that pass the filters, by the cheapest exact route.

    Chroma's `where` costs 12-28 ms on 10k documents whatever it matches (an unfiltered query: 2 ms). So:
    1. take the PREFETCH nearest without a filter (`nearest`, when `prefetch` was run already) and keep those
       the keyword rows say pass: when CANDIDATES pass, they are exactly the CANDIDATES nearest passing
       documents (the usual case for broad filters);
    2. else (a selective filter) list the passing ids from the keyword rows (one indexed query) and restrict
       the vector query to them (about 5 ms for a few hundred ids);
    3. else (too many ids to send) let Chroma apply the `where` clause.
    The filter is always applied before the top k is cut, so it can never starve the list.
    """
    if nearest is None:
        nearest = prefetch(store, collection, vector, filters)
    where = filters.where()
    if where is None:
        return nearest
    rows = KeywordRow.objects.filter(filters.keyword_q(), collection=collection)
    passing_ids = set(rows.filter(doc_id__in=[doc_id for doc_id, _ in nearest]).values_list("doc_id", flat=True))
    passing = [(doc_id, distance) for doc_id, distance in nearest if doc_id in passing_ids]
    if len(passing) >= CANDIDATES or len(nearest) < PREFETCH:
        return passing[:CANDIDATES]  # the prefetch saw every document there is
    allowed = list(rows.order_by().values_list("doc_id", flat=True)[: MAX_QUERY_IDS + 1])
    if len(allowed) <= MAX_QUERY_IDS:
        return store.query(collection, vector, CANDIDATES, ids=allowed) if allowed else []
    return store.query(collection, vector, CANDIDATES, where)


def vector_hits(vector: list[float], filters: SearchFilters, snapshot: Snapshot, nearest: list | None = None) -> list:
    """The CANDIDATES nearest documents passing `filters` (from `nearest`, the prefetched neighbours, if given);
    a collection dropped by a rebuild's switch meanwhile is followed to the new one when it has the same model."""
    store = get_vector_store()
    try:
        return filtered_query(store, snapshot.collection, vector, filters, nearest)
    except CollectionNotFound:
        # A rebuild switched collections and dropped the old one between our look at the pointer and now.
        fresh = current_snapshot()
        if fresh is None or fresh.collection == snapshot.collection:
            return []
        if (fresh.provider, fresh.model) != (snapshot.provider, snapshot.model):
            return []
        return store.query(fresh.collection, vector, CANDIDATES, filters.where())


@dataclass
class Neighbours:
    """What the worker found: the query's vector, its prefetched neighbours and the family documents' distances.

    `nearest` is None when the vector store lost the collection (a rebuild's switch): `vector_hits` then asks
    again from the request's thread, which may read the new pointer. `families` is None when not asked or lost.
    """

    vector: list[float] | None
    nearest: list | None = None
    families: list[tuple[str, float]] | None = field(default=None)


def neighbours(query: str, snapshot: Snapshot, filters: SearchFilters, family_ids: list[str]) -> Neighbours:
    """The vector half's work (no database): embed, prefetch, and the family documents' distances (intent)."""
    vector = query_vector(query, snapshot)
    if vector is None:
        return Neighbours(None)
    store = get_vector_store()
    try:
        nearest = prefetch(store, snapshot.collection, vector, filters)
    except CollectionNotFound:
        return Neighbours(vector)
    families = None
    if family_ids:
        try:
            families = family_distances(store, snapshot.collection, vector, family_ids)
        except CollectionNotFound:
            families = None  # switched and dropped meanwhile: rank without the intent this once
    return Neighbours(vector, nearest, families)


def family_distances(store: VectorStore, collection: str, vector: list[float], ids: list[str]) -> list:
    """(doc_id, cosine distance) of the query to each family's own document (intent.py's second evidence)."""
    return store.query(collection, vector, len(ids), ids=ids)


class Pending:
    """The vector half of one search, running in the pool or already done in the caller's thread."""

    def __init__(self, future: Future | None = None, done: Neighbours | None = None) -> None:
        self._future, self._done = future, done

    def result(self) -> Neighbours:
        """The worker's answer; its exception (TransientIndexError: the store is unreachable) is raised here."""
        if self._future is None:
            assert self._done is not None
            return self._done
        return self._future.result()


_pool: ThreadPoolExecutor | None = None
_busy = 0
_pool_lock = threading.Lock()


def _forget_pool() -> None:
    # A forked child (gunicorn, Celery prefork) does not inherit the parent's threads: it starts its own pool.
    global _pool, _busy, _pool_lock
    _pool, _busy, _pool_lock = None, 0, threading.Lock()


os.register_at_fork(after_in_child=_forget_pool)


def _release() -> None:
    global _busy
    with _pool_lock:
        _busy -= 1


def _in_worker(query: str, snapshot: Snapshot, filters: SearchFilters, family_ids: list[str]) -> Neighbours:
    try:
        return neighbours(query, snapshot, filters, family_ids)
    finally:
        _release()  # before the answer is handed over: a caller that has it sees the worker free


def start(query: str, snapshot: Snapshot, filters: SearchFilters, family_ids: list[str]) -> Pending:
    """Begin the vector half of a search in the pool (see the module docstring); `result()` joins."""
    global _pool, _busy
    with _pool_lock:
        free = _busy < WORKERS
        if free:
            if _pool is None:
                _pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="vector-side")
            _busy += 1
            pool = _pool
    if free:
        try:
            return Pending(pool.submit(_in_worker, query, snapshot, filters, family_ids))
        except RuntimeError:  # the interpreter is shutting down: no new threads
            _release()
    return Pending(done=neighbours(query, snapshot, filters, family_ids))
