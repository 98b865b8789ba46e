"""Writing ahead of the debounced flush: what of the pending changes costs no embedding is written at once.

While edits keep arriving, the debounced flush waits (indexing/scheduling.py) and each of its deferred runs,
and each sweeper round, calls `write_ahead`: the documents of recent outbox rows go through
IndexWriter.sync_without_embedding, which writes their facts (price, stock), deletions and cached-vector texts
in full, and the keyword rows of texts that still need embedding. So a change is found by its words and
filters within the debounce; its vector waits for the flush, which embeds each changed text once.

Each pass takes the documents of rows written since the previous pass began (less an overlap for rows
committed late; the hosts' clocks must agree to within it: NTP), so its cost follows the rate of edits, not
the length of the wait. Rows claimed by a flush count too: that flush may have died with them, and its claim
is freed only after the claim timeout.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Min
from django.utils import timezone

from apps.ai_assistant.models import IndexChange

logger = logging.getLogger(__name__)

PASS_KEY = "ai_index:written_ahead_at"
# A row is written (created_at) before its transaction commits; one committed up to this long after is still
# in the next pass. Later ones wait for the flush: nothing is lost, only their words come later. (A catalog
# write's transaction takes milliseconds; with 5 s, passes a second apart read each document five times over.)
OVERLAP_SECONDS = 2.0


def pending_doc_ids(limit: int | None = None, since: datetime | None = None) -> list[str]:
    """The distinct documents of outbox rows (claimed or not) written since `since`, oldest rows first, at
    most `limit` of them."""
    limit = limit or settings.AI_INDEX_FLUSH_BATCH_SIZE
    rows = IndexChange.objects.all()
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    ids = rows.values("doc_id").annotate(first=Min("id")).order_by("first").values_list("doc_id", flat=True)
    return list(ids[:limit])


def _previous_pass() -> datetime | None:
    try:
        value = cache.get(PASS_KEY)
        return datetime.fromisoformat(value) if value else None
    except Exception:  # no cache, or a value of another format: take every pending row
        return None


def write_ahead(limit: int | None = None) -> dict:
    """Write what of the recently changed documents costs no embedding, and the keyword rows of their new
    texts; their outbox rows stay for the flush. Best effort: a failure is logged, and the flush writes
    everything anyway."""
    from apps.ai_assistant.services.index_service import get_index_service

    started = timezone.now()
    previous = _previous_pass()
    since = previous - timedelta(seconds=OVERLAP_SECONDS) if previous else None
    try:
        result = get_index_service().sync_without_embedding(pending_doc_ids(limit, since))
    except Exception as exc:
        logger.warning("Could not write the pending changes ahead of the flush (%s: %s)", type(exc).__name__, exc)
        return {"failed": type(exc).__name__}
    try:
        # Kept as long as a flush may wait: a pass after a longer gap takes every pending row again.
        cache.set(PASS_KEY, started.isoformat(), timeout=int(settings.AI_INDEX_DEBOUNCE_MAX_WAIT_SECONDS) + 60)
    except Exception as exc:
        logger.warning("Cannot record the write-ahead pass: %s", exc)
    return result
