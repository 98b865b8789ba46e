"""Writes documents into collections: hash compare with the ledger, embed only what changed, vectors first,
ledger second, all under the index write lock (indexing/lock.py).

One call syncs a batch of document ids into every collection that should hold them (the active one and,
while a rebuild runs, the one being built), or into one given collection. It is idempotent: running it
twice, or in two processes at once, leaves the same index.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields

from apps.ai_assistant.indexing.documents.base import Document
from apps.ai_assistant.indexing.documents.registry import build_documents
from apps.ai_assistant.indexing.lock import index_write_lock
from apps.ai_assistant.indexing.state import Target, building_is_live, get_state, mark_updated, write_targets
from apps.ai_assistant.models import IN_LIST_CHUNK, IndexedDocument
from apps.ai_assistant.retrieval.embedding_cache import embed_texts, text_hash
from apps.ai_assistant.retrieval.embeddings import EmbeddingProvider, get_embedding_provider
from apps.ai_assistant.retrieval.vector_store import CollectionNotFound, get_vector_store

logger = logging.getLogger(__name__)

@dataclass
class Counts:
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    embedded: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def provider_for(target: Target) -> EmbeddingProvider:
    return get_embedding_provider(target.provider or None, target.model or None)


def ledger_hashes(collection: str, doc_ids: Iterable[str]) -> dict[str, str]:
    ids = list(doc_ids)
    found: dict[str, str] = {}
    for start in range(0, len(ids), IN_LIST_CHUNK):
        found.update(
            IndexedDocument.objects.filter(
                collection=collection, doc_id__in=ids[start : start + IN_LIST_CHUNK]
            ).values_list("doc_id", "content_hash")
        )
    return found


def collection_metadata(target: Target, dimensions: int) -> dict:
    return {"provider": target.provider, "model": target.model, "dimensions": dimensions, "app": "marcus-shop"}


def ensure_collection(target: Target, reset_ledger: bool = False) -> None:
    """Create the collection in the vector store; `reset_ledger` forgets what the ledger says it held."""
    provider = provider_for(target)
    get_vector_store().create_collection(target.collection, collection_metadata(target, provider.dimensions))
    if reset_ledger:
        IndexedDocument.objects.filter(collection=target.collection).delete()


class IndexWriter:
    """Syncs batches of document ids; `known` carries vectors embedded before the lock, by space and hash."""

    def __init__(self, embed_progress: Callable[[int, int], None] | None = None) -> None:
        self.known: dict[tuple[str, str], dict[str, list[float]]] = {}
        self.embed_progress = embed_progress

    # -- phase 1, no lock: embed what will probably be written, so the lock is held only for writes --
    def _prepare(self, targets: list[Target], docs: dict[str, Document | None]) -> tuple[dict[str, int], bool]:
        """Embed the changed texts into the cache; (embedded per collection, whether anything must be written)."""
        embedded: dict[str, int] = {}
        dirty = False
        present = [doc for doc in docs.values() if doc is not None]
        for target in targets:
            hashes = ledger_hashes(target.collection, docs.keys())
            texts = [doc.text for doc in present if hashes.get(doc.id) != doc.content_hash]
            dirty = dirty or bool(texts) or any(doc is None and doc_id in hashes for doc_id, doc in docs.items())
            if not texts:
                continue
            provider = provider_for(target)
            vectors, count = embed_texts(provider, texts, self.embed_progress)
            space = self.known.setdefault((provider.name, provider.model), {})
            for text, vector in zip(texts, vectors, strict=True):
                space[text_hash(text)] = vector
            embedded[target.collection] = count
        return embedded, dirty

    # -- phase 2, under the lock --
    def _targets_now(self, only: Target | None) -> list[Target]:
        state = get_state()
        if only is None:
            return write_targets(state)
        if only.collection == state.active_collection or (
            only.collection == state.building_collection and building_is_live(state)
        ):
            return [only]
        raise CollectionNotFound(f"{only.collection} is neither active nor being built any more")

    def _vectors(self, target: Target, docs: list[Document]) -> tuple[list[list[float]], int]:
        provider = provider_for(target)
        space = self.known.get((provider.name, provider.model), {})
        vectors: list[list[float] | None] = [space.get(text_hash(doc.text)) for doc in docs]
        missing = [i for i, vector in enumerate(vectors) if vector is None]
        embedded = 0
        if missing:
            fresh, embedded = embed_texts(provider, [docs[i].text for i in missing])
            for i, vector in zip(missing, fresh, strict=True):
                vectors[i] = vector
        return vectors, embedded  # type: ignore[return-value]

    def _write(self, target: Target, docs: dict[str, Document | None]) -> Counts:
        counts = Counts()
        existing = ledger_hashes(target.collection, docs.keys())
        upserts = []
        for doc in docs.values():
            if doc is None:
                continue
            if existing.get(doc.id) == doc.content_hash:
                counts.unchanged += 1
            else:
                upserts.append(doc)
                if doc.id in existing:
                    counts.updated += 1
                else:
                    counts.added += 1
        # Deleting ids the ledger does not know is harmless and clears vectors of a writer that died
        # between its vector write and its ledger write.
        deletes = [doc_id for doc_id, doc in docs.items() if doc is None]
        counts.deleted = sum(1 for doc_id in deletes if doc_id in existing)
        store = get_vector_store()
        if upserts:
            vectors, counts.embedded = self._vectors(target, upserts)
            store.upsert(target.collection, [d.id for d in upserts], vectors, [d.metadata for d in upserts])
            IndexedDocument.objects.bulk_create(
                [
                    IndexedDocument(
                        collection=target.collection,
                        doc_id=doc.id,
                        doc_type=doc.type,
                        object_id=doc.object_id,
                        text=doc.text,
                        metadata=doc.metadata,
                        content_hash=doc.content_hash,
                    )
                    for doc in upserts
                ],
                update_conflicts=True,
                unique_fields=["collection", "doc_id"],
                update_fields=["doc_type", "object_id", "text", "metadata", "content_hash", "indexed_at"],
                batch_size=500,
            )
        if deletes:
            store.delete(target.collection, deletes)
            for start in range(0, len(deletes), IN_LIST_CHUNK):
                IndexedDocument.objects.filter(
                    collection=target.collection, doc_id__in=deletes[start : start + IN_LIST_CHUNK]
                ).delete()
        if upserts or counts.deleted:
            mark_updated(target.collection)
        return counts

    def sync(
        self,
        doc_ids: Iterable[str],
        *,
        only: Target | None = None,
        prebuilt: dict[str, Document | None] | None = None,
        reread: bool = True,
    ) -> dict[str, Counts]:
        """Sync `doc_ids` into `only`, or into every collection that should hold them; counts per collection.

        `reread=False` writes `prebuilt` as it is, without reading the rows again inside the lock: only for
        a rebuild filling its new collection, whose re-sync after the switch corrects anything a concurrent
        writer made newer meanwhile (vector and ledger still change together, so the hash compare sees it).
        """
        ids = sorted(set(doc_ids))
        if not ids:
            return {}
        targets = [only] if only else write_targets(get_state())
        docs = prebuilt if prebuilt is not None else build_documents(ids)
        embedded_before, dirty = self._prepare(targets, docs)
        if not dirty:
            # Every collection already holds these documents as read. A change committed after that read
            # has outbox rows of its own, so skipping the locked pass loses nothing.
            present = sum(doc is not None for doc in docs.values())
            return {target.collection: Counts(unchanged=present) for target in targets}
        result: dict[str, Counts] = {}
        with index_write_lock():
            # Re-read the rows inside the lock: a writer that waited must not write what it read before.
            if reread or prebuilt is None:
                docs = build_documents(ids)
            for target in self._targets_now(only):
                try:
                    counts = self._write(target, docs)
                except CollectionNotFound:
                    # The store lost a collection the pointer names (server data wiped): start it again.
                    logger.warning("Collection %s is missing from the vector store; recreating it", target.collection)
                    ensure_collection(target, reset_ledger=True)
                    counts = self._write(target, docs)
                result[target.collection] = counts
        for collection, counts in result.items():
            counts.embedded += embedded_before.get(collection, 0)
        return result
