"""The trailing debounce with a bound (indexing/scheduling.py, outbox.flush_changes), with a REAL worker process:
a burst spread over more than the debounce is flushed once, at its end; a lone edit is flushed one debounce
after its commit; a never-ending stream of edits is still flushed every AI_INDEX_DEBOUNCE_MAX_WAIT_SECONDS,
and meanwhile each edit's words are searchable within the debounce (the keyword rows written ahead).

"Embedded" below reads the ledger (the text whose vector the collection holds); "searchable" asks the search.

Run with Redis and with RabbitMQ's quorum queues (whose countdowns are whole seconds). Debounce 1 s, max wait
4 s in the worker.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.ai_assistant.indexing import scheduling
from apps.ai_assistant.indexing.state import get_state
from apps.ai_assistant.models import IndexChange, IndexedDocument
from apps.preconfigured_products.models import PreConfiguredProduct, PreConfiguredProductOption
from tests.auto_index.helpers import wait_for
from tests.fixtures.api import build_bicycle_catalog

pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize("celery_broker", ("redis", "amqp-quorum"), indirect=True, scope="module"),
]

DEBOUNCE = 1.0
MAX_WAIT = 4.0
SLACK = 3.0  # a busy 2-core machine: the worker's countdown, the flush itself, this process's polling
TRAIL = ("full-suspension", "matte", "mountain wheels", "black", "8-speed chain")


@pytest.fixture(scope="module")
def worker(celery_worker_factory, chroma_server):
    return celery_worker_factory(
        chroma_url=chroma_server.url,
        collection_prefix="debounce",
        env={"AI_INDEX_DEBOUNCE_SECONDS": str(DEBOUNCE), "AI_INDEX_DEBOUNCE_MAX_WAIT_SECONDS": str(MAX_WAIT)},
    )


@pytest.fixture
def products(worker, vector_index, transactional_db, settings) -> list[PreConfiguredProduct]:
    """Three indexed products; the outbox drained by the worker before the test starts."""
    settings.AI_INDEX_DEBOUNCE_SECONDS = DEBOUNCE  # this process queues the first flush of a burst
    scheduling.clear_scheduled_mark()
    catalog = build_bicycle_catalog()
    made = []
    for n in range(3):
        product = PreConfiguredProduct.objects.create(
            category=catalog.category, name=f"Trail Bike {n}", slug=f"trail-bike-{n}", description="plain"
        )
        for option in TRAIL:
            PreConfiguredProductOption.objects.create(product=product, option=catalog.option(option))
        made.append(product)
    vector_index.build_index()
    wait_for(lambda: not IndexChange.objects.exists(), 30, message="the catalog's outbox to drain")
    time.sleep(0.5)  # the last flush logs its summary after deleting its rows
    return made


def _edit(product: PreConfiguredProduct, word: str) -> float:
    product.description = f"edition {word}"
    product.save()
    return time.monotonic()


def _indexed(vector_index, product: PreConfiguredProduct, word: str) -> bool:
    return any(hit["id"] == f"product:{product.pk}" for hit in vector_index.search_documents(word, limit=5))


def _embedded(product: PreConfiguredProduct, word: str) -> bool:
    collection = get_state().active_collection
    return IndexedDocument.objects.filter(
        collection=collection, doc_id=f"product:{product.pk}", text__contains=word
    ).exists()


def test_a_burst_longer_than_the_debounce_is_flushed_once_at_its_end(products, worker, vector_index):
    before = len(worker.flush_runs())
    final: dict[int, str] = {}
    edits = 0
    started = time.monotonic()
    while time.monotonic() - started < 2.5:  # 2.5 s of edits, 0.3 s apart: longer than the debounce
        product, word = products[edits % 3], f"burstword{edits:02d}x"
        last = _edit(product, word)
        final[product.pk] = word
        edits += 1
        time.sleep(0.3)
    # Nothing is flushed while the edits go on: the first edit's flush (due 1 s after it) waited for the end.
    assert worker.flush_runs()[before:] == []
    for product in products:
        wait_for(lambda p=product: _embedded(p, final[p.pk]), DEBOUNCE + SLACK + 5, message="final text")
    visible_after = time.monotonic() - last
    assert all(_indexed(vector_index, p, final[p.pk]) for p in products)
    time.sleep(1.0)
    runs = worker.flush_runs()[before:]
    assert runs == [(edits, 3)], runs  # one flush: every edit's row, each document synced once
    assert visible_after >= DEBOUNCE - 0.3  # not before the burst had been quiet for the debounce
    assert "the index flush waits" in worker.log()  # it queued itself again while the edits went on


def test_a_lone_edit_is_flushed_one_debounce_after_its_commit(products, worker, vector_index):
    before = len(worker.flush_runs())
    committed = _edit(products[0], "lonelyword")
    wait_for(lambda: _embedded(products[0], "lonelyword"), DEBOUNCE + SLACK, interval=0.05, message="the lone edit")
    assert _indexed(vector_index, products[0], "lonelyword")
    assert DEBOUNCE - 0.3 <= time.monotonic() - committed <= DEBOUNCE + SLACK
    time.sleep(1.0)
    assert worker.flush_runs()[before:] == [(1, 1)]


def test_a_never_ending_stream_of_edits_is_flushed_every_max_wait(products, worker, vector_index):
    before = len(worker.flush_runs())
    first = _edit(products[0], "streamfirst")
    seen_at = searchable_at = None
    n = 0
    while time.monotonic() - first < 2 * MAX_WAIT + SLACK:  # never quiet for the debounce
        time.sleep(0.3)
        n += 1
        _edit(products[1 + n % 2], f"streamword{n:03d}x")
        if searchable_at is None and _indexed(vector_index, products[0], "streamfirst"):
            searchable_at = time.monotonic() - first
        if seen_at is None and _embedded(products[0], "streamfirst"):
            seen_at = time.monotonic() - first
    assert seen_at is not None and seen_at <= MAX_WAIT + SLACK, seen_at  # flushed during the stream
    # Its words were searchable before that: written ahead by the deferred flush, which embeds nothing.
    assert searchable_at is not None and searchable_at <= DEBOUNCE + SLACK, searchable_at
    assert searchable_at < seen_at, (searchable_at, seen_at)
    runs = worker.flush_runs()[before:]
    assert len(runs) >= 2, runs  # the stream (about 11 s) was flushed at least every max wait (4 s)
    assert len(runs) <= 2 * MAX_WAIT + SLACK  # and not once per edit (0.3 s apart)
    oldest = IndexChange.objects.filter(claimed_by="").order_by("created_at").first()
    assert oldest is None or timezone.now() - oldest.created_at < timedelta(seconds=MAX_WAIT + SLACK)
