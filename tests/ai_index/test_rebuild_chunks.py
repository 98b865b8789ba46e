"""A rebuild spread over REAL worker processes (Celery chord of chunk tasks on ai_heavy), against the same
catalog rebuilt in one process: the same documents and hashes, progress in the index status, searches on the
old collection until the switch, one rebuild per trigger, and a chunk whose worker is killed runs again and
the result is still the same: with Redis as broker the sweeper sends it again, with RabbitMQ the broker hands
the unacknowledged message to the next worker (and a chunk sent twice is written once). Redis and RabbitMQ.
"""

from __future__ import annotations

import re
import time

import pytest
from celery.result import AsyncResult

from apps.ai_assistant.indexing import scheduling, state
from apps.ai_assistant.indexing.status import index_status
from apps.ai_assistant.models import IndexedDocument, RebuildChunk
from apps.ai_assistant.tasks import sweep_index_outbox
from apps.preconfigured_products.models import PreConfiguredProduct, PreConfiguredProductOption
from tests.auto_index.helpers import wait_for
from tests.fixtures.api import build_bicycle_catalog
from tests.fixtures.celery_worker import BROKERS

pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize("celery_broker", BROKERS, indirect=True, scope="module"),
]

PRODUCTS = 600
CHUNK = 150
STALE = 3
TRAIL = ("full-suspension", "matte", "mountain wheels", "black", "8-speed chain")
CHUNK_LINE = re.compile(r"Rebuild chunk (\d+)/(\d+) on (\S+): (\d+) documents")
WORKER_ENV = {
    "AI_REBUILD_CHUNK_SIZE": str(CHUNK),
    "AI_REBUILD_CHUNK_STALE_SECONDS": str(STALE),
    "AI_INDEX_SWEEP_GRACE_SECONDS": "0",
    "AI_INDEX_AUTO_UPDATE": "0",
}


def make_fleet(catalog, count: int) -> None:
    """`count` products written in bulk (no signals: nothing reaches the outbox)."""
    products = PreConfiguredProduct.objects.bulk_create(
        [PreConfiguredProduct(category=catalog.category, name=f"Relay {n}", slug=f"relay-{n}") for n in range(count)]
    )
    options = [catalog.option(name) for name in TRAIL]
    PreConfiguredProductOption.objects.bulk_create(
        [PreConfiguredProductOption(product=p, part_id=o.part_id, option=o) for p in products for o in options]
    )


def ledger(collection: str) -> dict[str, tuple[str, str, str]]:
    rows = IndexedDocument.objects.filter(collection=collection)
    columns = ("doc_id", "content_hash", "text_hash", "metadata_hash")
    return {doc_id: tuple(hashes) for doc_id, *hashes in rows.values_list(*columns)}


@pytest.fixture
def fleet(transactional_db, vector_index, settings):
    """A catalog of PRODUCTS + a few documents, indexed, and the ledger a rebuild in ONE process gives it."""
    settings.AI_INDEX_AUTO_UPDATE = False
    settings.AI_REBUILD_CHUNK_SIZE = 100_000  # one chunk: the single-pass rebuild
    catalog = build_bicycle_catalog()
    make_fleet(catalog, PRODUCTS)
    vector_index.build_index()
    result = vector_index.rebuild_index()
    expected = ledger(result["collection"])
    assert result["chunks"] == 1 and len(expected) > PRODUCTS
    assert vector_index.store.list_ids(result["collection"]) == set(expected)
    settings.AI_REBUILD_CHUNK_SIZE = CHUNK
    settings.AI_REBUILD_CHUNK_STALE_SECONDS = STALE
    return expected


def workers_env(vector_index) -> dict:
    return {"chroma_url": vector_index.url, "collection_prefix": vector_index.prefix, "env": WORKER_ENV}


def chunk_lines(*workers) -> list[tuple[int, int, str, int]]:
    return [
        (int(n), int(total), host, int(docs)) for w in workers for n, total, host, docs in CHUNK_LINE.findall(w.log())
    ]


def test_a_rebuild_over_two_workers_writes_what_one_process_writes(fleet, vector_index, celery_worker_factory):
    first = celery_worker_factory(concurrency=1, **workers_env(vector_index))
    second = celery_worker_factory(concurrency=1, **workers_env(vector_index))
    before = state.active_collection()
    chunks = -(-len(fleet) // CHUNK)

    task_id, queued = scheduling.trigger_rebuild()
    again, queued_again = scheduling.trigger_rebuild()
    assert queued and (again, queued_again) == (task_id, False)  # the second trigger gets the same handle

    samples = []
    result = AsyncResult(task_id)
    while not result.ready():
        status = index_status()
        hits = vector_index.search_documents("Relay full-suspension bike", limit=3)
        samples.append((status["active_collection"], status["rebuild_progress"], len(hits)))
        time.sleep(0.05)
    body = result.get(timeout=5)
    first.stop()
    second.stop()

    assert body["status"] == "rebuilt" and body["chunks"] == chunks and body["seconds"] > 0, body
    assert sorted(body["workers"]) == sorted([first.nodename, second.nodename])
    after = state.active_collection()
    assert after == body["collection"] != before
    assert ledger(after) == fleet  # the same documents with the same text and metadata hashes
    assert vector_index.store.list_ids(after) == set(fleet)
    assert vector_index.collections() == [after]

    during = [(active, progress, hits) for active, progress, hits in samples if progress]
    assert during, samples
    assert all(progress["chunks_total"] == chunks for _, progress, _ in during)
    assert all(progress["documents_total"] == len(fleet) for _, progress, _ in during)
    assert all(hits == 3 for _, _, hits in samples)  # searches answered throughout
    # Searches read the old collection until every chunk is written.
    assert all(active == before for active, progress, _ in during if progress["chunks_done"] < chunks)

    lines = chunk_lines(first, second)
    assert sorted(n for n, *_ in lines) == list(range(1, chunks + 1))
    assert {host for _, _, host, _ in lines} == {first.nodename, second.nodename}  # both workers took chunks
    assert sum(docs for *_, docs in lines) == len(fleet)
    assert state.running_rebuild_id() == "" and not RebuildChunk.objects.exists()
    assert index_status()["rebuild_progress"] is None


def test_a_chunk_whose_worker_is_killed_runs_again_and_the_result_is_the_same(
    fleet, vector_index, celery_worker_factory, celery_broker
):
    doomed = celery_worker_factory(concurrency=1, **workers_env(vector_index))
    task_id, _ = scheduling.trigger_rebuild()
    wait_for(lambda: RebuildChunk.objects.filter(status="running").exists(), 60, interval=0.005, message="a chunk")
    doomed.kill()
    killed = list(RebuildChunk.objects.filter(status="running").values_list("index", flat=True))
    assert killed, list(RebuildChunk.objects.values_list("index", "status"))  # killed in the middle of a chunk

    survivor = celery_worker_factory(concurrency=1, **workers_env(vector_index))
    result = AsyncResult(task_id)
    deadline = time.monotonic() + 120
    resent = 0
    while not result.ready():
        assert time.monotonic() < deadline, list(RebuildChunk.objects.values_list("index", "status", "attempts"))
        time.sleep(1)
        # The sweeper's round (what beat sends every minute): a chunk silent for STALE seconds is sent again.
        resent += sweep_index_outbox.delay().get(timeout=30).get("rebuild_chunks_resent", 0)
    body = result.get(timeout=5)

    assert body["status"] == "rebuilt", body
    if celery_broker.kind == "redis":
        assert resent >= len(killed)  # Redis keeps a dead worker's message for its visibility timeout (2 h)
    assert ledger(body["collection"]) == fleet
    assert vector_index.store.list_ids(body["collection"]) == set(fleet)
    survivor_chunks = {n for n, _, host, _ in chunk_lines(survivor) if host == survivor.nodename}
    assert {index + 1 for index in killed} <= survivor_chunks  # the killed chunk ran again, on the survivor
    assert state.running_rebuild_id() == ""
