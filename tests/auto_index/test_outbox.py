"""The outbox and the debounce, on the real database and the real Redis (no worker needed)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from apps.ai_assistant.indexing import outbox, scheduling, write_ahead
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


def test_a_commit_replaces_an_overdue_flush_presumed_lost_with_its_worker(transactional_db, clean_schedule):
    from django.core.cache import cache

    from ecommerce_backend.celery import app

    with transaction.atomic():
        outbox.record_and_schedule(["product:1"])
    with transaction.atomic():
        outbox.record_and_schedule(["product:2"])  # the first flush is due in a second: nothing more queued
    with app.connection_for_write() as conn:
        assert conn.default_channel.client.llen("ai_light") == 1
    # Its worker died holding the countdown: the mark says it was due longer ago than OVERDUE_SECONDS.
    late = timezone.now() - timedelta(seconds=scheduling.OVERDUE_SECONDS + 1)
    cache.set(scheduling.SCHEDULED_KEY, late.isoformat(), timeout=60)
    assert not scheduling.is_flush_scheduled()  # the sweeper no longer leaves the rows to it

    with transaction.atomic():
        outbox.record_and_schedule(["product:3"])

    assert scheduling.is_flush_scheduled()  # marked again, due one debounce from now
    with app.connection_for_write() as conn:
        assert conn.default_channel.client.llen("ai_light") == 2  # another flush queued


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


def test_quiet_wait_trails_the_newest_change_but_never_passes_the_max_wait(settings):
    settings.AI_INDEX_DEBOUNCE_SECONDS = 1.0
    settings.AI_INDEX_DEBOUNCE_MAX_WAIT_SECONDS = 10.0
    now = timezone.now()
    ago = lambda seconds: now - timedelta(seconds=seconds)  # noqa: E731
    assert scheduling.quiet_wait(None, None, now) == 0.0  # nothing pending
    assert scheduling.quiet_wait(ago(1.5), ago(1.5), now) == 0.0  # a lone change, quiet for the debounce
    assert scheduling.quiet_wait(ago(3), ago(0.4), now) == pytest.approx(0.6)  # still arriving: trail the newest
    assert scheduling.quiet_wait(ago(9.5), ago(0.1), now) == pytest.approx(0.5)  # the max wait comes first
    assert scheduling.quiet_wait(ago(12), ago(0), now) == 0.0  # past the max wait: flush however busy
    assert scheduling.quiet_wait(ago(3), ago(0.9), now) == 0.0  # due within the slack: flush now
    settings.AI_INDEX_DEBOUNCE_MAX_WAIT_SECONDS = 0.5  # below the debounce: the debounce bounds it
    assert scheduling.quiet_wait(ago(0.2), ago(0.2), now) == pytest.approx(0.8)


@pytest.fixture
def synced(monkeypatch) -> list[list[str]]:
    """The document ids each flush batch syncs; no index behind it (these tests are about when it flushes)."""
    from apps.ai_assistant.services import index_service

    batches: list[list[str]] = []

    class Service:
        def sync_documents(self, doc_ids):
            batches.append(list(doc_ids))
            return {"embedded": 0}

        def sync_without_embedding(self, doc_ids):
            batches.append(["ahead", *doc_ids])
            return {"embedded": 0}

    monkeypatch.setattr(index_service, "get_index_service", Service)
    monkeypatch.setattr(outbox.state, "first_build_pending", lambda: False)
    return batches


def test_a_debounced_flush_during_a_burst_queues_itself_again_and_keeps_the_mark(transactional_db, clean_schedule,
                                                                                 settings, synced):
    settings.AI_INDEX_DEBOUNCE_SECONDS = 1.0
    settings.AI_INDEX_DEBOUNCE_MAX_WAIT_SECONDS = 10.0
    with transaction.atomic():
        outbox.record_and_schedule(["product:1"])
    purge_queues()  # the flush the commit queued: this test runs it by hand

    result = outbox.flush_changes(debounced=True)

    assert 0.5 < result["deferred_seconds"] <= 1.0 and result["changes"] == 0
    assert IndexChange.objects.count() == 1 and scheduling.is_flush_scheduled()
    from ecommerce_backend.celery import app

    with app.connection_for_write() as conn:
        assert conn.default_channel.client.llen("ai_light") == 1  # queued again
    # Meanwhile what costs no embedding was written ahead; the outbox row stays for the flush.
    assert synced == [["ahead", "product:1"]] and result["written_ahead"] == {"embedded": 0}
    # Not debounced (Update now, the sweeper, a command): flushes at once, whatever arrives.
    assert outbox.flush_changes()["changes"] == 1 and synced == [["ahead", "product:1"], ["product:1"]]
    assert not scheduling.is_flush_scheduled()


def test_a_debounced_flush_that_cannot_queue_itself_flushes_now(transactional_db, clean_schedule, settings, synced):
    settings.AI_INDEX_DEBOUNCE_SECONDS = 1.0
    with transaction.atomic():
        outbox.record_changes(["product:1"])
    with broker_at(dead_broker_url()):
        result = outbox.flush_changes(debounced=True)
    assert result["changes"] == 1 and synced == [["product:1"]] and not scheduling.is_flush_scheduled()


def test_the_sweeper_leaves_a_burst_to_its_scheduled_flush_until_the_max_wait(transactional_db, clean_schedule,
                                                                             settings, synced):
    settings.AI_INDEX_DEBOUNCE_SECONDS = 1.0
    settings.AI_INDEX_DEBOUNCE_MAX_WAIT_SECONDS = 10.0
    settings.AI_INDEX_SWEEP_GRACE_SECONDS = 0
    outbox.record_changes(["product:1"])
    IndexChange.objects.update(created_at=timezone.now() - timedelta(seconds=5))
    scheduling.schedule_index_update()  # a debounced flush is pending: the row is its own
    swept = outbox.sweep()
    # Not flushed, but what costs no embedding is written ahead: the flush may have been lost with a worker.
    assert swept["flushed"] is None and synced == [["ahead", "product:1"]]
    # Claimed rows are written ahead too (this one as if a pass had not seen it yet).
    IndexChange.objects.update(claimed_by="a-flush-that-died", written_ahead=False)
    assert outbox.sweep()["flushed"] is None and synced[-1] == ["ahead", "product:1"]
    IndexChange.objects.update(claimed_by="", created_at=timezone.now() - timedelta(seconds=11))
    assert outbox.sweep()["flushed"]["changes"] == 1  # past the max wait: that flush was lost
    assert synced[-1] == ["product:1"]


def test_a_write_ahead_pass_takes_the_rows_no_pass_has_read(transactional_db, clean_schedule, synced):
    """So a pass costs what changed since the last one, not everything a long wait has gathered; and a row
    committed late (a lower id than rows already read) is still taken by the next pass."""
    outbox.record_changes(["product:1"])
    assert write_ahead.write_ahead() == {"embedded": 0} and synced[-1] == ["ahead", "product:1"]
    outbox.record_changes(["product:2", "product:3"])
    late = IndexChange.objects.get(doc_id="product:2")
    IndexChange.objects.exclude(pk=late.pk).update(written_ahead=True)  # a pass read the others before it committed

    write_ahead.write_ahead()

    assert synced[-1] == ["ahead", "product:2"]
    assert set(IndexChange.objects.values_list("written_ahead", flat=True)) == {True}  # every row stays for the flush
    assert IndexChange.objects.count() == 3
    write_ahead.write_ahead()
    assert synced[-1] == ["ahead", "product:2"]  # nothing left: no new pass was made


def test_a_failed_write_ahead_pass_leaves_its_rows_to_the_next(transactional_db, clean_schedule, monkeypatch):
    from apps.ai_assistant.services import index_service

    class Down:
        def sync_without_embedding(self, doc_ids):
            raise ConnectionError("vector store unreachable")

    monkeypatch.setattr(index_service, "get_index_service", Down)
    outbox.record_changes(["product:1", "product:2"])

    assert write_ahead.write_ahead() == {"failed": "ConnectionError"}
    assert set(IndexChange.objects.values_list("written_ahead", flat=True)) == {False}


def test_a_long_flush_writes_ahead_the_changes_that_arrive_while_it_runs(transactional_db, clean_schedule, synced,
                                                                           monkeypatch):
    """Its remaining batches may hold the worker's only process for long: the new changes' words and facts
    are written ahead between batches."""
    from apps.ai_assistant.services import index_service

    service = index_service.get_index_service()
    real_sync = service.sync_documents

    def sync_and_edit(doc_ids):
        if doc_ids == ["product:1", "product:2"]:
            outbox.record_changes(["product:9"])  # an edit committed while the first batch syncs
        return real_sync(doc_ids)

    monkeypatch.setattr(service, "sync_documents", sync_and_edit)
    monkeypatch.setattr(index_service, "get_index_service", lambda: service)
    outbox.record_changes(["product:1", "product:2"])
    outbox.record_changes(["product:3"])

    result = outbox.flush_changes(batch_size=2)

    assert synced == [["product:1", "product:2"], ["ahead", "product:3", "product:9"], ["product:3"]]
    assert result["batches"] == 2 and result["written_ahead"] == {"embedded": 0}
    # The flush took the rows committed before it began, no more: the new one is for the flush its commit queued
    # (record_and_schedule), so a flush stays finite under edits that never stop.
    assert list(IndexChange.objects.values_list("doc_id", flat=True)) == ["product:9"]


def test_a_large_flush_hands_a_part_of_its_documents_to_another_worker(transactional_db, clean_schedule, synced,
                                                                       settings, monkeypatch):
    """Each document in one part only (embedded by one process, once); the part's task claims its rows."""
    settings.AI_INDEX_FLUSH_PARTS = 2
    sent: list[tuple[list[str], int]] = []
    monkeypatch.setattr(scheduling, "send_flush_part", lambda doc_ids, up_to: sent.append((doc_ids, up_to)))
    docs = [f"product:{n}" for n in range(120)]
    outbox.record_changes(docs)
    outbox.record_changes(docs[:10])  # edited twice: still one part's

    result = outbox.flush_changes()

    assert len(sent) == 1 and result["handed_out"] == len(sent[0][0]) == 60
    mine = set(synced[0])
    assert len(mine) == 60 and not mine & set(sent[0][0]) and mine | set(sent[0][0]) == set(docs)
    assert set(IndexChange.objects.values_list("doc_id", flat=True)) == set(sent[0][0])  # left to the part

    part = outbox.flush_part(*sent[0])

    assert part["documents"] == 60 and sorted(synced[1]) == sorted(sent[0][0]) and not IndexChange.objects.exists()


def test_a_flush_of_few_documents_or_whose_part_cannot_be_sent_does_it_all(transactional_db, clean_schedule, synced,
                                                                            settings, monkeypatch):
    settings.AI_INDEX_FLUSH_PARTS = 2
    outbox.record_changes([f"product:{n}" for n in range(30)])  # fewer than two parts of 50
    assert outbox.flush_changes()["documents"] == 30 and len(synced) == 1

    def broker_down(doc_ids, up_to):
        raise ConnectionError("broker down")

    monkeypatch.setattr(scheduling, "send_flush_part", broker_down)
    outbox.record_changes([f"product:{n}" for n in range(120)])
    result = outbox.flush_changes()
    assert result["documents"] == 120 and "handed_out" not in result and not IndexChange.objects.exists()
