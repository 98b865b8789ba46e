"""The index's pointer and bookkeeping (IndexState, pk=1): which collection is active, which one a rebuild is
filling, and the version stamp of the active collection's ledger.

Every change of the pointer is one conditional UPDATE (compare-and-set), so two processes can never both
win: one first collection, one rebuild at a time, one switch.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.ai_assistant.models import IndexState


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


def _stale_before():
    # A rebuild cannot outlive the task hard limit: an older claim belongs to a process that died.
    return timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def building_is_live(state: IndexState) -> bool:
    return bool(
        state.building_collection and state.building_started_at and state.building_started_at >= _stale_before()
    )


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
    if won:
        _search_sees_it()
    return won


def claim_building(target: Target) -> None:
    """Record the collection a rebuild fills; RebuildInProgress when a live rebuild holds the slot."""
    get_state()
    free = Q(building_collection="") | Q(building_started_at__isnull=True) | Q(building_started_at__lt=_stale_before())
    won = IndexState.objects.filter(free, pk=1).update(
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
    _search_sees_it()
    return previous


def mark_updated(collection: str) -> None:
    """After a write to `collection`'s ledger: bump the version searches watch (when it is the active one)."""
    IndexState.objects.filter(pk=1, active_collection=collection).update(
        ledger_version=F("ledger_version") + 1, last_update_at=timezone.now()
    )
    _search_sees_it()


def _search_sees_it() -> None:
    # Other processes notice the new version within REFRESH_SECONDS; this one must read its own write at once.
    from apps.ai_assistant.retrieval.hybrid import mark_search_cache_stale

    mark_search_cache_stale()
