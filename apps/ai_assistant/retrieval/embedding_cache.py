"""The embedding cache: a text is embedded once per provider and model, whatever collection needs it.

Keyed by (provider, model, sha256(text)); vectors are stored as little-endian float32 bytes. Lookups
and inserts are in bulk, and inserts ignore conflicts, so two processes embedding the same new text at
once both succeed (one row wins, the vectors are the same).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np
from django.conf import settings

from apps.ai_assistant.models import IN_LIST_CHUNK, EmbeddingCache
from apps.ai_assistant.retrieval.embeddings import EmbeddingProvider


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _to_bytes(vector: list[float]) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def _from_bytes(data: bytes | memoryview) -> list[float]:
    return np.frombuffer(bytes(data), dtype="<f4").tolist()


def cached_vectors(provider: EmbeddingProvider, hashes: list[str]) -> dict[str, list[float]]:
    """The cached vectors among `hashes`, by hash."""
    found: dict[str, list[float]] = {}
    unique = sorted(set(hashes))
    for start in range(0, len(unique), IN_LIST_CHUNK):
        rows = EmbeddingCache.objects.filter(
            provider=provider.name, model=provider.model, text_hash__in=unique[start : start + IN_LIST_CHUNK]
        ).values_list("text_hash", "vector")
        for digest, vector in rows:
            found[digest] = _from_bytes(vector)
    return found


def embed_texts(
    provider: EmbeddingProvider,
    texts: list[str],
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[list[float]], int]:
    """Vectors of `texts` in order, and how many distinct texts had to be embedded (cache misses).

    Missing texts go to the provider in batches of AI_INDEX_EMBED_BATCH_SIZE, one `embed` call each;
    `progress(done, total)` is called after each embedded batch (counts of distinct missing texts).
    """
    if not texts:
        return [], 0
    hashes = [text_hash(text) for text in texts]
    vectors = cached_vectors(provider, hashes)
    missing: dict[str, str] = {}
    for digest, text in zip(hashes, texts, strict=True):
        if digest not in vectors:
            missing.setdefault(digest, text)
    items = list(missing.items())
    # One model call per batch of distinct missing texts: a burst costs a pass per batch, not per document.
    batch = settings.AI_INDEX_EMBED_BATCH_SIZE
    for start in range(0, len(items), batch):
        chunk = items[start : start + batch]
        embedded = provider.embed([text for _, text in chunk])
        rows = []
        for (digest, _), vector in zip(chunk, embedded, strict=True):
            vectors[digest] = vector
            rows.append(
                EmbeddingCache(
                    provider=provider.name,
                    model=provider.model,
                    text_hash=digest,
                    dimensions=len(vector),
                    vector=_to_bytes(vector),
                )
            )
        # Stored per batch: a run that dies halfway keeps what it paid for.
        EmbeddingCache.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        if progress:
            progress(min(start + batch, len(items)), len(items))
    return [vectors[digest] for digest in hashes], len(items)
