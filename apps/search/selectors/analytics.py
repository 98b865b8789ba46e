"""The search report: the most frequent queries, and those that found nothing by their words, in a period."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Avg, Count, Max

from apps.search.models import SearchRecord

MAX_ROWS = 100


def top_queries(since: datetime, until: datetime, *, not_found: bool = False, rows: int = 20) -> list[dict]:
    """[{query, searches, avg_hits, last}] by number of searches, most first, in [since, until).

    not_found: only searches whose words matched no document (keyword_hits = 0): what customers look for and
    the shop does not name - the vector side alone may still have shown them something.
    """
    records = SearchRecord.objects.filter(created_at__gte=since, created_at__lt=until)
    if not_found:
        records = records.filter(keyword_hits=0)
    grouped = (
        records.values("query")
        .annotate(searches=Count("id"), avg_hits=Avg("hits"), last=Max("created_at"))
        .order_by("-searches", "query")[: max(1, min(rows, MAX_ROWS))]
    )
    return [
        {
            "query": row["query"],
            "searches": row["searches"],
            "avg_hits": round(row["avg_hits"] or 0, 1),
            "last": row["last"],
        }
        for row in grouped
    ]
