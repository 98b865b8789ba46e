"""The index's pointer and bookkeeping (IndexState, pk=1), and the only module that reads or writes it.

It holds which collection is active, which one a rebuild is filling, the version stamp of the active
collection's ledger, the rebuild slot (the id of the queued or running rebuild task), the time of the last
scheduled refresh and the last indexing error.

Every change of the pointer or of the rebuild slot is one conditional UPDATE (compare-and-set), so two
processes can never both win: one first collection, one rebuild at a time, one switch. A claim (rebuild slot
or building collection) older than the task hard time limit belongs to a process that died: `is_live()` is
the one staleness rule for both. A rebuild spread over many tasks (indexing/rebuild_chunks.py) renews both
claims after every batch it writes (`touch_rebuild`): the claim is the rebuild's, not one task's, and a
rebuild whose tasks all stopped writing for longer than the time limit is stale.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.ai_assistant.models import IndexedDocument, IndexState


class RebuildInProgress(RuntimeError):
    """Another rebuild is filling a collection right now; only one runs at a time."""


@dataclass(frozen=True)
class Target:
    """A collection to write to, with the embedding space its vectors live in."""

    collection: str
    provider: str
    model: str


def get_state() -> IndexState:
    try:
        state, _ = IndexState.objects.get_or_create(pk=1)
    except IntegrityError:  # created by another process at the same moment
        state = IndexState.objects.get(pk=1)
    return state


def _stale_before() -> datetime:
    # A rebuild cannot outlive the task hard limit: an older claim belongs to a process that died.
    return timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def is_live(started_at: datetime | None) -> bool:
    """The staleness rule of every claim on the state (rebuild slot, building collection)."""
    return started_at is not None and started_at >= _stale_before()


def _free(owner_field: str, started_field: str) -> Q:
    """A slot nobody holds, or one whose claim is stale (the negation of `is_live` as a filter)."""
    stale = Q(**{f"{started_field}__isnull": True}) | Q(**{f"{started_field}__lt": _stale_before()})
    return Q(**{owner_field: ""}) | stale


def building_is_live(state: IndexState) -> bool:
    return bool(state.building_collection) and is_live(state.building_started_at)


def active_collection() -> str:
    """The collection searches read, or "" before the first build."""
    return get_state().active_collection


def write_targets(state: IndexState) -> list[Target]:
    """Where a sync writes: the active collection, and the one a live rebuild is filling."""
    targets = []
    if state.active_collection:
        targets.append(Target(state.active_collection, state.embedding_provider, state.embedding_model))
    if building_is_live(state) and state.building_collection != state.active_collection:
        targets.append(Target(state.building_collection, state.building_provider, state.building_model))
    return targets


def _slug(value: str, limit: int) -> str:
    return re.sub(r"[^a-zA-Z0-9]+", "-", value).strip("-").lower()[:limit] or "x"


def new_collection_name(provider: str, model: str) -> str:
    """`{prefix}-{provider}-{model}-{UTC timestamp}-{random}`: versioned, valid for Chroma, <= 128 chars."""
    prefix = re.sub(r"[^a-zA-Z0-9._-]+", "-", settings.CHROMA_COLLECTION_PREFIX).strip("-._")[:40] or "marcus"
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    return f"{prefix}-{_slug(provider, 16)}-{_slug(model, 40)}-{stamp}-{secrets.token_hex(2)}"


def claim_first_collection(target: Target) -> bool:
    """Make `target` the active collection if none is active; False when another process was first."""
    get_state()
    won = bool(
        IndexState.objects.filter(pk=1, active_collection="").update(
            active_collection=target.collection,
            embedding_provider=target.provider,
            embedding_model=target.model,
            ledger_version=F("ledger_version") + 1,
        )
    )
    return won


def claim_building(target: Target) -> None:
    """Record the collection a rebuild fills; RebuildInProgress when a live rebuild holds the slot."""
    get_state()
    won = IndexState.objects.filter(_free("building_collection", "building_started_at"), pk=1).update(
        building_collection=target.collection,
        building_provider=target.provider,
        building_model=target.model,
        building_started_at=timezone.now(),
    )
    if not won:
        raise RebuildInProgress(f"A rebuild is already filling {get_state().building_collection}.")


def release_building(collection: str) -> None:
    IndexState.objects.filter(pk=1, building_collection=collection).update(
        building_collection="", building_provider="", building_model="", building_started_at=None
    )


def switch_active(target: Target) -> str:
    """Atomically point searches at `target` (the collection this rebuild filled); returns the previous one."""
    with transaction.atomic():
        state = IndexState.objects.select_for_update().get(pk=1)
        if state.building_collection != target.collection:
            raise RebuildInProgress(f"{target.collection} is no longer the collection being built.")
        previous = state.active_collection
        IndexState.objects.filter(pk=1).update(
            active_collection=target.collection,
            embedding_provider=target.provider,
            embedding_model=target.model,
            building_collection="",
            building_provider="",
            building_model="",
            building_started_at=None,
            last_rebuild_at=timezone.now(),
            ledger_version=F("ledger_version") + 1,
        )
    return previous


def mark_updated(collection: str) -> None:
    """After a write to `collection`'s ledger: bump the version searches watch (when it is the active one)."""
    IndexState.objects.filter(pk=1, active_collection=collection).update(
        ledger_version=F("ledger_version") + 1, last_update_at=timezone.now()
    )


# --- the rebuild slot: one rebuild task queued or running at a time ------------------------------


def running_rebuild_id() -> str:
    """The id of the rebuild that is queued or running, or "" (a stale claim counts as none)."""
    state = get_state()
    return state.rebuild_task_id if state.rebuild_task_id and is_live(state.rebuild_started_at) else ""


def claim_rebuild(task_id: str) -> str:
    """Compare-and-set the rebuild slot to `task_id`; returns the owner afterwards (== task_id when won)."""
    get_state()
    # Free, stale, or already ours (the worker re-claims the id that the trigger recorded).
    won = (
        IndexState.objects.filter(pk=1)
        .filter(_free("rebuild_task_id", "rebuild_started_at") | Q(rebuild_task_id=task_id))
        .update(rebuild_task_id=task_id, rebuild_started_at=timezone.now())
    )
    if won:
        return task_id
    return running_rebuild_id() or task_id


def finish_rebuild(task_id: str) -> None:
    """Free the rebuild slot if `task_id` still holds it."""
    IndexState.objects.filter(pk=1, rebuild_task_id=task_id).update(rebuild_task_id="", rebuild_started_at=None)


def touch_rebuild(task_id: str, collection: str) -> bool:
    """A sign of life of the rebuild `task_id` filling `collection`: both its claims count from now.

    False when the building claim is no longer this rebuild's (it finished, or was abandoned as stale and
    another took the slot): the caller's work is for a collection nobody will switch to.
    """
    now = timezone.now()
    if task_id:
        IndexState.objects.filter(pk=1, rebuild_task_id=task_id).update(rebuild_started_at=now)
    return bool(IndexState.objects.filter(pk=1, building_collection=collection).update(building_started_at=now))


def first_build_pending() -> bool:
    """No collection is active yet and a rebuild (the first build) is queued or running."""
    return not active_collection() and bool(running_rebuild_id())


# --- what a search can expect from the index ---------------------------------------------------

READY, BUILDING, EMPTY = "ready", "building", "empty"


def search_readiness() -> str:
    """`index_state` of search and chat answers: "ready" (the active collection holds documents), "building"
    (none yet, and a build is queued or running: results come once it switches) or "empty" (none, no build).

    Two small queries; creates nothing. A rebuild over a filled collection is "ready": searches keep reading
    the old collection until the switch.
    """
    row = (
        IndexState.objects.filter(pk=1)
        .values_list("active_collection", "rebuild_task_id", "rebuild_started_at")
        .first()
    )
    active, rebuild_id, rebuild_started = row or ("", "", None)
    if active and IndexedDocument.objects.filter(collection=active).exists():
        return READY
    return BUILDING if rebuild_id and is_live(rebuild_started) else EMPTY


# --- bookkeeping of the scheduled refresh and of errors ------------------------------------------


def refresh_due() -> bool:
    """False when a refresh ran within AI_INDEX_REFRESH_MIN_INTERVAL_SECONDS."""
    last = get_state().last_refresh_at
    if last is None:
        return True
    return timezone.now() - last >= timedelta(seconds=settings.AI_INDEX_REFRESH_MIN_INTERVAL_SECONDS)


def mark_refreshed() -> None:
    get_state()
    IndexState.objects.filter(pk=1).update(last_refresh_at=timezone.now())


def note_error(message: str) -> None:
    """Keep the last indexing error where the status endpoint and the admin show it."""
    get_state()
    IndexState.objects.filter(pk=1).update(last_error=message[:2000])


def search_pointer() -> tuple[str, str, str, int] | None:
    """What a search needs: (active collection, embedding provider, model, ledger version); None before the
    first build. One small query; creates nothing."""
    row = (
        IndexState.objects.filter(pk=1)
        .values_list("active_collection", "embedding_provider", "embedding_model", "ledger_version")
        .first()
    )
    return row if row and row[0] else None
