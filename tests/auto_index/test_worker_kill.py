"""A worker killed with SIGKILL in the middle of a flush loses no change, with Redis and with RabbitMQ as broker
(classic and quorum queues).

The outbox is what guarantees it on every broker: the dead flush's claimed rows are freed after the claim
timeout by the sweeper (what beat sends every minute) and flushed by the next worker. RabbitMQ adds that the
flush message itself, never acknowledged, goes back to the queue the moment the worker's connection drops, so
the next worker runs it at once (Redis would hand it out again only after its visibility timeout).
"""

from __future__ import annotations

import re
import time

import pytest
from django.db import transaction

from apps.ai_assistant.indexing import outbox, scheduling
from apps.ai_assistant.indexing.consistency import check_consistency
from apps.ai_assistant.models import IndexChange
from apps.ai_assistant.tasks import sweep_index_outbox
from apps.preconfigured_products.models import PreConfiguredProduct, PreConfiguredProductOption
from tests.auto_index.helpers import wait_for
from tests.fixtures.api import build_bicycle_catalog
from tests.fixtures.celery_worker import BROKERS_AND_QUORUM

pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize("celery_broker", BROKERS_AND_QUORUM, indirect=True, scope="module"),
]

PRODUCTS = 200
CLAIM_TIMEOUT = 2
TRAIL = ("full-suspension", "matte", "mountain wheels", "black", "8-speed chain")
# Small batches: the flush of PRODUCTS documents takes many batches, so the kill lands inside it.
WORKER_ENV = {
    "AI_INDEX_DEBOUNCE_SECONDS": "1",  # quorum queues delay whole seconds (ecommerce_backend/broker.py)
    "AI_INDEX_FLUSH_BATCH_SIZE": "10",
    "AI_INDEX_FLUSH_MAX_BATCHES": "100000",
    "AI_INDEX_CLAIM_TIMEOUT_SECONDS": str(CLAIM_TIMEOUT),
    "AI_INDEX_SWEEP_GRACE_SECONDS": "0",
}


def make_fleet(catalog, count: int) -> list[PreConfiguredProduct]:
    """`count` products without signals (bulk): nothing reaches the outbox until the test records them."""
    products = PreConfiguredProduct.objects.bulk_create(
        [PreConfiguredProduct(category=catalog.category, name=f"Convoy {n}", slug=f"convoy-{n}") for n in range(count)]
    )
    options = [catalog.option(name) for name in TRAIL]
    PreConfiguredProductOption.objects.bulk_create(
        [PreConfiguredProductOption(product=p, part_id=o.part_id, option=o) for p in products for o in options]
    )
    return products


def drain_with_sweeps(timeout: float) -> None:
    """Run the sweeper's round (what beat sends every minute), one after the other, until the outbox is empty."""
    deadline = time.monotonic() + timeout
    while IndexChange.objects.exists():
        if time.monotonic() > deadline:
            raise AssertionError(f"outbox not drained within {timeout}s: {outbox.stats()}")
        time.sleep(0.5)
        sweep_index_outbox.delay().get(timeout=max(1.0, deadline - time.monotonic()))


def received_flushes(log: str) -> list[str]:
    """Task ids of the flushes a worker's log says it received, in order."""
    return re.findall(r"flush_index_changes\[([0-9a-f-]+)\] received", log)


def test_a_worker_killed_mid_flush_loses_no_change(
    celery_worker_factory, celery_broker, vector_index, transactional_db, settings
):
    settings.AI_INDEX_DEBOUNCE_SECONDS = float(WORKER_ENV["AI_INDEX_DEBOUNCE_SECONDS"])
    scheduling.clear_scheduled_mark()
    start = {"chroma_url": vector_index.url, "collection_prefix": vector_index.prefix, "env": WORKER_ENV}
    doomed = celery_worker_factory(**start)
    catalog = build_bicycle_catalog()
    vector_index.build_index()
    wait_for(lambda: not IndexChange.objects.exists(), 30, message="the catalog's outbox to drain")
    time.sleep(0.5)  # the flush deletes its rows a moment before it logs its summary
    flushes_before = len(doomed.flush_runs())

    products = make_fleet(catalog, PRODUCTS)
    with transaction.atomic():
        outbox.record_and_schedule([f"product:{p.pk}" for p in products])
    wait_for(lambda: IndexChange.objects.exclude(claimed_by="").exists(), 30, interval=0.005, message="a claim")
    doomed.kill()
    killed_flush = received_flushes(doomed.log())[-1]

    assert IndexChange.objects.exists()  # killed inside the flush: rows were left, claimed or not
    assert doomed.flush_runs()[flushes_before:] == []  # and it never logged a finished flush

    survivor = celery_worker_factory(**start)
    drain_with_sweeps(timeout=90)

    report = check_consistency()
    assert (report["missing"], report["stale"], report["ghosts"]) == (0, 0, 0), report
    assert report["ok"] is True, report
    assert report["documents"] >= PRODUCTS and report["pending_changes"] == 0
    if celery_broker.kind == "amqp":
        # The unacknowledged flush came back from RabbitMQ to the survivor without anyone sending it again.
        assert killed_flush in received_flushes(survivor.log()), survivor.log()[-3000:]
