"""The chunks of a rebuild: the catalog's document ids split into pieces that any process can write into the
collection being built, one RebuildChunk row each (the only module that writes those rows).

- `plan(rebuild_id, target)` splits every document id (in type and id order) into chunks of
  AI_REBUILD_CHUNK_SIZE and records them; the Celery task `ai_assistant.rebuild_chunk` runs one chunk on any
  ai_heavy worker, `manage.py rebuild_ai_index` runs them all in its own process;
- `run_chunk(rebuild_id, index, worker)` writes one chunk: its documents read now, compared with the new
  collection's ledger and written (what the single-pass rebuild does for the same ids). Idempotent: a chunk
  run again (its worker died, or the message came twice) writes only what the ledger lacks, with the same
  documents and hashes. After every batch it renews the rebuild's claims (`state.touch_rebuild`);
- `lost_chunks()` the chunks whose worker stopped giving signs of life (the sweeper sends them again);
- `progress(collection)` chunks and documents done, and the workers that ran them (the index status).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import F, Sum
from django.utils import timezone

from apps.ai_assistant.indexing import state as index_state
from apps.ai_assistant.indexing.documents.registry import all_doc_ids, build_documents, parse_doc_id
from apps.ai_assistant.indexing.state import Target
from apps.ai_assistant.indexing.writer import Counts, IndexWriter
from apps.ai_assistant.models import RebuildChunk
from apps.ai_assistant.retrieval.vector_store import CollectionNotFound

logger = logging.getLogger(__name__)

# Documents per write inside a chunk; the rebuild's claims are renewed after each.
BATCH_SIZE = 100
_IDS = uuid.UUID("4f1d0a52-7a43-4d8e-9a0c-3c1b5e0f2a11")


@dataclass(frozen=True)
class ChunkResult:
    """What one run of a chunk wrote."""

    index: int
    total: int
    documents: int
    embedded: int
    worker: str

    def as_dict(self) -> dict[str, Any]:
        return {"chunk": self.index + 1, "chunks": self.total, "documents": self.documents, "embedded": self.embedded}


def chunk_task_id(rebuild_id: str, index: int) -> str:
    """The Celery task id of a chunk: the same every time it is sent (the chord counts each chunk once)."""
    return str(uuid.uuid5(_IDS, f"{rebuild_id}:chunk:{index}"))


def group_id(rebuild_id: str) -> str:
    """The Celery group id of a rebuild's chunks."""
    return str(uuid.uuid5(_IDS, f"{rebuild_id}:chunks"))


def _order(doc_id: str) -> tuple[str, int, str]:
    parsed = parse_doc_id(doc_id)
    return (parsed[0], parsed[1], "") if parsed else ("", 0, doc_id)


def plan(rebuild_id: str, target: Target, chunk_size: int | None = None) -> list[RebuildChunk]:
    """Split the catalog's document ids into chunks for `target` and record them (at least one, maybe empty).

    Called once the rebuild holds the building claim: rows of any other rebuild are leftovers of one that
    died (it no longer holds the claim) and go.
    """
    size = chunk_size or settings.AI_REBUILD_CHUNK_SIZE
    ids = sorted(all_doc_ids(), key=_order)
    pieces = [ids[start : start + size] for start in range(0, len(ids), size)] or [[]]
    RebuildChunk.objects.all().delete()
    return RebuildChunk.objects.bulk_create(
        RebuildChunk(
            rebuild_id=rebuild_id,
            index=index,
            total=len(pieces),
            collection=target.collection,
            doc_ids=piece,
            size=len(piece),
            task_id=chunk_task_id(rebuild_id, index),
        )
        for index, piece in enumerate(pieces)
    )


def chunks(rebuild_id: str) -> list[RebuildChunk]:
    return list(RebuildChunk.objects.filter(rebuild_id=rebuild_id).order_by("index"))


def forget(rebuild_id: str) -> None:
    """Delete the rows of a rebuild that ended (switched or abandoned)."""
    RebuildChunk.objects.filter(rebuild_id=rebuild_id).delete()


def building_target(collection: str) -> Target | None:
    """The target of `collection` while a live rebuild fills it; None once it switched or was abandoned."""
    state = index_state.get_state()
    if state.building_collection != collection or not index_state.building_is_live(state):
        return None
    return Target(collection, state.building_provider, state.building_model)


def run_chunk(rebuild_id: str, index: int, worker: str, batch_size: int = BATCH_SIZE) -> ChunkResult | None:
    """Write chunk `index` of the rebuild into its collection; None when the rebuild is over (nothing to do)."""
    row = RebuildChunk.objects.filter(rebuild_id=rebuild_id, index=index).first()
    if row is None:
        return None
    target = building_target(row.collection)
    if target is None:
        return None
    now = timezone.now()
    RebuildChunk.objects.filter(pk=row.pk).update(
        status=RebuildChunk.RUNNING, worker=worker[:255], attempts=F("attempts") + 1, heartbeat_at=now
    )
    writer = IndexWriter(embed_progress=None)
    totals = Counts()
    written = 0
    try:
        for start in range(0, len(row.doc_ids), batch_size):
            prebuilt = build_documents(row.doc_ids[start : start + batch_size])
            # As the single-pass rebuild: written as read; the re-sync after the switch corrects newer changes.
            counts = writer.sync(prebuilt.keys(), only=target, prebuilt=prebuilt, reread=False)
            totals += counts.get(target.collection, Counts())
            written += sum(1 for doc in prebuilt.values() if doc is not None)
            if not index_state.touch_rebuild(rebuild_id, target.collection):
                return None
            RebuildChunk.objects.filter(pk=row.pk).update(heartbeat_at=timezone.now())
    except CollectionNotFound:  # switched or abandoned meanwhile: this chunk's work is for nobody
        return None
    RebuildChunk.objects.filter(pk=row.pk).update(
        status=RebuildChunk.DONE, documents=written, embedded=totals.embedded, finished_at=timezone.now()
    )
    return ChunkResult(row.index, row.total, written, totals.embedded, worker)


def unfinished(rebuild_id: str) -> list[int]:
    """Indexes of the chunks not done yet."""
    return list(
        RebuildChunk.objects.filter(rebuild_id=rebuild_id)
        .exclude(status=RebuildChunk.DONE)
        .order_by("index")
        .values_list("index", flat=True)
    )


def lost_chunks(stale_seconds: float | None = None) -> list[RebuildChunk]:
    """Chunks of a live rebuild whose task is presumably lost with its worker, marked as sent again now.

    A started chunk is lost when it gave no sign of life for AI_REBUILD_CHUNK_STALE_SECONDS; a chunk never
    started only when no chunk of its rebuild did either (else it may just wait in the queue).
    """
    stale = settings.AI_REBUILD_CHUNK_STALE_SECONDS if stale_seconds is None else stale_seconds
    cutoff = timezone.now() - timedelta(seconds=stale)
    state = index_state.get_state()
    if not index_state.building_is_live(state):
        return []
    rows = list(RebuildChunk.objects.filter(collection=state.building_collection).order_by("index"))

    def sign(row: RebuildChunk):
        return max(moment for moment in (row.created_at, row.heartbeat_at, row.finished_at) if moment)

    busy = any(sign(row) >= cutoff for row in rows)
    lost = [
        row
        for row in rows
        if row.status != RebuildChunk.DONE and sign(row) < cutoff and (row.status == RebuildChunk.RUNNING or not busy)
    ]
    if lost:
        RebuildChunk.objects.filter(pk__in=[row.pk for row in lost]).update(heartbeat_at=timezone.now())
    return lost


def progress(collection: str) -> dict[str, Any] | None:
    """{chunks_done, chunks_total, documents_done, documents_total, workers} of the rebuild filling
    `collection`; None without chunks."""
    rows = RebuildChunk.objects.filter(collection=collection) if collection else RebuildChunk.objects.none()
    total = rows.count()
    if not total:
        return None
    done = rows.filter(status=RebuildChunk.DONE)
    return {
        "chunks_done": done.count(),
        "chunks_total": total,
        "documents_done": done.aggregate(n=Sum("documents"))["n"] or 0,
        "documents_total": rows.aggregate(n=Sum("size"))["n"] or 0,
        "workers": sorted(set(rows.exclude(worker="").values_list("worker", flat=True))),
    }
