"""/metrics after real work: a catalog change synced by a REAL Celery worker process, searches, a chat, a
rebuild. The worker's counters reach the scrape of this (web) process through the multiprocess files."""

from __future__ import annotations

import time

import pytest
from django.db import transaction
from django.test import Client

from apps.ai_assistant.indexing import outbox, scheduling
from apps.ai_assistant.models import IndexChange
from tests.auto_index.helpers import wait_for
from tests.fixtures.api import build_bicycle_catalog
from tests.observability.helpers import scrape, value

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def worker(celery_worker_factory, chroma_server):
    return celery_worker_factory(
        chroma_url=chroma_server.url, collection_prefix="metrics", env={"AI_INDEX_DEBOUNCE_SECONDS": "0.3"}
    )


@pytest.fixture
def index(worker, vector_index, transactional_db, settings):
    settings.AI_INDEX_DEBOUNCE_SECONDS = 0.3
    scheduling.clear_scheduled_mark()
    catalog = build_bicycle_catalog()
    vector_index.build_index()
    wait_for(lambda: not IndexChange.objects.exists(), 20, message="the catalog's outbox to drain")
    return catalog


def test_a_synced_change_shows_in_the_index_and_task_metrics(index):
    client = Client()
    before = scrape(client)
    with transaction.atomic():
        category = index.category
        category.description = "Bicycles for every trail, now with a new description"
        category.save()
    wait_for(lambda: not IndexChange.objects.exists(), 20, message="the worker to sync the change")
    # The flush deletes its rows before the task returns and its postrun signal counts it.
    flush = ("marcus_celery_tasks_total", {"task": "ai_assistant.flush_index_changes", "state": "SUCCESS"})

    def counted() -> dict | None:
        samples = scrape(client)
        return samples if value(samples, flush[0], **flush[1]) > value(before, flush[0], **flush[1]) else None

    after = wait_for(counted, 10, message="the worker's task counter")
    synced = value(after, "marcus_index_documents_synced_total") - value(before, "marcus_index_documents_synced_total")
    assert synced >= 1
    fresh = "marcus_index_change_to_searchable_seconds_count"
    assert value(after, fresh) - value(before, fresh) >= 1
    # Every observation is under the histogram's top bucket: a change took seconds, not an hour.
    assert value(after, "marcus_index_change_to_searchable_seconds_sum") - value(
        before, "marcus_index_change_to_searchable_seconds_sum"
    ) < 60 * synced
    flushes = "marcus_index_flush_duration_seconds_count"
    assert value(after, flushes) - value(before, flushes) >= 1
    embedded = "marcus_index_texts_embedded_total"
    assert value(after, embedded) - value(before, embedded) >= 1  # the new description is a new text
    runtime = ("marcus_celery_task_duration_seconds_count", {"task": "ai_assistant.flush_index_changes"})
    assert value(after, runtime[0], **runtime[1]) > value(before, runtime[0], **runtime[1])
    assert value(after, "marcus_index_outbox_pending") == 0


def test_searches_chats_and_rebuilds_are_counted(index, vector_index):
    client = Client()
    before = scrape(client)
    assert client.get("/api/ai-assistant/search", {"q": "trail bike"}).status_code == 200
    reply = client.post("/api/ai-assistant/chat", {"message": "a bike for the trail"}, content_type="application/json")
    assert reply.status_code == 200
    engine = reply.json()["engine"]
    vector_index.rebuild_index()
    after = scrape(client)
    search = ("marcus_search_duration_seconds_count", {"mode": "hybrid"})
    assert value(after, search[0], **search[1]) - value(before, search[0], **search[1]) >= 1
    chat = ("marcus_chat_duration_seconds_count", {"engine": engine})
    assert value(after, chat[0], **chat[1]) - value(before, chat[0], **chat[1]) == 1
    rebuilt = ("marcus_index_rebuilds_total", {"outcome": "succeeded"})
    assert value(after, rebuilt[0], **rebuilt[1]) - value(before, rebuilt[0], **rebuilt[1]) == 1


def test_outbox_gauges_are_read_from_the_database_at_scrape_time(db):
    client = Client()
    assert value(scrape(client), "marcus_index_outbox_pending") == 0
    outbox.record_changes(["product:991", "product:992"])  # recorded, no flush scheduled
    time.sleep(0.05)
    samples = scrape(client)
    assert value(samples, "marcus_index_outbox_pending") == 2
    assert value(samples, "marcus_index_outbox_oldest_pending_seconds") > 0
