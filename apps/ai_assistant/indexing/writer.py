"""Writes documents into collections: hash compare with the ledger, embed only what changed, vectors first,
ledger second, all under the index write lock (indexing/lock.py).

Two hashes per document decide what a write costs: a new text hash embeds the text (once, in batches of
AI_INDEX_EMBED_BATCH_SIZE, through the embedding cache) and upserts vector and metadata; an equal text hash
with a new metadata hash (a price or stock change) only updates the metadata in the vector store and the
ledger, embedding nothing.

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
    """What a sync did; `metadata_only` counts the `updated` documents whose vector stayed as it was."""

    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    embedded: int = 0
    metadata_only: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def provider_for(target: Target) -> EmbeddingProvider:
    return get_embedding_provider(target.provider or None, target.model or None)


@dataclass(frozen=True)
class LedgerRow:
    """What the ledger says a collection holds for one document."""

    content_hash: str
    text_hash: str
    metadata: dict


def ledger_rows(collection: str, doc_ids: Iterable[str]) -> dict[str, LedgerRow]:
    ids = list(doc_ids)
    found: dict[str, LedgerRow] = {}
    for start in range(0, len(ids), IN_LIST_CHUNK):
        rows = IndexedDocument.objects.filter(
            collection=collection, doc_id__in=ids[start : start + IN_LIST_CHUNK]
        ).values_list("doc_id", "content_hash", "text_hash", "metadata")
        for doc_id, digest, text_digest, metadata in rows:
            found[doc_id] = LedgerRow(digest, text_digest, metadata or {})
    return found


def needs_vector(doc: Document, row: LedgerRow | None) -> bool:
    """Whether writing `doc` needs its text embedded: it is new, or its text is not the one the vector is of."""
    return row is None or row.text_hash != doc.text_hash


def store_metadata(doc: Document, row: LedgerRow | None) -> dict:
    """The metadata to send: the document's, plus None for keys the stored one has and it lost (the store
    merges metadata, and None removes a key)."""
    if row is None:
        return doc.metadata
    return {**{key: None for key in row.metadata if key not in doc.metadata}, **doc.metadata}


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
            rows = ledger_rows(target.collection, docs.keys())
            changed = [doc for doc in present if doc.id not in rows or rows[doc.id].content_hash != doc.content_hash]
            texts = [doc.text for doc in changed if needs_vector(doc, rows.get(doc.id))]
            dirty = dirty or bool(changed) or any(doc is None and doc_id in rows for doc_id, doc in docs.items())
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
        existing = ledger_rows(target.collection, docs.keys())
        upserts: list[Document] = []  # new text: embed, write vector and metadata
        relabels: list[Document] = []  # same text, new metadata: write the metadata alone
        for doc in docs.values():
            if doc is None:
                continue
            row = existing.get(doc.id)
            if row is not None and row.content_hash == doc.content_hash:
                counts.unchanged += 1
                continue
            (upserts if needs_vector(doc, row) else relabels).append(doc)
            if row is None:
                counts.added += 1
            else:
                counts.updated += 1
        counts.metadata_only = len(relabels)
        # Deleting ids the ledger does not know is harmless and clears vectors of a writer that died
        # between its vector write and its ledger write.
        deletes = [doc_id for doc_id, doc in docs.items() if doc is None]
        counts.deleted = sum(1 for doc_id in deletes if doc_id in existing)
        store = get_vector_store()
        if upserts:
            vectors, counts.embedded = self._vectors(target, upserts)
            metadatas = [store_metadata(d, existing.get(d.id)) for d in upserts]
            store.upsert(target.collection, [d.id for d in upserts], vectors, metadatas)
        if relabels:
            metadatas = [store_metadata(d, existing.get(d.id)) for d in relabels]
            store.update_metadata(target.collection, [d.id for d in relabels], metadatas)
        if upserts or relabels:
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
                        text_hash=doc.text_hash,
                        metadata_hash=doc.metadata_hash,
                    )
                    for doc in [*upserts, *relabels]
                ],
                update_conflicts=True,
                unique_fields=["collection", "doc_id"],
                update_fields=[
                    "doc_type",
                    "object_id",
                    "text",
                    "metadata",
                    "content_hash",
                    "text_hash",
                    "metadata_hash",
                    "indexed_at",
                ],
                batch_size=500,
            )
        if deletes:
            store.delete(target.collection, deletes)
            for start in range(0, len(deletes), IN_LIST_CHUNK):
                IndexedDocument.objects.filter(
                    collection=target.collection, doc_id__in=deletes[start : start + IN_LIST_CHUNK]
                ).delete()
        if upserts or relabels or counts.deleted:
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
