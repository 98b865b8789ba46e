"""Celery tasks of the AI index (names as in the original setup guide; logic in indexing/ and services/).

- `rebuild_ai_index`  (ai_assistant.rebuild_index, queue ai_heavy): zero-downtime full rebuild, one at a
  time: triggering it while one is queued or running returns that task's id instead of a new one. It plans
  the chunks and launches a chord: `rebuild_chunk` (ai_assistant.rebuild_chunk, ai_heavy) per chunk, on
  every worker consuming ai_heavy, then `finish_rebuild` (ai_assistant.finish_rebuild, ai_heavy) switches.
- `update_ai_index`   (ai_assistant.update_index, ai_light): sync everything pending in the outbox now (the
  "Update now" of the API and the admin; the same work as the flush, not the command `sync_ai_index`).
- `flush_index_changes` (ai_assistant.flush_index_changes, ai_light): the debounced flush the signals queue.
- `scheduled_index_refresh` (ai_assistant.scheduled_index_refresh, ai_heavy): nightly reconcile of DB vs
  index (build_index), skipped when one ran within AI_INDEX_REFRESH_MIN_INTERVAL_SECONDS.
- `sweep_index_outbox` (ai_assistant.sweep_index_outbox, ai_light): every minute, free stale claims and
  flush leftovers, and send again a rebuild chunk whose worker died.
- `prune_retained_data` (ai_assistant.prune_retained_data, ai_light): daily, delete old chat sessions and
  unused embedding-cache rows (services/retention.py).

Every task is idempotent (it re-reads the database; a document is only re-embedded when its text
changed), so acks_late redelivery is safe. Only transient errors (vector store / embedding provider
unreachable, broker connection lost) are retried, with exponential backoff; a bug fails at once and
leaves its outbox rows for the next flush.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
import uuid
from collections.abc import Callable

import kombu.exceptions
import redis.exceptions
from celery import Signature, Task, chord, shared_task
from celery.exceptions import Ignore
from celery.result import AsyncResult
from celery.signals import worker_init, worker_process_init
from django.conf import settings
from django.core.cache import cache

from apps.ai_assistant.exceptions import TransientIndexError
from apps.ai_assistant.indexing import outbox, rebuild_chunks, scheduling, state
from apps.ai_assistant.retrieval.warmup import warm_up
from apps.ai_assistant.services import retention

logger = logging.getLogger(__name__)

FINISHED_KEY = "ai_index:rebuild_finished:"  # + rebuild id: a finished rebuild's result, kept as long as results

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    TransientIndexError,
    kombu.exceptions.OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    ConnectionError,
    TimeoutError,
)
RETRY_OPTIONS = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": True,  # 1, 2, 4, ... seconds (with jitter), capped below
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 10,
}


def _jsonable(value: object) -> object:
    """Results go through the JSON serializer: turn datetimes, Decimals and sets into plain values."""
    return json.loads(json.dumps(value, default=lambda o: sorted(o) if isinstance(o, set) else str(o)))


class IndexTask(Task):
    """Keeps the last failure where /api/ai-assistant/index/status and the admin show it."""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        try:
            state.note_error(f"{self.name} {task_id}: {type(exc).__name__}: {exc}")
        except Exception:  # the database may be what failed; the worker log has the error anyway
            logger.exception("Cannot record the failure of %s", task_id)


class SingleRebuildTask(IndexTask):
    """A rebuild task that is queued at most once: a second trigger gets the first one's result handle."""

    def apply_async(self, args=None, kwargs=None, task_id=None, **options) -> AsyncResult:
        send = super().apply_async
        task_id, queued = scheduling.queue_rebuild(
            lambda claimed: send(args, kwargs, task_id=claimed, **options), task_id
        )
        result = self.AsyncResult(task_id)
        result.already_running = not queued
        return result


def _progress_reporter(task: Task) -> Callable[..., None]:
    """A progress callback for the index service: logs, and publishes state PROGRESS at most once a second."""
    last = [0.0]

    def report(*args, **kwargs) -> None:
        if len(args) == 1 and isinstance(args[0], dict):
            meta = dict(args[0])
        elif len(args) >= 2 and all(isinstance(a, int) for a in args[:2]):
            meta = {"done": args[0], "total": args[1]}
        else:
            meta = {"message": " ".join(str(a) for a in args)} if args else {}
        meta.update(kwargs)
        now = time.monotonic()
        if now - last[0] < 1.0:
            return
        last[0] = now
        logger.info("Rebuild progress: %s", meta)
        if task.request.id and not task.request.called_directly:
            task.update_state(state="PROGRESS", meta=_jsonable(meta))

    return report


@shared_task(name="ai_assistant.rebuild_index", bind=True, base=SingleRebuildTask, **RETRY_OPTIONS)
def rebuild_ai_index(self) -> dict:
    """Full zero-downtime rebuild of the AI knowledge index (one at a time), spread over the ai_heavy workers.

    In a worker: claims the building collection, plans the chunks, and hands over to a chord (the chunks as a
    group, `finish_rebuild` as its callback, whose result is stored under this task's id). Called directly
    (no worker): the whole rebuild in this process.
    """
    from apps.ai_assistant.services.index_service import RebuildInProgress, get_index_service

    task_id = self.request.id or f"local-{uuid.uuid4()}"
    owner = state.claim_rebuild(task_id)
    if owner != task_id:
        logger.info("Rebuild %s skipped: rebuild %s is running", task_id, owner)
        return {"status": "already_running", "task_id": owner}
    logger.info("Rebuild %s started", task_id)
    inline = self.request.called_directly or self.request.is_eager
    try:
        if inline:
            result = get_index_service().rebuild_index(progress=_progress_reporter(self))
        else:
            rows = get_index_service().start_rebuild(task_id)
    except RebuildInProgress as exc:  # one started outside Celery (manage.py rebuild_ai_index)
        state.finish_rebuild(task_id)
        logger.info("Rebuild %s skipped: %s", task_id, exc)
        return {"status": "already_running", "task_id": "", "detail": str(exc)}
    except BaseException:
        # Also on a transient error: the retry re-claims the slot with the same task id.
        state.finish_rebuild(task_id)
        raise
    if inline:
        state.finish_rebuild(task_id)
        logger.info("Rebuild %s finished: %s", task_id, result)
        return _jsonable({"status": "rebuilt", **(result or {})})
    # The slot stays claimed: the chunks renew it while they write, finish_rebuild frees it.
    # The chord's task id is its header's group id (Celery uses it for both); the callback keeps its own id.
    header = [rebuild_chunk.si(task_id, row.index).set(task_id=row.task_id) for row in rows]
    chord(header, _finish_signature(task_id)).set(task_id=rebuild_chunks.group_id(task_id)).apply_async()
    logger.info("Rebuild %s: %d chunks queued on ai_heavy", task_id, len(rows))
    raise Ignore()  # this task id's result is the callback's


def _finish_signature(rebuild_id: str) -> Signature:
    """The chord's callback: its result is stored under the rebuild's own task id (what callers wait for)."""
    return finish_rebuild.si(rebuild_id).set(task_id=rebuild_id)


class RebuildChunkTask(IndexTask):
    """A chunk that failed for good (not a transient error) gives its rebuild up: nothing switches to a
    collection missing documents; the chord marks the rebuild's task FAILURE."""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        super().on_failure(exc, task_id, args, kwargs, einfo)
        from apps.ai_assistant.services.index_service import get_index_service

        rebuild_id = args[0] if args else kwargs.get("rebuild_id", "")
        try:
            get_index_service().abandon_rebuild(rebuild_id, failed=True)
        finally:
            state.finish_rebuild(rebuild_id)


@shared_task(name="ai_assistant.rebuild_chunk", bind=True, base=RebuildChunkTask, **RETRY_OPTIONS)
def rebuild_chunk(self, rebuild_id: str, index: int) -> dict:
    """Write one chunk of a rebuild into the collection being built (idempotent: a re-run writes the same)."""
    worker = self.request.hostname or socket.gethostname()
    result = rebuild_chunks.run_chunk(rebuild_id, index, worker)
    if result is None:
        logger.info("Rebuild chunk %d of %s skipped on %s: the rebuild is over", index + 1, rebuild_id, worker)
        return {"chunk": index + 1, "status": "skipped"}
    logger.info(
        "Rebuild chunk %d/%d on %s: %d documents, %d embedded (rebuild %s)",
        result.index + 1,
        result.total,
        worker,
        result.documents,
        result.embedded,
        rebuild_id,
    )
    return result.as_dict()


@shared_task(name="ai_assistant.finish_rebuild", bind=True, base=IndexTask, **RETRY_OPTIONS)
def finish_rebuild(self, rebuild_id: str) -> dict:
    """The chord callback of a rebuild: switch searches to the filled collection, re-sync, drop the old one."""
    from apps.ai_assistant.services.index_service import get_index_service

    try:
        result = get_index_service().finish_rebuild(
            rebuild_id,
            _progress_reporter(self),
            worker=self.request.hostname or socket.gethostname(),
            retryable=TRANSIENT_ERRORS,
        )
    except TRANSIENT_ERRORS:
        raise  # retried with the slot still held; the chunks' rows and collection are kept
    except BaseException:
        state.finish_rebuild(rebuild_id)
        raise
    state.finish_rebuild(rebuild_id)
    if result is None:
        earlier = _finished_result(rebuild_id)
        if earlier is not None:
            # A second delivery of the callback (acks_late: its worker died after the switch, before the ack)
            # must not overwrite the rebuild's result with "abandoned".
            logger.info("Rebuild %s had finished: this second run of its callback returns that result", rebuild_id)
            return earlier
        logger.info("Rebuild %s was over before its chunks finished (abandoned)", rebuild_id)
        return {"status": "abandoned", "task_id": rebuild_id}
    logger.info("Rebuild %s finished: %s", rebuild_id, result)
    done = _jsonable({"status": "rebuilt", **result})
    _remember_finished(rebuild_id, done)
    return done


def _finished_result(rebuild_id: str) -> dict | None:
    try:
        return cache.get(FINISHED_KEY + rebuild_id)
    except Exception:  # no shared cache: the second run reports "abandoned", as before
        return None


def _remember_finished(rebuild_id: str, result: object) -> None:
    try:
        cache.set(FINISHED_KEY + rebuild_id, result, timeout=settings.CELERY_RESULT_EXPIRES)
    except Exception as exc:
        logger.warning("Cannot keep rebuild %s's result for a second delivery of its callback: %s", rebuild_id, exc)


def resend_lost_chunks() -> int:
    """Send again the chunks whose worker died (no sign of life for AI_REBUILD_CHUNK_STALE_SECONDS), as the
    same chord members: the same task id, group and callback, so the chord counts each chunk once."""
    lost = rebuild_chunks.lost_chunks()
    for row in lost:
        logger.warning(
            "Rebuild chunk %d/%d of %s lost with its worker %r: sent again",
            row.index + 1,
            row.total,
            row.rebuild_id,
            row.worker,
        )
        rebuild_chunk.apply_async(
            (row.rebuild_id, row.index),
            task_id=row.task_id,
            group_id=rebuild_chunks.group_id(row.rebuild_id),
            group_index=row.index,
            chord=_finish_signature(row.rebuild_id),
        )
    return len(lost)


@shared_task(name="ai_assistant.update_index", bind=True, base=IndexTask, **RETRY_OPTIONS)
def update_ai_index(self) -> dict:
    """Incremental update: sync every document with pending changes in the outbox, now (= the flush)."""
    return _jsonable(outbox.flush_changes())


@shared_task(name="ai_assistant.flush_index_changes", bind=True, base=IndexTask, **RETRY_OPTIONS)
def flush_index_changes(self) -> dict:
    """The debounced flush queued by the catalog signals: waits while changes still arrive (bounded), then
    does the work of update_index."""
    return _jsonable(outbox.flush_changes(debounced=True))


@shared_task(name="ai_assistant.flush_index_part", bind=True, base=IndexTask, **RETRY_OPTIONS)
def flush_index_part(self, doc_ids: list[str], up_to: int) -> dict:
    """One part of a large flush, handed out by the flush that split it (indexing/flush_parts.py)."""
    return _jsonable(outbox.flush_part(doc_ids, up_to))


@shared_task(name="ai_assistant.scheduled_index_refresh", bind=True, base=IndexTask, **RETRY_OPTIONS)
def scheduled_index_refresh(self, force: bool = False) -> dict:
    """Scheduled (nightly) reconcile of the database with the index: repairs any drift."""
    from apps.ai_assistant.services.index_service import get_index_service

    if not force and not state.refresh_due():
        return {"status": "skipped", "reason": "refreshed recently"}
    running = state.running_rebuild_id()
    if running:
        # The rebuild re-syncs everything at its end anyway.
        return {"status": "skipped", "reason": f"rebuild {running} is running"}
    result = get_index_service().build_index()
    state.mark_refreshed()
    logger.info("Scheduled index refresh: %s", result)
    return _jsonable({"status": "refreshed", **(result or {})})


@shared_task(name="ai_assistant.sweep_index_outbox", bind=True, base=IndexTask, **RETRY_OPTIONS)
def sweep_index_outbox(self) -> dict:
    """Release stale outbox claims and flush changes that no scheduled flush picked up; send again the chunks
    of a rebuild whose worker died."""
    result = outbox.sweep()
    resent = resend_lost_chunks()
    if resent:
        result = {**result, "rebuild_chunks_resent": resent}
    return _jsonable(result)


@shared_task(name="ai_assistant.prune_retained_data")
def prune_retained_data() -> dict:
    """Daily retention: chat sessions past AI_CHAT_RETENTION_DAYS, unused embeddings past AI_EMBEDDING_CACHE_DAYS."""
    return retention.prune_retained_data()


@worker_process_init.connect
def warm_embedding_model(**kwargs) -> None:
    """Load the local embedding model in the background as each prefork pool process starts.

    Otherwise the first flush a process runs pays for loading it (seconds to tens of seconds on a busy
    machine). A thread, because Celery gives a starting process only a few seconds to report ready.
    """
    threading.Thread(
        target=warm_up, kwargs={"search": False, "index_writes": True}, name="warm-embedding-model", daemon=True
    ).start()


@worker_init.connect
def warm_embedding_model_in_worker(sender=None, **kwargs) -> None:
    """The same for a worker whose tasks run in its own process (`--pool threads` or `solo`, as in `make run`).

    A prefork worker's main process never embeds (its pool processes do): it keeps the model out of memory.
    """
    pool = getattr(sender, "pool_cls", "prefork")
    name = pool if isinstance(pool, str) else f"{pool.__module__}.{pool.__name__}"
    if "prefork" in name.lower():
        return
    threading.Thread(
        target=warm_up, kwargs={"search": False, "index_writes": True}, name="warm-embedding-model", daemon=True
    ).start()
