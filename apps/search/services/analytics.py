"""Search analytics: one row per search (no address, no user), and their expiry after AI_SEARCH_LOG_DAYS.

`record_search()` is one INSERT after the answer is computed; any database error is logged and swallowed, so
a failure to record never fails the search. Inside a transaction (tests, ATOMIC_REQUESTS) the INSERT gets a
savepoint, so a failed one cannot poison the outer transaction; in autocommit, the usual case of a search, it
is its own transaction already, and the BEGIN and COMMIT an atomic block would add are left out.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from apps.ai_assistant.retrieval.text import normalize
from apps.search.models import QUERY_CHARS, SearchRecord

logger = logging.getLogger(__name__)


def normalise_query(query: str) -> str:
    """The form the report groups by: lowercase words, single spaces, at most QUERY_CHARS characters."""
    return normalize(query)[:QUERY_CHARS].strip()


def record_search(query: str, filters: dict[str, Any], hits: int, keyword_hits: int, took_ms: float) -> None:
    """Store one search; never raises (see the module docstring). `filters`: the filters given, JSON-ready."""
    fields = {
        "query": normalise_query(query),
        "filters": {name: value for name, value in filters.items() if value is not None},
        "hits": hits,
        "keyword_hits": keyword_hits,
        "took_ms": round(took_ms, 1),
    }
    try:
        if connection.in_atomic_block:
            with transaction.atomic():  # a savepoint: see the module docstring
                SearchRecord.objects.create(**fields)
        else:
            SearchRecord.objects.create(**fields)
    except (DatabaseError, ValueError, TypeError) as exc:
        logger.warning("search analytics: the search was not recorded: %s", exc)


def prune_search_records(days: int | None = None) -> int:
    """Delete records older than `days` (default AI_SEARCH_LOG_DAYS); returns how many were deleted."""
    days = settings.AI_SEARCH_LOG_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = SearchRecord.objects.filter(created_at__lt=cutoff).delete()
    if deleted:
        logger.info("search analytics: %d records older than %d days deleted", deleted, days)
    return deleted
