"""The index status, built in one place for the API (GET /api/ai-assistant/index/status) and the admin panel.

The index service's own numbers (documents, active collection, embedding model, last update and rebuild),
the outbox (pending and claimed changes, the age of the oldest), whether a flush is scheduled, which
rebuild task holds the slot and how far its chunks are (`rebuild_progress`: chunks and documents done of
the total, the workers that ran them; None when no rebuild fills a collection).
"""

from __future__ import annotations

from typing import Any

from apps.ai_assistant.indexing import outbox, rebuild_chunks, scheduling, state

_NULLABLE = ("last_update_at", "last_rebuild_at", "last_refresh_at", "last_error")


def index_status(*, tolerate_errors: bool = False) -> dict[str, Any]:
    """The status as a dict. An error of the index service propagates (TransientIndexError: the vector store
    is unreachable), unless `tolerate_errors`: then it is reported as `status_error` beside the rest."""
    # Deferred: the index service pulls in the retrieval stage (vector store client, numpy).
    from apps.ai_assistant.services.index_service import get_index_service

    try:
        data = dict(get_index_service().status())
    except Exception as exc:
        if not tolerate_errors:
            raise
        # The admin panel must render even when the vector store is down.
        data = {"status_error": f"{type(exc).__name__}: {exc}"}
    data.update(outbox.stats())
    for name in _NULLABLE:
        data.setdefault(name, None)
    data.setdefault("documents", 0)
    data.setdefault("active_collection", "")
    data.setdefault("embedding_model", "")
    data["flush_scheduled"] = scheduling.is_flush_scheduled()
    data["rebuild_task_id"] = state.running_rebuild_id()
    data["rebuild_in_progress"] = bool(data.get("rebuild_in_progress") or data["rebuild_task_id"])
    building = data.get("building_collection") or ""
    data["rebuild_progress"] = rebuild_chunks.progress(building) if building else None
    return data
