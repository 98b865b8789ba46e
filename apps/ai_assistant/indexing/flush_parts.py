"""A large flush split over the worker processes: its documents' embedding is the slow part, and one process
embeds at the speed of one core.

When a flush finds at least 2 x MIN_DOCUMENTS_PER_PART documents waiting, it splits them (up to its batch) into
AI_INDEX_FLUSH_PARTS parts of whole documents, sends every part but the first as a `flush_index_part` task
(ai_light) and claims only the rest itself. Each part claims the rows of its documents committed before the
flush began, so a document is embedded by one process, once; the index write lock orders their writes as it
orders any two flushes. A part whose message is lost leaves its rows unclaimed: the next flush or the sweeper
takes them, as it takes the rows of any lost flush.
"""

from __future__ import annotations

import logging
import math

from django.conf import settings

from apps.ai_assistant.indexing import scheduling
from apps.ai_assistant.models import IndexChange

logger = logging.getLogger(__name__)

MIN_DOCUMENTS_PER_PART = 50  # below this a part's task costs more than the core it gains


def plan(up_to: int, limit: int | None = None, parts: int | None = None) -> list[list[str]]:
    """The documents of the unclaimed rows up to `up_to` (at most `limit`), in parts of whole documents; []
    when there are too few to split."""
    parts = parts or settings.AI_INDEX_FLUSH_PARTS
    limit = limit or settings.AI_INDEX_FLUSH_BATCH_SIZE
    if parts < 2:
        return []
    rows = IndexChange.objects.filter(claimed_by="", id__lte=up_to).order_by().values_list("doc_id", flat=True)
    docs = sorted(set(rows.distinct()[:limit]))
    count = min(parts, len(docs) // MIN_DOCUMENTS_PER_PART)
    if count < 2:
        return []
    size = math.ceil(len(docs) / count)
    return [docs[start : start + size] for start in range(0, len(docs), size)]


def hand_out(up_to: int, limit: int | None = None) -> set[str]:
    """Send every part but the first to the other workers; the documents handed out (whose rows up to `up_to`
    the calling flush must leave alone). A part that cannot be sent stays with the caller."""
    handed: set[str] = set()
    for part in plan(up_to, limit)[1:]:
        try:
            scheduling.send_flush_part(part, up_to)
        except Exception as exc:
            logger.warning("Cannot hand a flush part out (%s: %s); flushing it here", type(exc).__name__, exc)
            continue
        handed.update(part)
    return handed
