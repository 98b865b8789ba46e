"""Is the index telling the truth? Compare, document by document, the database with the active collection.

Read-only (the repairs are `IndexService.build_index()`: `reconcile_store` + a full hash-compared pass).
Three sources are compared:

- the database: `documents.iter_all_documents()`, what the index should hold right now;
- the ledger (IndexedDocument rows of the active collection): the content hash it believes is stored;
- the vector store: the ids, metadata and vectors the Chroma collection really holds. A vector is compared
  with the embedding of the document's current text (from the embedding cache, so nothing is re-embedded
  unless the cache lacks it), so a vector of an older text counts as stale even when its metadata is equal.

A document is `missing` when the database has it and the ledger or the store does not, `stale` when both
have it but the ledger's hash or the store's metadata or vector differs, a `ghost` when the ledger or the
store has it and the database does not. All three are empty for an index in sync.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from apps.ai_assistant.indexing import state as index_state
from apps.ai_assistant.indexing.documents.base import Document
from apps.ai_assistant.indexing.documents.registry import iter_all_documents
from apps.ai_assistant.models import IndexChange, IndexedDocument
from apps.ai_assistant.retrieval.embedding_cache import cached_vectors, text_hash
from apps.ai_assistant.retrieval.embeddings import get_embedding_provider
from apps.ai_assistant.retrieval.vector_store import CollectionNotFound, get_vector_store

SAMPLE = 20  # ids listed per problem kind; the counts are complete
MIN_COSINE = 0.9999  # float32 round trips through Chroma; another text's vector is far below this


def _normalized(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6)
    return value


def _same_metadata(stored: dict, expected: dict) -> bool:
    return {k: _normalized(v) for k, v in stored.items()} == {k: _normalized(v) for k, v in expected.items()}


def _cosine(a: list[float], b: list[float]) -> float:
    if len(a) != len(b) or not a:
        return -1.0
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    norm = float(np.linalg.norm(x) * np.linalg.norm(y))
    return float(x @ y) / norm if norm else -1.0


def _expected_vectors(provider_name: str, model: str, docs: dict[str, Document]) -> dict[str, list[float]]:
    """The vector each document's current text must have, by text hash (cache first, then the provider)."""
    provider = get_embedding_provider(provider_name or None, model or None)
    hashes = {text_hash(doc.text): doc.text for doc in docs.values()}
    vectors = cached_vectors(provider, list(hashes))
    missing = [digest for digest in hashes if digest not in vectors]
    if missing:
        # Not written to the cache: a check must not change what it checks.
        for digest, vector in zip(missing, provider.embed([hashes[d] for d in missing]), strict=True):
            vectors[digest] = list(vector)
    return vectors


def check_consistency(collection: str | None = None, *, compare_vectors: bool = True) -> dict[str, Any]:
    """Compare the database with `collection` (default: the active one); see the module docstring.

    Returns counts (`documents`, `ledger`, `vectors`, `missing`, `stale`, `ghosts`, `pending_changes`),
    up to SAMPLE ids of each problem per source in `examples`, and `ok` (no missing, stale or ghost).
    Raises TransientIndexError when the vector store is unreachable.
    """
    state = index_state.get_state()
    collection = collection or state.active_collection
    docs: dict[str, Document] = {}
    for batch in iter_all_documents(1000):
        docs.update((doc.id, doc) for doc in batch)
    ledger = dict(
        IndexedDocument.objects.filter(collection=collection).values_list("doc_id", "content_hash")
    ) if collection else {}
    try:
        stored = get_vector_store().records(collection) if collection else {}
        store_found = bool(collection)
    except CollectionNotFound:
        stored, store_found = {}, False

    problems: dict[str, dict[str, set[str]]] = {
        kind: {"ledger": set(), "store": set()} for kind in ("missing", "stale", "ghosts")
    }
    for doc_id, doc in docs.items():
        if doc_id not in ledger:
            problems["missing"]["ledger"].add(doc_id)
        elif ledger[doc_id] != doc.content_hash:
            problems["stale"]["ledger"].add(doc_id)
        if doc_id not in stored:
            problems["missing"]["store"].add(doc_id)
        elif not _same_metadata(stored[doc_id][0], doc.metadata):
            problems["stale"]["store"].add(doc_id)
    problems["ghosts"]["ledger"] = set(ledger) - set(docs)
    problems["ghosts"]["store"] = set(stored) - set(docs)

    if compare_vectors and stored:
        provider = state.embedding_provider if collection == state.active_collection else ""
        model = state.embedding_model if collection == state.active_collection else ""
        comparable = {doc_id: doc for doc_id, doc in docs.items() if doc_id in stored}
        expected = _expected_vectors(provider, model, comparable)
        for doc_id, doc in comparable.items():
            if _cosine(stored[doc_id][1], expected[text_hash(doc.text)]) < MIN_COSINE:
                problems["stale"]["store"].add(doc_id)

    result: dict[str, Any] = {
        "collection": collection,
        "collection_in_store": store_found,
        "documents": len(docs),
        "ledger": len(ledger),
        "vectors": len(stored),
        "pending_changes": IndexChange.objects.count(),
        "vectors_compared": bool(compare_vectors and stored),
        "examples": {},
    }
    for kind, by_source in problems.items():
        result[kind] = len(by_source["ledger"] | by_source["store"])
        for source, ids in by_source.items():
            result[f"{kind}_in_{source}"] = len(ids)
            if ids:
                result["examples"][f"{kind}_in_{source}"] = sorted(ids)[:SAMPLE]
    result["ok"] = bool(collection) and store_found and not (result["missing"] or result["stale"] or result["ghosts"])
    return result
