"""Search analytics: a row per search (no address, no user), never failing the search, expiry, the report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.utils import timezone

from apps.search.models import SearchRecord
from apps.search.selectors.analytics import top_queries
from apps.search.tasks import prune_search_records

URL = "/api/ai-assistant/search"


@pytest.mark.integration
def test_each_search_writes_one_row_without_who_searched(indexed, api_client):
    response = api_client.get(URL, {"q": "  Fat BIKE   wheels ", "in_stock": "true", "max_price": "900"})
    assert response.status_code == 200
    body = response.json()
    record = SearchRecord.objects.get()
    assert record.query == "fat bike wheels"
    assert record.filters == {"in_stock": True, "max_price": "900.00"}
    assert record.hits == body["total"] > 0 and record.keyword_hits > 0
    assert record.took_ms >= 0 and record.created_at <= timezone.now()
    field_names = {field.name for field in SearchRecord._meta.get_fields()}
    assert field_names == {"id", "query", "filters", "hits", "keyword_hits", "took_ms", "created_at"}


@pytest.mark.integration
def test_a_failure_to_record_never_fails_the_search(indexed, api_client, monkeypatch):
    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(SearchRecord.objects, "create", broken)
    response = api_client.get(URL, {"q": "skis"})
    assert response.status_code == 200 and response.json()["results"]
    monkeypatch.undo()
    assert SearchRecord.objects.count() == 0


def record(query: str, *, days_ago: float, keyword_hits: int = 3) -> SearchRecord:
    return SearchRecord.objects.create(
        query=query, hits=10, keyword_hits=keyword_hits, took_ms=5.0,
        created_at=timezone.now() - timedelta(days=days_ago),
    )  # fmt: skip


def test_records_older_than_the_setting_are_deleted_by_the_beat_task(db, settings):
    settings.AI_SEARCH_LOG_DAYS = 30
    kept, old = record("kept", days_ago=29), record("old", days_ago=31)
    assert prune_search_records() == {"deleted": 1}
    assert list(SearchRecord.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not SearchRecord.objects.filter(pk=old.pk).exists()
    assert "search.prune_search_records" in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}


def test_the_report_counts_top_and_not_found_queries_in_the_period(db):
    for _ in range(3):
        record("fat bike", days_ago=1)
    record("fat bike", days_ago=10)  # outside a 7-day period
    for _ in range(2):
        record("unicycle", days_ago=2, keyword_hits=0)
    record("skis", days_ago=3)
    now = timezone.now()
    week = top_queries(now - timedelta(days=7), now)
    assert [(row["query"], row["searches"]) for row in week] == [("fat bike", 3), ("unicycle", 2), ("skis", 1)]
    missing = top_queries(now - timedelta(days=7), now, not_found=True)
    assert [(row["query"], row["searches"]) for row in missing] == [("unicycle", 2)]
    month = top_queries(now - timedelta(days=30), now)
    assert month[0]["query"] == "fat bike" and month[0]["searches"] == 4


def test_the_admin_shows_the_records_and_the_report(db, admin_client):
    record("fat bike", days_ago=1)
    record("unicycle", days_ago=1, keyword_hits=0)
    changelist = admin_client.get("/admin/search/searchrecord/")
    assert changelist.status_code == 200 and b"unicycle" in changelist.content
    assert admin_client.get("/admin/search/searchrecord/?created_at__gte=2000-01-01").status_code == 200
    report = admin_client.get("/admin/search/searchrecord/report/", {"days": 7})
    assert report.status_code == 200
    html = report.content.decode()
    top, missing = html.split('id="not-found-queries"')
    assert "fat bike" in top and "unicycle" in top
    assert "unicycle" in missing and "fat bike" not in missing
    dated = admin_client.get("/admin/search/searchrecord/report/", {"since": "2000-01-01", "until": "2000-01-31"})
    assert dated.status_code == 200 and "fat bike" not in dated.content.decode()


def test_search_log_days_is_validated_at_start():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='ecommerce_backend.settings'; "
         "django.setup()"],
        env={**__import__("os").environ, "AI_SEARCH_LOG_DAYS": "0"}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0 and "AI_SEARCH_LOG_DAYS" in result.stderr
