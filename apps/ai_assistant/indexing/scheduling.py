"""When index work runs: the debounced flush, the one-at-a-time rebuild and the scheduled refresh.

Debounce = "at most one flush pending": `cache.add` on the shared cache (Redis, or the database cache
without Redis) is atomic across processes, so of a burst of commits exactly one queues the flush; the
flush clears the mark before it reads the outbox (`clear_scheduled_mark`), so a commit made while it
runs queues the next one. The outbox rows are the source of truth: when the broker is down nothing is
queued, the mark is removed again and the sweeper flushes the rows later.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import kombu.exceptions
import redis.exceptions
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError
from django.db.models import Q
from django.utils import timezone

from apps.ai_assistant.models import IndexState

logger = logging.getLogger(__name__)

SCHEDULED_KEY = "ai_index:flush_scheduled"
# Publishing must not hold a web request for long when the broker is down: two quick retries.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
_CONNECTION_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


def _publish(task, **options):
    """`task.apply_async` with the publish retries bounded; a broker or result backend that is down raises
    kombu's OperationalError within about a second."""
    try:
        return task.apply_async(retry=True, retry_policy=PUBLISH_RETRY_POLICY, **options)
    except RuntimeError as exc:
        # Publishing subscribes to the task's result; when the result backend cannot be reached Celery gives up
        # with a bare RuntimeError ("must be restarted") caused by the connection error: an outage all the same.
        if isinstance(exc.__cause__, _CONNECTION_ERRORS):
            raise kombu.exceptions.OperationalError(f"result backend unreachable: {exc.__cause__}") from exc
        raise


def schedule_index_update(countdown: float | None = None) -> bool:
    """Queue the debounced flush unless one is pending; True when this call queued it. Never raises."""
    from apps.ai_assistant.tasks import flush_index_changes

    delay = settings.AI_INDEX_DEBOUNCE_SECONDS if countdown is None else countdown
    # The mark outlives the countdown by a margin, so a flush lost with its worker only delays the next one.
    ttl = int(delay + settings.AI_INDEX_SCHEDULE_TTL_SECONDS)
    try:
        if not cache.add(SCHEDULED_KEY, timezone.now().isoformat(), timeout=ttl):
            return False
    except Exception as exc:  # the cache is down: enqueue anyway, an extra flush is harmless
        logger.warning("Cannot mark the index flush as scheduled (%s); enqueueing without the mark", exc)
    try:
        _publish(flush_index_changes, countdown=delay)
    except Exception as exc:  # broker down: the outbox keeps the change, the sweeper flushes it later
        logger.warning(
            "Cannot queue the index flush (%s: %s); the sweeper will pick the changes up", type(exc).__name__, exc
        )
        clear_scheduled_mark()
        return False
    return True


def clear_scheduled_mark() -> None:
    """Forget the pending-flush mark (first thing a flush does). Never raises."""
    try:
        cache.delete(SCHEDULED_KEY)
    except Exception as exc:
        logger.warning("Cannot clear the index flush mark: %s", exc)


def is_flush_scheduled() -> bool:
    """Whether a flush is marked as pending right now."""
    try:
        return cache.get(SCHEDULED_KEY) is not None
    except Exception:
        return False


# --- one rebuild at a time ------------------------------------------------------------------


def _state() -> IndexState:
    try:
        state, _ = IndexState.objects.get_or_create(pk=1)
    except IntegrityError:  # another process created the singleton at the same moment
        state = IndexState.objects.get(pk=1)
    return state


def _rebuild_stale_before() -> datetime:
    # A rebuild cannot run longer than the hard time limit: an older claim belongs to a dead worker.
    return timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def running_rebuild_id() -> str:
    """The id of the rebuild that is queued or running, or "" (claims older than the hard limit are stale)."""
    state = _state()
    if state.rebuild_task_id and state.rebuild_started_at and state.rebuild_started_at >= _rebuild_stale_before():
        return state.rebuild_task_id
    return ""


def claim_rebuild(task_id: str) -> str:
    """Compare-and-set the rebuild slot to `task_id`; returns the owner afterwards (== task_id when won)."""
    _state()
    now = timezone.now()
    won = (
        IndexState.objects.filter(pk=1)
        .filter(_free_or_ours(task_id))
        .update(rebuild_task_id=task_id, rebuild_started_at=now)
    )
    if won:
        return task_id
    return running_rebuild_id() or task_id


def _free_or_ours(task_id: str) -> Q:
    # Free, stale, or already ours (the worker re-claims the id that the trigger recorded).
    return (
        Q(rebuild_task_id="")
        | Q(rebuild_task_id=task_id)
        | Q(rebuild_started_at__isnull=True)
        | Q(rebuild_started_at__lt=_rebuild_stale_before())
    )


def finish_rebuild(task_id: str) -> None:
    """Free the rebuild slot if `task_id` still holds it."""
    IndexState.objects.filter(pk=1, rebuild_task_id=task_id).update(rebuild_task_id="", rebuild_started_at=None)


def trigger_rebuild() -> tuple[str, bool]:
    """Queue a rebuild unless one is queued or running: (task id, queued by this call). Raises kombu's
    OperationalError quickly when the broker is down."""
    from apps.ai_assistant.tasks import rebuild_ai_index

    result = _publish(rebuild_ai_index)
    return result.id, not getattr(result, "already_running", False)


def trigger_update() -> str:
    """Queue a flush of everything pending now (no debounce); returns its task id. Raises kombu's
    OperationalError quickly when the broker is down."""
    from apps.ai_assistant.tasks import update_ai_index

    return _publish(update_ai_index).id


# --- bookkeeping of the scheduled refresh and of errors ------------------------------------


def refresh_due() -> bool:
    """False when a refresh ran within AI_INDEX_REFRESH_MIN_INTERVAL_SECONDS."""
    last = _state().last_refresh_at
    if last is None:
        return True
    return timezone.now() - last >= timedelta(seconds=settings.AI_INDEX_REFRESH_MIN_INTERVAL_SECONDS)


def mark_refreshed() -> None:
    _state()
    IndexState.objects.filter(pk=1).update(last_refresh_at=timezone.now())


def note_error(message: str) -> None:
    """Keep the last indexing error where the status endpoint and the admin show it."""
    _state()
    IndexState.objects.filter(pk=1).update(last_error=message[:2000])


def queue_first_index_build() -> str | None:
    """Queue a rebuild when no collection is active yet (first start); its task id, or None. Never raises."""
    if _state().active_collection:
        return None
    try:
        task_id, _ = trigger_rebuild()
    except Exception as exc:  # the broker is not up yet: the nightly refresh or the admin builds it later
        logger.warning("Cannot queue the first index build (%s); run `python manage.py rebuild_ai_index`", exc)
        return None
    return task_id
