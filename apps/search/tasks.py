"""Beat tasks of the search app (CELERY_BEAT_SCHEDULE in settings): thin over the services."""

from __future__ import annotations

from celery import shared_task

from apps.search.services.analytics import prune_search_records as prune
from apps.search.services.vocabulary import refresh_all


@shared_task(name="search.prune_search_records")
def prune_search_records() -> dict:
    """Daily: delete search records older than AI_SEARCH_LOG_DAYS."""
    return {"deleted": prune()}


@shared_task(name="search.refresh_vocabulary")
def refresh_vocabulary() -> dict:
    """Nightly: recompute the did-you-mean words and the suggestion names from the catalog."""
    return refresh_all()
