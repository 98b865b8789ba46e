"""Writes documents into collections: hash compare with the ledger, embed only what changed, vectors first,
ledger second with each row's keyword row (retrieval/keyword_rows.py: the database's full-text search reads
them), all under the index write lock (indexing/lock.py).

Two hashes per document decide what a write costs: a new text hash embeds the text (once, in batches of
AI_INDEX_EMBED_BATCH_SIZE, through the embedding cache) and upserts vector and metadata; an equal text hash
with a new metadata hash (a price or stock change) only updates the metadata in the vector store, the
metadata columns of the ledger and the fact columns of the keyword row (retrieval/keyword_rows.py), embedding
nothing and leaving the keyword row's words, full-text index and vocabulary as they are.

A sync reads the catalog rows UNDER the lock, so the last writer always holds the newest rows, and writes
at once everything that needs no new vector (facts changed, deletions, texts whose vector the embedding
cache already has). Only documents whose new text has no vector yet wait: their texts are embedded outside
the lock, then they are read again under it and written (`_Pass`). So a price change on an option used by
thousands of products reads each product once; a description change reads it twice, as the slow embedding
must not hold the lock. A pass takes the lock LOCK_CHUNK documents at a time, so a large write takes turns with
the small ones.

While edits keep arriving, the debounced flush writes ahead what costs no embedding, and the keyword rows of
new texts (`sync_without_embedding`): such a keyword row is the one place where the index runs ahead of the
ledger, until the flush that embeds the text; a keyword row left ahead of a text that was changed back is
rewritten when its outbox row comes through (`_write`, unchanged documents).

One call syncs a batch of document ids into every collection that should hold them (the active one and,
while a rebuild runs, the one being built), or into one given collection. It is idempotent: running it
twice, or in two processes at once, leaves the same index.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields

from apps.ai_assistant.indexing.documents.base import Document
from apps.ai_assistant.indexing.documents.registry import build_documents
from apps.ai_assistant.indexing.ledger import (
    FACT_COLUMNS,
    TEXT_COLUMNS,
    compare,
    ledger_rows,
    needs_vector,
    store_metadata,
    write_ledger,
)
from apps.ai_assistant.indexing.lock import index_write_lock
from apps.ai_assistant.indexing.state import Target, building_is_live, get_state, mark_updated, write_targets
from apps.ai_assistant.models import IN_LIST_CHUNK, IndexedDocument
from apps.ai_assistant.retrieval.embedding_cache import cached_vectors, embed_texts, text_hash
from apps.ai_assistant.retrieval.embeddings import EmbeddingProvider, get_embedding_provider
from apps.ai_assistant.retrieval.keyword_rows import (
    forget_vocabulary,
    keeps_keyword_text,
    keyword_snapshot,
    outdated_keyword_docs,
    rewrite_unchanged,
    update_keyword_facts,
    write_keyword_rows,
)
from apps.ai_assistant.retrieval.vector_store import CollectionNotFound, get_vector_store

logger = logging.getLogger(__name__)

# Documents written per hold of the index write lock: a large write (a flush of thousands of documents, a
# fan-out) takes turns with the others instead of holding them all off (the write-ahead passes that make an edit
# searchable within the debounce waited out whole flushes: 2-4 s under the chaos writes of bench.hosts).
LOCK_CHUNK = 100


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


def collection_metadata(target: Target, dimensions: int) -> dict:
    return {"provider": target.provider, "model": target.model, "dimensions": dimensions, "app": "marcus-shop"}


def ensure_collection(target: Target, reset_ledger: bool = False) -> None:
    """Create the collection in the vector store; `reset_ledger` forgets what the ledger says it held."""
    provider = provider_for(target)
    get_vector_store().create_collection(target.collection, collection_metadata(target, provider.dimensions))
    if reset_ledger:
        # Its keyword rows go with the ledger rows: the database cascades the delete (migration 0007).
        IndexedDocument.objects.filter(collection=target.collection).delete()
    # The keyword vocabulary of collections dropped since (the old collection of the last rebuild) goes now.
    state = get_state()
    forget_vocabulary({state.active_collection, state.building_collection, target.collection} - {""})


@dataclass
class _Pass:
    """One pass under the lock: the counts per collection, and the documents left for after embedding."""

    counts: dict[str, Counts] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    waiting: dict[str, dict[str, Document]] = field(default_factory=dict)  # per collection, by id

    def waiting_ids(self) -> list[str]:
        return sorted({doc_id for docs in self.waiting.values() for doc_id in docs})


class IndexWriter:
    """Syncs batches of document ids; `known` holds the vectors this writer has at hand, by space and hash."""

    def __init__(self, embed_progress: Callable[[int, int], None] | None = None) -> None:
        self.known: dict[tuple[str, str], dict[str, list[float]]] = {}
        self.embed_progress = embed_progress

    def _space(self, target: Target) -> dict[str, list[float]]:
        provider = provider_for(target)
        return self.known.setdefault((provider.name, provider.model), {})

    def _embed_missing(self, target: Target, docs: list[Document]) -> int:
        """Put the vectors of these documents' texts into `known` (outside the lock): from the embedding cache,
        or embedded now; returns the texts embedded."""
        self._vectors_at_hand(target, docs)
        space = self._space(target)
        texts = list({doc.text_hash: doc.text for doc in docs if doc.text_hash not in space}.values())
        if not texts:
            return 0
        vectors, count = embed_texts(provider_for(target), texts, self.embed_progress)
        for text, vector in zip(texts, vectors, strict=True):
            space[text_hash(text)] = vector
        return count

    def _vectors_at_hand(self, target: Target, docs: list[Document]) -> None:
        """Add to `known` the vectors of these documents' texts that the embedding cache already has."""
        space = self._space(target)
        wanted = [doc.text_hash for doc in docs if doc.text_hash not in space]
        if wanted:
            space.update(cached_vectors(provider_for(target), wanted))

    def _vectors(self, target: Target, docs: list[Document]) -> tuple[list[list[float]], int]:
        """Vectors of the documents' texts: at hand, or embedded now (a text changed since it was embedded)."""
        space = self._space(target)
        missing = [doc.text for doc in docs if doc.text_hash not in space]
        embedded = 0
        if missing:
            vectors, embedded = embed_texts(provider_for(target), missing)
            for text, vector in zip(missing, vectors, strict=True):
                space[text_hash(text)] = vector
        return [space[doc.text_hash] for doc in docs], embedded

    # -- under the lock --
    def _targets_now(self, only: Target | None) -> list[Target]:
        state = get_state()
        if only is None:
            return write_targets(state)
        if only.collection == state.active_collection or (
            only.collection == state.building_collection and building_is_live(state)
        ):
            return [only]
        raise CollectionNotFound(f"{only.collection} is neither active nor being built any more")

    def _write(
        self, target: Target, docs: dict[str, Document | None], *, wait: bool, keywords_ahead: bool = False
    ) -> tuple[Counts, dict[str, Document]]:
        """Write `docs` into `target`; with `wait`, documents whose new text has no vector at hand are not
        written but returned (to embed outside the lock), else they are embedded here. `keywords_ahead`
        writes the keyword rows of those waiting documents now (see `sync_without_embedding`)."""
        counts = Counts()
        existing = ledger_rows(target.collection, docs.keys())
        upserts: list[Document] = []  # new text: write vector and metadata
        relabels: list[Document] = []  # same text, new metadata: write the metadata alone
        unchanged: list[Document] = []
        for doc in docs.values():
            if doc is None:
                continue
            row = existing.get(doc.id)
            if row is not None and row.content_hash == doc.content_hash:
                unchanged.append(doc)
            else:
                (upserts if needs_vector(doc, row) else relabels).append(doc)
        counts.unchanged = len(unchanged)
        if unchanged:
            # A keyword row written ahead of a text that was then changed back holds words the document no
            # longer has; its outbox row brings it here, where the ledger alone would call it unchanged.
            write_keyword_rows(target.collection, outdated_keyword_docs(target.collection, unchanged))
        waiting: dict[str, Document] = {}
        if upserts:
            self._vectors_at_hand(target, upserts)
            if wait:
                space = self._space(target)
                waiting = {doc.id: doc for doc in upserts if doc.text_hash not in space}
                upserts = [doc for doc in upserts if doc.id not in waiting]
        if keywords_ahead and waiting:
            # A changed text keeps serving its old vector until the flush embeds the new one; its words go
            # ahead now. A new document has neither a vector to serve meanwhile nor a ledger row for a keyword
            # row to hang on: it stays waiting, to be embedded now, as its first flush would.
            changed = [doc for doc in waiting.values() if doc.id in existing]
            write_keyword_rows(target.collection, outdated_keyword_docs(target.collection, changed))
            waiting = {doc_id: doc for doc_id, doc in waiting.items() if doc_id not in existing}
        counts.added = sum(1 for doc in [*upserts, *relabels] if doc.id not in existing)
        counts.updated = len(upserts) + len(relabels) - counts.added
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
            write_ledger(target.collection, upserts, TEXT_COLUMNS + FACT_COLUMNS)
        if relabels:
            metadatas = [store_metadata(d, existing[d.id]) for d in relabels]
            store.update_metadata(target.collection, [d.id for d in relabels], metadatas)
            write_ledger(target.collection, relabels, FACT_COLUMNS)
        # The keyword rows in the same write, so every process searches them as soon as this commits. A change
        # of facts alone (price, stock) rewrites only their fact columns: its words, full-text index and
        # vocabulary stay as they are.
        facts_only = {doc.id for doc in relabels if keeps_keyword_text(doc, existing[doc.id].metadata)}
        write_keyword_rows(target.collection, [*upserts, *(doc for doc in relabels if doc.id not in facts_only)])
        update_keyword_facts(target.collection, [doc for doc in relabels if doc.id in facts_only])
        if deletes:
            # Each ledger row's delete deletes its keyword row (the database cascades it: migration 0007).
            store.delete(target.collection, deletes)
            for start in range(0, len(deletes), IN_LIST_CHUNK):
                IndexedDocument.objects.filter(
                    collection=target.collection, doc_id__in=deletes[start : start + IN_LIST_CHUNK]
                ).delete()
        if upserts or relabels or counts.deleted:
            mark_updated(target.collection)
        return counts, waiting

    def _locked_pass(
        self,
        ids: list[str],
        only: Target | None,
        *,
        prebuilt: dict[str, Document | None] | None,
        wait: bool,
        keywords_ahead: bool = False,
    ) -> _Pass:
        """Under the lock: read `ids` (unless `prebuilt`) and write them into every target now, LOCK_CHUNK
        documents per hold of the lock."""
        result = _Pass()
        for start in range(0, len(ids), LOCK_CHUNK):
            chunk = ids[start : start + LOCK_CHUNK]
            with index_write_lock():
                # Read the rows inside the lock: a writer that waited must not write what it read before.
                docs = (
                    {doc_id: prebuilt[doc_id] for doc_id in chunk} if prebuilt is not None else build_documents(chunk)
                )
                result.targets = self._targets_now(only)
                for target in result.targets:
                    counts, waiting = self._write_target(target, docs, wait=wait, keywords_ahead=keywords_ahead)
                    result.counts[target.collection] = result.counts.get(target.collection, Counts())
                    result.counts[target.collection] += counts
                    if waiting:
                        result.waiting.setdefault(target.collection, {}).update(waiting)
        return result

    def _write_target(
        self, target: Target, docs: dict[str, Document | None], *, wait: bool, keywords_ahead: bool
    ) -> tuple[Counts, dict[str, Document]]:
        try:
            return self._write(target, docs, wait=wait, keywords_ahead=keywords_ahead)
        except CollectionNotFound:
            # The store lost a collection the pointer names (server data wiped): start it again.
            logger.warning("Collection %s is missing from the vector store; recreating it", target.collection)
            ensure_collection(target, reset_ledger=True)
            return self._write(target, docs, wait=wait, keywords_ahead=keywords_ahead)

    def sync_without_embedding(self, doc_ids: Iterable[str]) -> dict[str, Counts]:
        """Write now everything of `doc_ids` that costs no embedding (facts, deletions, texts whose vector the
        embedding cache has), and the keyword rows of the documents whose new text still needs one: their
        words are searchable at once, while their vector and ledger row wait for the flush that embeds them.
        New documents are written in full: each costs its one embedding now instead of at the flush.

        The debounced flush calls this while changes are still arriving (indexing/outbox.py), so under edits
        that never stop a change is found by its words and filters within the debounce, and its text is still
        embedded once, when the edits stop. The outbox rows stay: that flush reads the documents again.
        """
        ids = sorted(set(doc_ids))
        if not ids:
            return {}
        first = self._locked_pass(ids, None, prebuilt=None, wait=True, keywords_ahead=True)
        return self._write_waiting(first, None, first.counts)

    def write_keywords_ahead(self, doc_ids: Iterable[str]) -> int:
        """Rewrite only the keyword rows of those of `doc_ids` whose text changed since it was embedded (no vector
        store call, nothing embedded, the ledger untouched), WITHOUT the index write lock: each row only if no
        writer wrote it since it was read, before the documents (keyword_rows.rewrite_unchanged), so a writer
        under the lock that read newer rows always wins. The write-through of a small change in the process that
        made it (indexing/write_ahead.py): its words are searchable at its commit, whatever the workers'
        backlog and whoever holds the lock. Returns the rows rewritten."""
        ids = sorted(set(doc_ids))
        targets = write_targets(get_state())
        before = {target.collection: keyword_snapshot(target.collection, ids) for target in targets}
        docs = build_documents(ids)
        written = 0
        for target in targets:
            existing = ledger_rows(target.collection, docs.keys())
            changed = [doc for doc in docs.values() if doc is not None and needs_vector(doc, existing.get(doc.id))]
            written += rewrite_unchanged(target.collection, changed, before[target.collection])
        return written

    def sync(
        self,
        doc_ids: Iterable[str],
        *,
        only: Target | None = None,
        prebuilt: dict[str, Document | None] | None = None,
        reread: bool = True,
    ) -> dict[str, Counts]:
        """Sync `doc_ids` into `only`, or into every collection that should hold them; counts per collection.

        `prebuilt` (a full pass) is compared with the ledger first: only the documents that differ are read
        again under the lock, their new texts embedded before it. `reread=False` writes `prebuilt` as it is:
        only for a rebuild filling its new collection, whose re-sync after the switch corrects anything a
        concurrent writer made newer meanwhile (vector and ledger still change together, so the hash compare
        sees it).
        """
        ids = sorted(set(doc_ids))
        if not ids:
            return {}
        result: dict[str, Counts] = {}
        if prebuilt is not None:
            targets = [only] if only else write_targets(get_state())
            dirty, new_texts = compare(targets, prebuilt)
            # Documents that every collection already holds as read: a change committed after that read has
            # outbox rows of its own, so leaving them out loses nothing.
            clean = sum(1 for doc_id, doc in prebuilt.items() if doc is not None and doc_id not in dirty)
            result = {target.collection: Counts(unchanged=clean) for target in targets}
            if not dirty:
                return result
            for target in targets:  # the slow part, outside the lock
                result[target.collection].embedded += self._embed_missing(target, new_texts[target.collection])
            ids = sorted(dirty)
            if not reread:
                changed = {doc_id: prebuilt[doc_id] for doc_id in ids}
                return _merged(result, self._locked_pass(ids, only, prebuilt=changed, wait=False).counts)
        first = self._locked_pass(ids, only, prebuilt=None, wait=True)
        return self._write_waiting(first, only, _merged(result, first.counts))

    def _write_waiting(self, first: _Pass, only: Target | None, result: dict[str, Counts]) -> dict[str, Counts]:
        """New texts the first pass left waiting: embed them outside the lock, then read and write them again
        under it."""
        if not first.waiting:
            return result
        for target in first.targets:
            waiting = list(first.waiting.get(target.collection, {}).values())
            result.setdefault(target.collection, Counts()).embedded += self._embed_missing(target, waiting)
        second = self._locked_pass(first.waiting_ids(), only, prebuilt=None, wait=False)
        return _merged(result, second.counts)


def _merged(into: dict[str, Counts], more: dict[str, Counts]) -> dict[str, Counts]:
    for collection, counts in more.items():
        into.setdefault(collection, Counts())
        into[collection] += counts
    return into
