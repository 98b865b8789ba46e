"""The transactional outbox of index changes (IndexChange rows) and the flush that drains it.

A catalog write records the ids of the documents it touches in the SAME transaction as the write
(`record_changes`), so a change is never lost: not when the broker is down, not when a worker dies
mid-flush, not when a message is dropped. A flush claims rows, syncs their distinct documents and
deletes exactly the rows it claimed; a change made meanwhile writes new rows for the next flush.

Claims: on PostgreSQL `SELECT ... FOR UPDATE SKIP LOCKED` in a short transaction, elsewhere (SQLite)
one conditional UPDATE (`claimed_by = ''`), so no long transaction ever holds the database. A claim
older than AI_INDEX_CLAIM_TIMEOUT_SECONDS belongs to a flush that died; `release_stale_claims` frees it.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Max, Min
from django.utils import timezone

from apps.ai_assistant import metrics
from apps.ai_assistant.indexing import flush_parts, scheduling, state
from apps.ai_assistant.indexing.documents.registry import touched_doc_ids
from apps.ai_assistant.indexing.write_ahead import write_ahead, write_through
from apps.ai_assistant.models import IndexChange

logger = logging.getLogger(__name__)


@dataclass
class Claim:
    """Outbox rows claimed by one flush: the token on the rows, and the distinct documents they name.

    `written` holds, per document, when its oldest claimed row was written (the change-to-searchable metric).
    """

    token: str
    rows: int
    doc_ids: set[str] = field(default_factory=set)
    written: dict[str, datetime] = field(default_factory=dict)


def record_changes(doc_ids: Iterable[str]) -> int:
    """Write one outbox row per distinct document id, in the caller's transaction; returns the row count."""
    ids = sorted({doc_id for doc_id in doc_ids if doc_id})
    if not ids:
        return 0
    IndexChange.objects.bulk_create([IndexChange(doc_id=doc_id) for doc_id in ids])
    return len(ids)


def record_and_schedule(doc_ids: Iterable[str]) -> int:
    """Record the changes now and queue a debounced flush once the surrounding transaction commits; a change of
    at most AI_INDEX_WRITE_THROUGH_MAX_DOCUMENTS documents also writes its new words through right after it."""
    ids = sorted({doc_id for doc_id in doc_ids if doc_id})
    count = record_changes(ids)
    if count:
        # robust: a failure to enqueue is logged by Django and never reaches the caller's request.
        transaction.on_commit(scheduling.schedule_index_update, robust=True)
        if count <= settings.AI_INDEX_WRITE_THROUGH_MAX_DOCUMENTS:
            transaction.on_commit(partial(write_through, ids), robust=True)
    return count


def record_bulk_change(queryset_model: type[models.Model], pks: Iterable[int]) -> int:
    """Record the documents touched by rows changed with `QuerySet.update()` (which sends no signal).

    Call it inside the transaction of the bulk write: after an update (the rows' relations are what
    the documents show), BEFORE a bulk delete (relations must still exist). Returns the rows written.
    """
    if not getattr(settings, "AI_INDEX_AUTO_UPDATE", True):
        return 0
    doc_ids: set[str] = set()
    for instance in queryset_model._default_manager.filter(pk__in=list(pks)).iterator(chunk_size=500):
        doc_ids |= touched(instance)
    return record_and_schedule(doc_ids)


def touched(instance: models.Model) -> set[str]:
    """Ids of the documents whose text or filters a change of this row can alter."""
    return set(touched_doc_ids(instance))


def claim_changes(
    limit: int | None = None,
    up_to: int | None = None,
    *,
    only: Collection[str] | None = None,
    exclude: Collection[str] = (),
) -> Claim | None:
    """Claim up to `limit` unclaimed outbox rows for one flush (of ids up to `up_to`; of the documents `only`
    names, or of none that `exclude` names); None when there are none."""
    limit = limit or settings.AI_INDEX_FLUSH_BATCH_SIZE
    token = uuid.uuid4().hex
    now = timezone.now()
    unclaimed = IndexChange.objects.filter(claimed_by="")
    if up_to is not None:
        unclaimed = unclaimed.filter(id__lte=up_to)
    if only is not None:
        unclaimed = unclaimed.filter(doc_id__in=list(only))
    if exclude:
        unclaimed = unclaimed.exclude(doc_id__in=list(exclude))
    if connection.features.has_select_for_update_skip_locked:
        # Rows locked by a concurrent claimer are skipped, not waited for.
        with transaction.atomic():
            ids = list(
                unclaimed.select_for_update(skip_locked=True)
                .order_by("id")
                .values_list("id", flat=True)[:limit]
            )
            if not ids:
                return None
            rows = IndexChange.objects.filter(id__in=ids).update(claimed_by=token, claimed_at=now)
    else:
        # One statement: the WHERE claimed_by = '' makes two concurrent claimers take disjoint rows.
        first = unclaimed.order_by("id").values("id")[:limit]
        rows = IndexChange.objects.filter(id__in=first, claimed_by="").update(claimed_by=token, claimed_at=now)
    if not rows:
        return None
    written: dict[str, datetime] = {}
    for doc_id, created_at in IndexChange.objects.filter(claimed_by=token).values_list("doc_id", "created_at"):
        if doc_id not in written or created_at < written[doc_id]:
            written[doc_id] = created_at
    return Claim(token=token, rows=rows, doc_ids=set(written), written=written)


def observe_synced(claim: Claim, result: dict | None) -> None:
    """Record a completed claim in the index metrics: freshness per document, documents, texts embedded."""
    now = timezone.now()
    for created_at in claim.written.values():
        metrics.CHANGE_TO_SEARCHABLE.observe(max(0.0, (now - created_at).total_seconds()))
    metrics.DOCUMENTS_SYNCED.inc(len(claim.doc_ids))
    embedded = (result or {}).get("embedded")
    if isinstance(embedded, int) and not isinstance(embedded, bool) and embedded > 0:
        metrics.TEXTS_EMBEDDED.inc(embedded)


def complete(claim: Claim) -> int:
    """Delete exactly the rows of a finished claim (rows written meanwhile stay for the next flush)."""
    deleted, _ = IndexChange.objects.filter(claimed_by=claim.token).delete()
    return deleted


def release(claim: Claim) -> int:
    """Give the rows of a failed claim back, so the next flush (or the retry) takes them."""
    return IndexChange.objects.filter(claimed_by=claim.token).update(claimed_by="", claimed_at=None)


def release_stale_claims(timeout_seconds: float | None = None) -> int:
    """Release claims older than the timeout: their flush died (worker killed, machine lost)."""
    timeout = settings.AI_INDEX_CLAIM_TIMEOUT_SECONDS if timeout_seconds is None else timeout_seconds
    cutoff = timezone.now() - timedelta(seconds=timeout)
    released = (
        IndexChange.objects.exclude(claimed_by="").filter(claimed_at__lt=cutoff).update(claimed_by="", claimed_at=None)
    )
    if released:
        logger.warning("Released %d stale outbox claims older than %ss", released, timeout)
    return released


def stats() -> dict:
    """Pending outbox rows, how many are claimed, distinct documents and the age of the oldest."""
    aggregate = IndexChange.objects.aggregate(oldest=Min("created_at"))
    oldest = aggregate["oldest"]
    return {
        "pending_changes": IndexChange.objects.count(),
        "claimed_changes": IndexChange.objects.exclude(claimed_by="").count(),
        "pending_documents": IndexChange.objects.values("doc_id").distinct().count(),
        "oldest_pending_seconds": round((timezone.now() - oldest).total_seconds(), 3) if oldest else None,
    }


def pending_window() -> tuple[datetime | None, datetime | None]:
    """When the oldest and the newest unclaimed outbox row were written (None, None: nothing pending)."""
    window = IndexChange.objects.filter(claimed_by="").aggregate(oldest=Min("created_at"), newest=Max("created_at"))
    return window["oldest"], window["newest"]


def flush_changes(
    batch_size: int | None = None, max_batches: int | None = None, *, debounced: bool = False
) -> dict:
    """Drain the outbox: clear the "scheduled" mark FIRST, then claim, sync and delete batch by batch.

    `debounced` (the debounced flush task, tasks.flush_index_changes, says True) first asks whether changes
    are still arriving: then nothing is flushed, the flush is queued again for when they will have stopped
    (at most AI_INDEX_DEBOUNCE_MAX_WAIT_SECONDS after the oldest pending one; scheduling.quiet_wait) and
    `deferred_seconds` says when. Meanwhile what costs no embedding is written ahead (`write_ahead`:
    facts, deletions, the keyword rows of new texts), so those changes are searchable within the debounce
    even under edits that never stop. "Update now", the sweeper and the commands flush at once.

    Clearing the mark before reading means a change committed while this runs schedules the next
    flush instead of being swallowed by this one. On failure the claimed rows are released and the
    error propagates (the task decides whether to retry).
    """
    # Deferred: the index service pulls in the retrieval stage (vector store client, numpy), which the web
    # process's signal handlers, the only other users of this module there, never need.
    from apps.ai_assistant.services.index_service import get_index_service

    totals: dict = {"batches": 0, "changes": 0, "documents": 0, "sync": {}}
    if debounced:
        wait = scheduling.quiet_wait(*pending_window())
        if wait and scheduling.requeue_flush(wait):
            logger.info("Changes still arriving: the index flush waits %.1fs more", wait)
            totals["deferred_seconds"] = round(wait, 3)
            totals["written_ahead"] = write_ahead(batch_size)
            return totals
    scheduling.clear_scheduled_mark()
    max_batches = max_batches or settings.AI_INDEX_FLUSH_MAX_BATCHES
    started = time.monotonic()
    if state.first_build_pending():
        # Syncing now would build a whole first index beside the queued one (first start: the demo
        # catalog's rows). The rows stay; after the build they cost a hash compare each (sweeper).
        logger.info("No index yet and its first build is queued: leaving the outbox to after it")
        totals["deferred"] = True
        return totals
    service = None
    # The rows committed before this point: a row committed later was committed after the mark was cleared, so
    # its commit queued the next flush. Bounding the flush by them keeps it finite under edits that never stop
    # (which otherwise kept one flush claiming batch after batch, 79 s, the worker's only process).
    last_row = IndexChange.objects.aggregate(last=Max("id"))["last"]
    # A large flush hands parts of its documents to the other worker processes (indexing/flush_parts.py); their
    # rows are theirs to claim.
    handed_out = flush_parts.hand_out(last_row, batch_size) if last_row is not None else set()
    if handed_out:
        totals["handed_out"] = len(handed_out)

    def ahead() -> None:
        if totals["batches"] and IndexChange.objects.filter(claimed_by="", id__gt=last_row or 0).exists():
            # Changes arrived while this flush ran: their facts and words need not wait for its other batches.
            totals["written_ahead"] = write_ahead(batch_size)

    for _ in range(max_batches):
        claim = claim_changes(batch_size, up_to=last_row, exclude=handed_out)
        if claim is None:
            break
        service = service or get_index_service()
        _sync_claim(service, claim, totals, before=ahead)
    else:
        # Still rows left after max_batches: let another flush continue instead of one endless task.
        if IndexChange.objects.filter(claimed_by="").exists():
            scheduling.schedule_index_update(countdown=0)
    return _finished(totals, started)


def _finished(totals: dict, started: float) -> dict:
    """Time a flush's totals, observe it in the metrics and log it ("Flushed ..."); returns them."""
    totals["seconds"] = round(time.monotonic() - started, 3)
    if totals["batches"]:
        metrics.FLUSH_DURATION.observe(time.monotonic() - started)
    if totals["changes"]:
        logger.info(
            "Flushed %d outbox changes (%d documents) in %d batch(es), %.3fs: %s",
            totals["changes"],
            totals["documents"],
            totals["batches"],
            totals["seconds"],
            totals["sync"],
        )
    return totals


def _sync_claim(service, claim: Claim, totals: dict, before: Callable[[], None] | None = None) -> None:
    """Sync a claim's documents and delete its rows, adding to `totals`; on any failure the rows are released."""
    try:
        if before is not None:
            before()
        result = service.sync_documents(sorted(claim.doc_ids))
    except BaseException:
        # BaseException too: a soft time limit or a worker shutdown must not strand the claim.
        release(claim)
        raise
    complete(claim)
    observe_synced(claim, result)
    totals["batches"] += 1
    totals["changes"] += claim.rows
    totals["documents"] += len(claim.doc_ids)
    for key, value in (result or {}).items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            totals["sync"][key] = totals["sync"].get(key, 0) + value


def flush_part(doc_ids: list[str], up_to: int) -> dict:
    """One part of a large flush, handed out by it (indexing/flush_parts.py): the rows of these documents
    committed before that flush began. Rows another flush claimed meanwhile are left to it."""
    from apps.ai_assistant.services.index_service import get_index_service

    totals: dict = {"batches": 0, "changes": 0, "documents": 0, "sync": {}}
    started = time.monotonic()
    for _ in range(settings.AI_INDEX_FLUSH_MAX_BATCHES):
        claim = claim_changes(up_to=up_to, only=doc_ids)
        if claim is None:
            break
        _sync_claim(get_index_service(), claim, totals)
    return _finished(totals, started)


def sweep() -> dict:
    """The sweeper's round: free stale claims, then flush leftovers a lost or failed flush left behind."""
    released = release_stale_claims()
    debounce = settings.AI_INDEX_DEBOUNCE_SECONDS
    # Rows younger than the debounce window belong to a flush that is already scheduled; while one is (the
    # mark), it may wait for a burst to end up to the max wait.
    waiting = debounce
    if scheduling.is_flush_scheduled():
        waiting = max(waiting, settings.AI_INDEX_DEBOUNCE_MAX_WAIT_SECONDS)
    cutoff = timezone.now() - timedelta(seconds=waiting + settings.AI_INDEX_SWEEP_GRACE_SECONDS)
    leftovers = IndexChange.objects.filter(claimed_by="", created_at__lt=cutoff).exists()
    result: dict = {"released_claims": released, "flushed": None}
    if leftovers:
        logger.info("Sweeper found outbox rows older than the debounce window: flushing them")
        result["flushed"] = flush_changes()
    elif IndexChange.objects.filter(created_at__lt=timezone.now() - timedelta(seconds=debounce)).exists():
        # Changes older than the debounce that a scheduled flush still holds back, or whose flush was lost with
        # a worker: their facts and words need not wait for it.
        result["written_ahead"] = write_ahead()
    return result
