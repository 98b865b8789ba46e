"""The AI knowledge index service: `get_index_service()` (name from the original setup guide).

- `build_index()`   full sync of the active collection with the database (creates the first collection);
- `sync_documents(ids)` the same for some documents (the Celery auto-indexer calls it with outbox ids);
- `rebuild_index()` a NEW versioned collection, filled while searches keep using the old one, then an
  atomic switch of the pointer, a re-sync of every document against the database, and the old one dropped;
  its halves `start_rebuild()` (claim, plan the chunks of indexing/rebuild_chunks.py) and `finish_rebuild()`
  (switch, re-sync, drop) are what the Celery tasks run around chunks spread over the workers;
- `search_documents(query, ...)` hybrid search of every document type (retrieval/query.py), also under
  the guide's name `search_products()`;
- `status()` what the index holds and whether it is behind.

The work is done by the stages (docs/architecture.md): indexing/ (documents, writer, state, lock) and
retrieval/ (embeddings and their cache, vector store, keyword and hybrid search); this module only
composes them under the guide's names.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Min
from django.utils import timezone

from apps.ai_assistant import metrics
from apps.ai_assistant.indexing import rebuild_chunks
from apps.ai_assistant.indexing import state as index_state
from apps.ai_assistant.indexing.documents.registry import all_doc_ids, iter_all_documents
from apps.ai_assistant.indexing.lock import index_write_lock
from apps.ai_assistant.indexing.state import RebuildInProgress, Target
from apps.ai_assistant.indexing.writer import Counts, IndexWriter, ensure_collection
from apps.ai_assistant.models import IN_LIST_CHUNK, IndexChange, IndexedDocument, RebuildChunk
from apps.ai_assistant.retrieval.embeddings import get_embedding_provider
from apps.ai_assistant.retrieval.query import search_documents
from apps.ai_assistant.retrieval.vector_store import CollectionNotFound, get_vector_store

logger = logging.getLogger(__name__)

Progress = Callable[[dict], None]
BATCH_SIZE = 500
# After the switch, wait this long before dropping the old collection: every process's search cache
# (refreshed every 0.5 s) has moved to the new one by then.
DROP_GRACE_SECONDS = 1.0

__all__ = ["IndexService", "RebuildInProgress", "get_index_service"]


class _Reporter:
    """Turns counts into progress events {phase, done, total, embedded, message} for a callback."""

    def __init__(self, progress: Progress | None, phase: str, total: int) -> None:
        self.progress = progress
        self.phase = phase
        self.total = total
        self.done = 0
        self.embedded = 0

    def __call__(self, done: int | None = None, embedded: int | None = None, message: str | None = None) -> None:
        if done is not None:
            self.done = done
        if embedded is not None:
            self.embedded = embedded
        if self.progress is None:
            return
        text = message or f"{self.phase}: {self.done}/{self.total} documents, {self.embedded} embedded"
        self.progress(
            {"phase": self.phase, "done": self.done, "total": self.total, "embedded": self.embedded, "message": text}
        )


def _configured_target() -> Target:
    provider = get_embedding_provider()
    name = index_state.new_collection_name(provider.name, provider.model)
    return Target(name, provider.name, provider.model)


class IndexService:
    """One service over the helpers listed in the module docstring. Stateless: safe to share between threads."""

    batch_size = BATCH_SIZE

    # -- writes ---------------------------------------------------------------------------------
    def ensure_active_collection(self) -> str:
        """The active collection, creating the first one (with the configured provider) when there is none."""
        state = index_state.get_state()
        if state.active_collection:
            return state.active_collection
        target = _configured_target()
        ensure_collection(target)
        if index_state.claim_first_collection(target):
            logger.info("Created the first index collection %s", target.collection)
            return target.collection
        get_vector_store().delete_collection(target.collection)  # another process was first
        return index_state.get_state().active_collection

    def _full_pass(self, reporter: _Reporter, only: Target | None = None) -> tuple[Counts, str]:
        """Sync every document of the catalog (and delete vanished ones) into `only` or the write targets."""
        writer = IndexWriter(embed_progress=None)
        collection = only.collection if only else index_state.get_state().active_collection
        totals = Counts()
        seen: set[str] = set()
        for docs in iter_all_documents(self.batch_size):
            prebuilt = {doc.id: doc for doc in docs}
            seen.update(prebuilt)
            # Filling a rebuild's new collection (`only`) skips the re-read: its re-sync after the switch covers it.
            counts = writer.sync(prebuilt.keys(), only=only, prebuilt=prebuilt, reread=only is None)
            counts = counts.get(collection, Counts())
            totals += counts
            reporter(done=len(seen), embedded=totals.embedded)
        vanished = sorted(set(ledger_hashes_all(collection)) - seen)
        for start in range(0, len(vanished), self.batch_size):
            totals += writer.sync(vanished[start : start + self.batch_size], only=only).get(collection, Counts())
        return totals, collection

    def reconcile_store(self) -> int:
        """Make the ledger tell the truth about the active collection; returns the ids it corrected.

        The ledger is what hash comparisons trust, so a vector store that lost data (a wiped volume) or holds
        vectors of a writer that died before its ledger write must be caught here, not trusted.
        """
        state = index_state.get_state()
        target = Target(state.active_collection, state.embedding_provider, state.embedding_model)
        store = get_vector_store()
        with index_write_lock():
            ledger = IndexedDocument.objects.filter(collection=target.collection)
            try:
                if store.count(target.collection) == ledger.count():
                    return 0
                stored = store.list_ids(target.collection)
            except CollectionNotFound:
                logger.warning("Collection %s is missing from the vector store; recreating it", target.collection)
                ensure_collection(target, reset_ledger=True)
                return 0
            known = set(ledger.values_list("doc_id", flat=True))
            lost = sorted(known - stored)  # the ledger forgets them: the full pass re-adds them
            orphans = sorted(stored - known)
            for start in range(0, len(lost), IN_LIST_CHUNK):
                ledger.filter(doc_id__in=lost[start : start + IN_LIST_CHUNK]).delete()
            if orphans:
                store.delete(target.collection, orphans)
        if lost or orphans:
            logger.warning("Reconciled %s: %d lost, %d orphan vectors", target.collection, len(lost), len(orphans))
        return len(lost) + len(orphans)

    def build_index(self, progress: Progress | None = None) -> dict[str, Any]:
        """Sync the active collection with the database: add new, update changed, delete vanished documents."""
        started = time.monotonic()
        self.ensure_active_collection()
        repaired = self.reconcile_store()
        reporter = _Reporter(progress, "sync", len(all_doc_ids()))
        totals, collection = self._full_pass(reporter)
        result = {
            **totals.as_dict(),
            "repaired": repaired,
            "collection": collection,
            "seconds": round(time.monotonic() - started, 3),
        }
        reporter(message=f"sync done: {result}")
        logger.info("build_index: %s", result)
        return result

    def sync_documents(self, doc_ids) -> dict[str, Any]:
        """Sync these documents (ids like "product:12") into the active collection, and the one being built."""
        started = time.monotonic()
        ids = sorted({str(doc_id) for doc_id in doc_ids})
        if not index_state.get_state().active_collection:
            # Nothing indexed yet: a partial collection would look complete. Build everything instead.
            result = self.build_index()
            result["documents"] = len(ids)
            return result
        collections = IndexWriter().sync(ids) if ids else {}
        active = index_state.get_state().active_collection
        counts = collections.get(active, Counts())
        return {
            **counts.as_dict(),
            "documents": len(ids),
            "collections": len(collections),
            "seconds": round(time.monotonic() - started, 3),
        }

    def sync_without_embedding(self, doc_ids) -> dict[str, Any]:
        """Write ahead what of these documents costs no embedding (IndexWriter.sync_without_embedding); the
        counts in the active collection: `added`/`updated` are documents written in full, not those waiting."""
        ids = sorted({str(doc_id) for doc_id in doc_ids})
        if not ids or not index_state.get_state().active_collection:
            return {}
        collections = IndexWriter().sync_without_embedding(ids)
        return collections.get(index_state.get_state().active_collection, Counts()).as_dict()

    def rebuild_index(self, progress: Progress | None = None) -> dict[str, Any]:
        """Fill a new collection, switch searches to it atomically, re-sync, then drop the old one, all in
        this process: the chunks a Celery rebuild spreads over workers run here one after the other.

        Searches answer from the old collection until the switch. Raises RebuildInProgress when another
        rebuild is filling a collection.
        """
        started = time.monotonic()
        rebuild_id = f"local-{uuid.uuid4()}"
        rows = self.start_rebuild(rebuild_id)
        target = rebuild_chunks.building_target(rows[0].collection)
        if target is None:
            raise RebuildInProgress(f"{rows[0].collection} is no longer the collection being built.")
        worker = f"{os.getpid()}@{socket.gethostname()}"
        try:
            reporter = _Reporter(progress, "build", sum(row.size for row in rows))
            reporter(
                message=f"building {target.collection} ({target.provider}/{target.model}), {reporter.total} documents"
            )
            done = embedded = 0
            for row in rows:
                result = rebuild_chunks.run_chunk(rebuild_id, row.index, worker, batch_size=self.batch_size)
                if result is None:
                    raise RebuildInProgress(f"{target.collection} is no longer the collection being built.")
                done, embedded = done + result.documents, embedded + result.embedded
                reporter(done=done, embedded=embedded)
        except BaseException:
            self.abandon_rebuild(rebuild_id, failed=True)
            raise
        return self.finish_rebuild(rebuild_id, progress, worker=worker, started=started)

    def start_rebuild(self, rebuild_id: str) -> list[RebuildChunk]:
        """Claim the building collection for a new one and plan its chunks (the same chunks again when this
        rebuild already did: its task was delivered twice). Raises RebuildInProgress when another holds it."""
        rows = rebuild_chunks.chunks(rebuild_id)
        if rows and rebuild_chunks.building_target(rows[0].collection):
            return rows
        target = _configured_target()
        index_state.claim_building(target)
        try:
            ensure_collection(target)
            return rebuild_chunks.plan(rebuild_id, target)
        except BaseException:
            metrics.REBUILDS.labels(outcome="failed").inc()
            self._abandon(target)
            raise

    def finish_rebuild(
        self,
        rebuild_id: str,
        progress: Progress | None = None,
        *,
        worker: str = "",
        started: float | None = None,
        retryable: tuple[type[BaseException], ...] = (),
    ) -> dict[str, Any] | None:
        """After the chunks: run any chunk not done here, delete what vanished from the catalog, switch searches
        to the new collection, re-sync every document, drop the old collection. None when the rebuild is over
        (finished, or abandoned). An error abandons the rebuild, except one of `retryable` (its task retries)."""
        rows = rebuild_chunks.chunks(rebuild_id)
        target = rebuild_chunks.building_target(rows[0].collection) if rows else None
        if target is None:
            rebuild_chunks.forget(rebuild_id)
            return None
        total = sum(row.size for row in rows)
        try:
            for index in rebuild_chunks.unfinished(rebuild_id):
                rebuild_chunks.run_chunk(rebuild_id, index, worker or socket.gethostname(), batch_size=self.batch_size)
            self._delete_vanished(target)
            previous = index_state.switch_active(target)
        except retryable:
            raise
        except BaseException:
            self.abandon_rebuild(rebuild_id, failed=True)
            raise
        switched_at = time.monotonic()
        logger.info("Rebuild: switched searches from %r to %s", previous, target.collection)
        # Changes committed while the collection was filled reached it through sync_documents (it writes
        # to both); this pass is the safety net and costs only a hash compare per unchanged document.
        resync, _ = self._full_pass(_Reporter(progress, "re-sync", total))
        if previous and previous != target.collection:
            time.sleep(max(0.0, DROP_GRACE_SECONDS - (time.monotonic() - switched_at)))
            self._drop(previous)
        rows = rebuild_chunks.chunks(rebuild_id)
        rebuild_chunks.forget(rebuild_id)
        result = {
            "collection": target.collection,
            "previous_collection": previous,
            "documents": IndexedDocument.objects.filter(collection=target.collection).count(),
            "embedded": sum(row.embedded for row in rows) + resync.embedded,
            "resynced": resync.added + resync.updated + resync.deleted,
            "chunks": len(rows),
            "workers": sorted({row.worker for row in rows if row.worker}),
        }
        if started is not None:
            result["seconds"] = round(time.monotonic() - started, 3)
        elif rows:  # spread over tasks: from the moment its chunks were planned
            result["seconds"] = round((timezone.now() - min(row.created_at for row in rows)).total_seconds(), 3)
        metrics.REBUILDS.labels(outcome="succeeded").inc()
        _Reporter(progress, "done", total)(done=total, embedded=result["embedded"], message=f"rebuilt: {result}")
        logger.info("rebuild_index: %s", result)
        return result

    def _delete_vanished(self, target: Target) -> None:
        """Delete from the new collection the documents whose rows went while its chunks were written."""
        vanished = sorted(set(ledger_hashes_all(target.collection)) - all_doc_ids())
        writer = IndexWriter(embed_progress=None)
        for start in range(0, len(vanished), self.batch_size):
            writer.sync(vanished[start : start + self.batch_size], only=target)

    def abandon_rebuild(self, rebuild_id: str, *, failed: bool = False) -> None:
        """Give a rebuild up: free the building collection (when still its), drop what it wrote, forget its chunks."""
        rows = rebuild_chunks.chunks(rebuild_id)
        target = rebuild_chunks.building_target(rows[0].collection) if rows else None
        if failed:
            metrics.REBUILDS.labels(outcome="failed").inc()
        if target is not None:
            self._abandon(target)
        rebuild_chunks.forget(rebuild_id)

    def _drop(self, collection: str) -> None:
        # Under the write lock: no writer that still believes in the old collection is half-way through it.
        with index_write_lock():
            get_vector_store().delete_collection(collection)
            IndexedDocument.objects.filter(collection=collection).delete()

    def _abandon(self, target: Target) -> None:
        """Undo a failed rebuild: free the slot, drop the half-built collection and its ledger."""
        index_state.release_building(target.collection)
        try:
            self._drop(target.collection)
        except Exception:  # the store may be what failed; an orphan collection is harmless
            logger.exception("Could not drop the abandoned collection %s", target.collection)

    # -- reads ----------------------------------------------------------------------------------
    def search_documents(self, query: str, **filters: Any) -> list[dict]:
        """Hybrid search over all five document types: retrieval/query.py `search_documents()` (same arguments)."""
        return search_documents(query, **filters)

    def search_products(self, query: str, **filters: Any) -> list[dict]:
        """The setup guide's name for `search_documents()`: it searches every document type, not products only."""
        return self.search_documents(query, **filters)

    def status(self) -> dict[str, Any]:
        """What the index holds, what is pending, and whether a rebuild runs or is needed. No vector store call."""
        state = index_state.get_state()
        pending = IndexChange.objects.aggregate(oldest=Min("created_at"))["oldest"]
        try:
            configured = get_embedding_provider()
            configured_space = (configured.name, configured.model)
        except ImproperlyConfigured as exc:
            configured_space = None
            logger.warning("status: %s", exc)
        active_space = (state.embedding_provider, state.embedding_model)
        return {
            "documents": IndexedDocument.objects.filter(collection=state.active_collection).count()
            if state.active_collection
            else 0,
            "pending_changes": IndexChange.objects.count(),
            "oldest_pending_seconds": _age(pending),
            "last_update_at": state.last_update_at,
            "last_rebuild_at": state.last_rebuild_at,
            "active_collection": state.active_collection,
            "embedding_provider": state.embedding_provider,
            "embedding_model": state.embedding_model,
            "rebuild_in_progress": index_state.building_is_live(state),
            "building_collection": state.building_collection if index_state.building_is_live(state) else "",
            "last_error": state.last_error,
            "rebuild_needed": bool(state.active_collection) and active_space != configured_space,
        }


def ledger_hashes_all(collection: str) -> dict[str, str]:
    return dict(IndexedDocument.objects.filter(collection=collection).values_list("doc_id", "content_hash"))


def _age(moment: datetime | None) -> float | None:
    return round((timezone.now() - moment).total_seconds(), 3) if moment else None


_service: IndexService | None = None
_service_lock = threading.Lock()


def get_index_service() -> IndexService:
    """The process's IndexService (stateless; caches live in the helper modules)."""
    global _service
    if _service is None:
        with _service_lock:
            if _service is None:
                _service = IndexService()
    return _service
