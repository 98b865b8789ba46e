"""Task bodies run in this process (called directly, as from the shell): refresh, sweeper, failures, beat."""

from __future__ import annotations

import pytest
from django.utils import timezone

from apps.ai_assistant.exceptions import TransientIndexError
from apps.ai_assistant.indexing import outbox, state
from apps.ai_assistant.models import IndexChange, IndexedDocument, IndexState
from apps.ai_assistant.tasks import (
    TRANSIENT_ERRORS,
    flush_index_changes,
    rebuild_ai_index,
    scheduled_index_refresh,
    sweep_index_outbox,
    update_ai_index,
)
from apps.catalog.models import PartOption
from ecommerce_backend.devservers import free_port
from tests.fixtures.api import build_bicycle_catalog


@pytest.fixture
def indexed(vector_index, db):
    catalog = build_bicycle_catalog()
    vector_index.build_index()
    IndexChange.objects.all().delete()
    catalog.service = vector_index
    return catalog


def indexed_text(doc_id: str) -> str:
    """What the active collection holds for a document (its ledger row)."""
    collection = IndexState.objects.get(pk=1).active_collection
    return IndexedDocument.objects.filter(collection=collection, doc_id=doc_id).values_list("text", flat=True).first()


def top_hit(service, query: str) -> str:
    return service.search_documents(query, limit=3)[0]["id"]


def test_scheduled_refresh_repairs_drift_and_then_waits_its_interval(indexed, settings):
    option = indexed.option("fat bike wheels")
    # A write that bypassed the outbox (raw SQL, a restore, an import): the index does not know it.
    PartOption.objects.filter(pk=option.pk).update(description="balloon tyres for snowy dunes")
    assert "snowy dunes" not in indexed_text(f"part:{option.part_id}")

    result = scheduled_index_refresh()
    assert result["status"] == "refreshed" and result["updated"] >= 1
    assert "snowy dunes" in indexed_text(f"part:{option.part_id}")
    assert top_hit(indexed.service, "snowy dunes") == f"part:{option.part_id}"
    assert scheduled_index_refresh() == {"status": "skipped", "reason": "refreshed recently"}

    settings.AI_INDEX_REFRESH_MIN_INTERVAL_SECONDS = 0
    assert scheduled_index_refresh()["status"] == "refreshed"


def test_refresh_skips_while_a_rebuild_runs(indexed):
    state.claim_rebuild("some-running-rebuild")
    assert scheduled_index_refresh(force=True)["status"] == "skipped"


def test_update_syncs_what_is_pending(indexed):
    option = indexed.option("road wheels")
    option.description = "slick tyres for tarmac sprints"
    option.save()
    assert IndexChange.objects.exists()
    result = update_ai_index()
    assert result["changes"] >= 1 and result["documents"] >= 1
    assert not IndexChange.objects.exists()
    assert top_hit(indexed.service, "tarmac sprints") == f"part:{option.part_id}"


def test_a_flush_that_fails_releases_its_rows_and_the_error_is_transient(indexed, settings):
    wheels = indexed.part("Wheels")
    wheels.description = "changed, so the flush must write to the vector store"
    wheels.save()
    settings.CHROMA_URL = f"http://127.0.0.1:{free_port()}"  # the vector store is down
    from apps.ai_assistant.retrieval.vector_store import reset_vector_store

    reset_vector_store()
    with pytest.raises(TransientIndexError):
        outbox.flush_changes()
    assert IndexChange.objects.filter(doc_id=f"part:{wheels.pk}").exists()
    # every row is unclaimed again: the next flush (the retry) takes them
    assert not IndexChange.objects.exclude(claimed_by="").exists()
    assert not IndexChange.objects.filter(claimed_at__isnull=False).exists()


def test_only_transient_errors_are_retried():
    for task in (flush_index_changes, update_ai_index, rebuild_ai_index, scheduled_index_refresh, sweep_index_outbox):
        assert TransientIndexError in task.autoretry_for
        assert set(task.autoretry_for) == set(TRANSIENT_ERRORS)
        assert Exception not in task.autoretry_for and ValueError not in task.autoretry_for
        assert task.retry_backoff and task.max_retries


def test_sweeper_frees_stale_claims_and_flushes_leftovers(indexed, settings):
    settings.AI_INDEX_SWEEP_GRACE_SECONDS = 0
    settings.AI_INDEX_DEBOUNCE_SECONDS = 0
    option = indexed.option("black")
    option.description = "deep midnight anodised rims"
    option.save()
    dead = outbox.claim_changes()  # a flush that claimed the rows and died
    IndexChange.objects.filter(claimed_by=dead.token).update(claimed_at=timezone.now() - timezone.timedelta(hours=1))

    result = sweep_index_outbox()
    assert result["released_claims"] == dead.rows
    assert result["flushed"]["changes"] == dead.rows
    assert not IndexChange.objects.exists()
    assert "midnight anodised" in indexed_text(f"part:{option.part_id}")


def test_a_direct_rebuild_call_skips_while_another_rebuild_holds_the_slot(indexed):
    state.claim_rebuild("a-queued-rebuild")
    assert rebuild_ai_index() == {"status": "already_running", "task_id": "a-queued-rebuild"}
    state.finish_rebuild("a-queued-rebuild")
    result = rebuild_ai_index()
    assert result["status"] == "rebuilt" and result["documents"] > 0
    assert IndexState.objects.get(pk=1).rebuild_task_id == ""


def test_beat_database_scheduler_loads_the_settings_schedule(transactional_db):
    # transactional: the scheduler closes old connections, which a wrapping test transaction cannot survive
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    from ecommerce_backend.celery import app

    DatabaseScheduler(app=app)
    nightly = PeriodicTask.objects.get(name="refresh-ai-index-nightly")
    assert nightly.task == "ai_assistant.scheduled_index_refresh"
    assert (nightly.crontab.hour, nightly.crontab.minute) == ("3", "0")
    sweeper = PeriodicTask.objects.get(name="sweep-ai-index-outbox")
    assert sweeper.task == "ai_assistant.sweep_index_outbox" and sweeper.interval.every == 60


def test_first_start_leaves_the_outbox_to_the_queued_first_build(db):
    # bootstrap_shop loaded the demo catalog (outbox rows) and queued the first build: no double build
    outbox.record_changes(["product:1", "category:1"])
    state.claim_rebuild("the-first-build")
    assert outbox.flush_changes()["deferred"] is True
    assert IndexChange.objects.filter(claimed_by="").count() == 2


def test_a_second_delivery_of_a_rebuild_callback_keeps_the_rebuilt_result(db, monkeypatch):
    """acks_late: a worker that dies after the switch, before its ack, gets the callback delivered again; the
    second run finds the rebuild over and must not turn its result into "abandoned"."""
    import uuid

    from apps.ai_assistant import tasks
    from apps.ai_assistant.services import index_service

    outcomes = iter([{"collection": "marcus-new", "documents": 3}, None, None])

    class Service:
        def finish_rebuild(self, rebuild_id, progress, *, worker, retryable):
            return next(outcomes)

    monkeypatch.setattr(index_service, "get_index_service", Service)
    rebuilt, never = f"r-{uuid.uuid4().hex}", f"r-{uuid.uuid4().hex}"

    first = tasks.finish_rebuild.apply(args=(rebuilt,)).get()
    second = tasks.finish_rebuild.apply(args=(rebuilt,)).get()

    assert first["status"] == "rebuilt" and second == first
    assert tasks.finish_rebuild.apply(args=(never,)).get() == {"status": "abandoned", "task_id": never}
