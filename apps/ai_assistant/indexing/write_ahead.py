"""Writing ahead of the debounced flush: what of the pending changes costs no embedding is written at once.

While edits keep arriving, the debounced flush waits (indexing/scheduling.py) and each of its deferred runs,
and each sweeper round, calls `write_ahead`: the documents of the outbox rows no pass has written ahead yet go
through IndexWriter.sync_without_embedding, which writes their facts (price, stock), deletions, new documents
and cached-vector texts in full, and the keyword rows of changed texts that still need embedding. So a change
is found by its words and filters within the debounce; a changed text's vector waits for the flush, which
embeds it once.

Each pass first marks the rows it takes (`IndexChange.written_ahead`), so the next takes only the rows since:
its cost follows the rate of edits, not the length of the wait; two passes at once (two worker hosts) share the
rows instead of writing them twice; and a row whose transaction commits late is simply unmarked until a pass
sees it (no clock is compared between hosts). A pass that fails unmarks its rows; one that dies leaves them to
the flush, which deletes the rows whatever their mark (it reads the documents again): their words come at the
max wait instead, nothing is lost. Rows claimed by a flush count too: that flush may have died with them, and
its claim is freed only after the claim timeout.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import connection, transaction

from apps.ai_assistant.models import IN_LIST_CHUNK, IndexChange

logger = logging.getLogger(__name__)




def take_pending_rows(limit: int | None = None) -> tuple[list[int], list[str]]:
    """Mark as written ahead the oldest `limit` outbox rows (claimed or not) that no pass has taken, and return
    (their ids, their distinct documents). Rows another pass is taking right now are skipped (PostgreSQL:
    SKIP LOCKED), so two passes at once share the work instead of doing it twice."""
    limit = limit or settings.AI_INDEX_FLUSH_BATCH_SIZE
    with transaction.atomic():
        rows = list(
            IndexChange.objects.select_for_update(skip_locked=True)
            .filter(written_ahead=False)
            .order_by("id")
            .values_list("id", "doc_id")[:limit]
        )
        row_ids = [row_id for row_id, _ in rows]
        _mark(row_ids, True)
    return row_ids, list(dict.fromkeys(doc_id for _, doc_id in rows))


def _mark(row_ids: list[int], written_ahead: bool) -> None:
    for start in range(0, len(row_ids), IN_LIST_CHUNK):
        IndexChange.objects.filter(id__in=row_ids[start : start + IN_LIST_CHUNK]).update(written_ahead=written_ahead)


def write_ahead(limit: int | None = None) -> dict:
    """Write what of the recently changed documents costs no embedding, and the keyword rows of their new
    texts; their outbox rows stay for the flush, marked as written ahead. Best effort: a failure is logged, the
    rows stay unmarked, and the flush writes everything anyway."""
    from apps.ai_assistant.services.index_service import get_index_service

    started = time.monotonic()
    row_ids, doc_ids = take_pending_rows(limit)
    if not doc_ids:
        return {}
    try:
        result = get_index_service().sync_without_embedding(doc_ids)
    except Exception as exc:
        logger.warning("Could not write the pending changes ahead of the flush (%s: %s)", type(exc).__name__, exc)
        _mark(row_ids, False)  # for the next pass (the flush writes them anyway)
        return {"failed": type(exc).__name__}
    logger.info(
        "Wrote ahead %d documents of %d outbox rows in %.3fs", len(doc_ids), len(row_ids), time.monotonic() - started
    )
    return result


def write_through(doc_ids: list[str]) -> int:
    """Right after the commit of a small change (outbox.record_and_schedule's on_commit hook), in the request
    that made it: the keyword rows of its documents' changed texts, so their words are searchable when it
    answers, whatever the workers' backlog (IndexWriter.write_keywords_ahead: no embedding, no vector store
    call, no index write lock). A keyword write waits for a worker's transaction that holds the collection's
    keyword rows at most AI_INDEX_WRITE_THROUGH_WAIT_SECONDS (PostgreSQL), then leaves them to the workers'
    passes; its outbox rows are theirs anyway (facts, new documents, the vector). Never raises; returns the
    keyword rows written."""
    from apps.ai_assistant.indexing.writer import IndexWriter

    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                wait_ms = max(1, int(settings.AI_INDEX_WRITE_THROUGH_WAIT_SECONDS * 1000))
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL lock_timeout = '{wait_ms}ms'")
            return IndexWriter().write_keywords_ahead(doc_ids)
    except Exception as exc:  # a worker holding the rows, or a database hiccup: the workers' pass writes them
        logger.info("Write-through of %d documents left to the workers (%s: %s)", len(doc_ids), type(exc).__name__, exc)
        return 0
