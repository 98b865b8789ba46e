"""When index work runs: the debounced flush, the one-at-a-time rebuild and the first build.

"At most one flush pending": `cache.add` on the shared cache (Redis, or the database cache without Redis) is
atomic across processes, so of a burst of commits exactly one queues the flush, AI_INDEX_DEBOUNCE_SECONDS
later. The outbox rows are the source of truth: when the broker is down nothing is queued, the mark is
removed again and the sweeper flushes the rows later.

Trailing debounce with a bound: when the queued flush runs while changes are still arriving (the newest
pending change is younger than the debounce), it does not flush but queues itself again for when the
debounce will have passed since that change (`quiet_wait`, `requeue_flush`), keeping the mark so the commits
meanwhile queue nothing; the mark holds when the flush is due, and a commit that finds it overdue by
OVERDUE_SECONDS presumes it lost with its worker and queues another. It never waits longer than
AI_INDEX_DEBOUNCE_MAX_WAIT_SECONDS after the oldest pending change. So a lone edit is flushed one debounce
after its commit, a burst once at its end, and a never-ending stream of edits every max wait. When the flush
does run, it clears the mark before it reads the outbox (`clear_scheduled_mark`), so a commit made while it
runs queues the next one.

Tasks are enqueued BY NAME (`send_task`), so this module does not import `apps.ai_assistant.tasks` (which
imports it): CELERY_TASK_ROUTES routes by name, and send_task applies the routes and the registered task's
options just as `Task.apply_async` does. The rebuild slot itself lives in `indexing/state.py`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import kombu.exceptions
import redis.exceptions
from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from apps.ai_assistant.indexing import state
from ecommerce_backend.broker import broker_kind

logger = logging.getLogger(__name__)

# The guide's task names (apps/ai_assistant/tasks.py registers them; CELERY_TASK_ROUTES routes them).
FLUSH_TASK = "ai_assistant.flush_index_changes"
FLUSH_PART_TASK = "ai_assistant.flush_index_part"
REBUILD_TASK = "ai_assistant.rebuild_index"
UPDATE_TASK = "ai_assistant.update_index"

SCHEDULED_KEY = "ai_index:flush_scheduled"
# Publishing must not hold a web request for long when the broker is down: two quick retries.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
_CONNECTION_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)
# A flush due within this long is run now rather than queued again (clocks of the web and worker hosts,
# the countdown's own latency).
QUIET_SLACK_SECONDS = 0.2
# A scheduled flush this late is presumed lost (its worker died holding the countdown). A flush merely delayed
# by busy workers then runs beside another one, which finds nothing left or defers: harmless.
OVERDUE_SECONDS = 2.0


def publish(send: Callable[..., Any], **options) -> Any:
    """Call `send` (send_task or a task's apply_async) with the publish retries bounded; a broker or result
    backend that is down raises kombu's OperationalError within about a second."""
    try:
        return send(retry=True, retry_policy=PUBLISH_RETRY_POLICY, **options)
    except RuntimeError as exc:
        # Publishing subscribes to the task's result; when the result backend cannot be reached Celery gives up
        # with a bare RuntimeError ("must be restarted") caused by the connection error: an outage all the same.
        if isinstance(exc.__cause__, _CONNECTION_ERRORS):
            raise kombu.exceptions.OperationalError(f"result backend unreachable: {exc.__cause__}") from exc
        raise


def _send(name: str, **options) -> Any:
    """Enqueue the task `name` (bounded publish); its queue comes from CELERY_TASK_ROUTES."""
    return publish(lambda **opts: current_app.send_task(name, **opts), **options)


def send_flush_part(doc_ids: list[str], up_to: int) -> None:
    """Queue one part of a large flush (indexing/flush_parts.py); raises when the broker cannot take it."""
    _send(FLUSH_PART_TASK, args=(doc_ids, up_to))


def _due(delay: float) -> str:
    """The mark's value: when the flush it stands for is due."""
    return (timezone.now() + timedelta(seconds=delay)).isoformat()


def _overdue(mark: str | None) -> bool:
    """Whether the flush a mark stands for should have started OVERDUE_SECONDS ago: lost with its worker
    (killed while holding the countdown), or stuck behind long tasks. Either way another flush is harmless."""
    if mark is None:
        return False
    try:
        due = datetime.fromisoformat(mark)
    except ValueError:
        return True
    return (timezone.now() - due).total_seconds() > OVERDUE_SECONDS


def schedule_index_update(countdown: float | None = None) -> bool:
    """Queue the debounced flush unless one is pending; True when this call queued it. Never raises.

    A pending flush that is overdue counts as lost: this commit queues another (and marks it), so changes
    wait OVERDUE_SECONDS more, not the mark's lifetime or the sweeper's round, when a worker dies with it.
    """
    delay = settings.AI_INDEX_DEBOUNCE_SECONDS if countdown is None else countdown
    # The mark outlives the countdown by a margin, so a flush lost with its worker only delays the next one.
    ttl = int(delay + settings.AI_INDEX_SCHEDULE_TTL_SECONDS)
    try:
        if not cache.add(SCHEDULED_KEY, _due(delay), timeout=ttl):
            if not _overdue(cache.get(SCHEDULED_KEY)):
                return False
            logger.info("The scheduled index flush is overdue: queueing another")
            cache.set(SCHEDULED_KEY, _due(delay), timeout=ttl)
    except Exception as exc:  # the cache is down: enqueue anyway, an extra flush is harmless
        logger.warning("Cannot mark the index flush as scheduled (%s); enqueueing without the mark", exc)
    try:
        _send(FLUSH_TASK, countdown=delay)
    except Exception as exc:  # broker down: the outbox keeps the change, the sweeper flushes it later
        logger.warning(
            "Cannot queue the index flush (%s: %s); the sweeper will pick the changes up", type(exc).__name__, exc
        )
        clear_scheduled_mark()
        return False
    return True


def quiet_wait(oldest: datetime | None, newest: datetime | None, now: datetime | None = None) -> float:
    """Seconds the debounced flush should still wait, given the oldest and the newest pending change: until
    the debounce has passed since the newest, but never past the max wait since the oldest; 0 = flush now."""
    if oldest is None or newest is None:
        return 0.0
    now = now or timezone.now()
    debounce = settings.AI_INDEX_DEBOUNCE_SECONDS
    max_wait = max(settings.AI_INDEX_DEBOUNCE_MAX_WAIT_SECONDS, debounce)
    wait = min((newest - now).total_seconds() + debounce, (oldest - now).total_seconds() + max_wait)
    return wait if wait > QUIET_SLACK_SECONDS else 0.0


def shortest_countdown() -> float:
    """The shortest countdown the broker delays: RabbitMQ's quorum queues delay whole seconds (see
    ecommerce_backend/broker.py), every other broker any fraction."""
    quorum = broker_kind(settings.CELERY_BROKER_URL) == "amqp" and settings.AMQP_QUEUE_TYPE == "quorum"
    return 1.0 if quorum else QUIET_SLACK_SECONDS


def requeue_flush(wait: float) -> bool:
    """From inside the debounced flush: queue it again `wait` seconds from now, keeping the "scheduled" mark
    (its lifetime extended) so commits meanwhile queue nothing. False when it could not be queued (then flush
    now: the changes must not wait for the sweeper)."""
    countdown = max(wait, shortest_countdown())
    try:
        _send(FLUSH_TASK, countdown=countdown)
    except Exception as exc:
        logger.warning("Cannot queue the debounced index flush again (%s: %s); flushing now", type(exc).__name__, exc)
        return False
    ttl = int(countdown + settings.AI_INDEX_SCHEDULE_TTL_SECONDS)
    try:
        cache.set(SCHEDULED_KEY, _due(countdown), timeout=ttl)
    except Exception as exc:  # without the mark a commit queues one more flush: harmless
        logger.warning("Cannot extend the index flush mark: %s", exc)
    return True


def clear_scheduled_mark() -> None:
    """Forget the pending-flush mark (first thing a flush does). Never raises."""
    try:
        cache.delete(SCHEDULED_KEY)
    except Exception as exc:
        logger.warning("Cannot clear the index flush mark: %s", exc)


def is_flush_scheduled() -> bool:
    """Whether a flush is marked as pending right now, and not overdue."""
    try:
        mark = cache.get(SCHEDULED_KEY)
    except Exception:
        return False
    return mark is not None and not _overdue(mark)


# --- one rebuild at a time ------------------------------------------------------------------


def queue_rebuild(send: Callable[[str], Any], task_id: str | None = None) -> tuple[str, bool]:
    """Claim the rebuild slot for a new task id, then `send(task_id)`: (task id, queued by this call).

    While a rebuild is queued or running nothing is sent and its id is returned. When sending fails the
    slot is freed again and the error propagates.
    """
    task_id = task_id or str(uuid.uuid4())
    owner = state.claim_rebuild(task_id)
    if owner != task_id:
        logger.info("A rebuild is already queued or running (%s); not queueing another", owner)
        return owner, False
    try:
        send(task_id)
    except Exception:
        state.finish_rebuild(task_id)
        raise
    return task_id, True


def trigger_rebuild() -> tuple[str, bool]:
    """Queue a rebuild unless one is queued or running: (task id, queued by this call). Raises kombu's
    OperationalError quickly when the broker is down."""
    return queue_rebuild(lambda task_id: _send(REBUILD_TASK, task_id=task_id))


def trigger_update() -> str:
    """Queue a flush of everything pending now (no debounce); returns its task id. Raises kombu's
    OperationalError quickly when the broker is down."""
    return _send(UPDATE_TASK).id


def queue_first_index_build() -> str | None:
    """Queue a rebuild when no collection is active yet (first start); its task id, or None. Never raises."""
    if state.active_collection():
        return None
    try:
        task_id, _ = trigger_rebuild()
    except Exception as exc:  # the broker is not up yet: the nightly refresh or the admin builds it later
        logger.warning("Cannot queue the first index build (%s); run `python manage.py rebuild_ai_index`", exc)
        return None
    return task_id
