"""The outbox and the debounce, on the real database and the real Redis (no worker needed)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from apps.ai_assistant.indexing import outbox, scheduling
from apps.ai_assistant.models import IndexChange
from tests.auto_index.helpers import broker_at, dead_broker_url
from tests.fixtures.celery_worker import purge_queues


@pytest.fixture
def clean_schedule():
    """No flush mark and no queued message from elsewhere before and after the test."""
    scheduling.clear_scheduled_mark()
    purge_queues()
    yield
    scheduling.clear_scheduled_mark()
    purge_queues()


def test_record_changes_writes_one_row_per_distinct_document(db):
    assert outbox.record_changes(["product:1", "part:2", "product:1", ""]) == 2
    assert sorted(IndexChange.objects.values_list("doc_id", flat=True)) == ["part:2", "product:1"]
    assert outbox.record_changes([]) == 0


def test_rows_roll_back_with_the_change_and_nothing_is_scheduled(transactional_db, clean_schedule):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.record_and_schedule(["product:7"])
        assert IndexChange.objects.count() == 1  # visible inside the transaction
        raise RuntimeError("the catalog write failed")
    assert IndexChange.objects.count() == 0
    assert not scheduling.is_flush_scheduled()


def test_commit_schedules_one_flush_for_a_burst(transactional_db, clean_schedule):
    for n in range(20):
        with transaction.atomic():
            outbox.record_and_schedule([f"product:{n}"])
    assert IndexChange.objects.count() == 20
    assert scheduling.is_flush_scheduled()
    from ecommerce_backend.celery import app

    with app.connection_for_write() as conn:
        # exactly one message waits in the light queue (routing of ai_assistant.flush_index_changes)
        assert conn.default_channel.client.llen("ai_light") == 1


def test_claims_are_disjoint_and_complete_deletes_only_claimed_rows(db):
    outbox.record_changes(["product:1", "product:2"])
    first = outbox.claim_changes()
    assert first is not None and first.rows == 2 and first.doc_ids == {"product:1", "product:2"}
    # a change made while the first flush runs: same document again, and a new one
    outbox.record_changes(["product:1", "category:3"])
    second = outbox.claim_changes()
    assert second is not None and second.doc_ids == {"product:1", "category:3"}
    assert outbox.claim_changes() is None  # nothing unclaimed is left

    assert outbox.complete(first) == 2
    assert sorted(IndexChange.objects.values_list("doc_id", flat=True)) == ["category:3", "product:1"]
    assert outbox.release(second) == 2
    assert IndexChange.objects.filter(claimed_by="").count() == 2


def test_claim_respects_the_batch_limit(db):
    outbox.record_changes([f"product:{n}" for n in range(7)])
    claim = outbox.claim_changes(limit=5)
    assert claim.rows == 5
    assert IndexChange.objects.filter(claimed_by="").count() == 2


def test_stale_claims_are_released_fresh_ones_kept(db):
    outbox.record_changes(["product:1"])
    dead = outbox.claim_changes()
    IndexChange.objects.filter(claimed_by=dead.token).update(claimed_at=timezone.now() - timedelta(minutes=10))
    outbox.record_changes(["product:2"])
    alive = outbox.claim_changes()

    assert outbox.release_stale_claims(timeout_seconds=300) == 1
    assert list(IndexChange.objects.filter(claimed_by="").values_list("doc_id", flat=True)) == ["product:1"]
    assert IndexChange.objects.filter(claimed_by=alive.token).count() == 1


def test_stats_count_pending_claimed_and_age(db):
    assert outbox.stats()["pending_changes"] == 0
    assert outbox.stats()["oldest_pending_seconds"] is None
    outbox.record_changes(["product:1", "product:2"])
    outbox.record_changes(["product:1"])
    IndexChange.objects.filter(doc_id="product:2").update(created_at=timezone.now() - timedelta(seconds=30))
    outbox.claim_changes(limit=1)
    stats = outbox.stats()
    assert stats["pending_changes"] == 3
    assert stats["claimed_changes"] == 1
    assert stats["pending_documents"] == 2
    assert 29 <= stats["oldest_pending_seconds"] < 60


def test_schedule_keeps_at_most_one_flush_pending(clean_schedule):
    assert scheduling.schedule_index_update() is True
    assert scheduling.schedule_index_update() is False
    assert scheduling.is_flush_scheduled()
    scheduling.clear_scheduled_mark()  # what the flush does first
    assert scheduling.schedule_index_update() is True


def test_schedule_with_the_broker_down_returns_quickly_and_never_raises(clean_schedule, caplog):
    with broker_at(dead_broker_url()):
        started = time.monotonic()
        assert scheduling.schedule_index_update() is False
        elapsed = time.monotonic() - started
    assert elapsed < 5
    # the mark is gone, so the next change (with the broker back) schedules again
    assert not scheduling.is_flush_scheduled()
    assert "sweeper will pick the changes up" in caplog.text
    assert scheduling.schedule_index_update() is True
