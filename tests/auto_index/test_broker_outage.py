"""The broker drops every connection (a restart, a network cut): the worker reconnects and changes keep flowing.

With Redis and with RabbitMQ. The cut is made by the broker itself, for this test's clients only: RabbitMQ
closes every connection of the test session's vhost (`rabbitmqctl close_all_connections`), Redis kills every
client of the test's database (`CLIENT KILL ID`), so other users of the same server are not touched. The
worker's consumer and this process's pooled publisher connections both die; a save right after the cut must
still reach the index through the same worker, with nothing sent by hand.
"""

from __future__ import annotations

import subprocess
from urllib.parse import unquote, urlsplit

import pytest
import redis

from apps.ai_assistant.indexing import scheduling
from apps.ai_assistant.models import IndexChange
from apps.preconfigured_products.models import PreConfiguredProduct, PreConfiguredProductOption
from tests.auto_index.helpers import wait_for
from tests.fixtures.api import build_bicycle_catalog
from tests.fixtures.celery_worker import BROKERS, Broker, reset_producer_pools

pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize("celery_broker", BROKERS, indirect=True, scope="module"),
]

DEBOUNCE = 0.5
VISIBLE_WITHIN = 30.0  # the worker retries its connection after up to 2 s, then the flush runs
LOST = "Connection to broker lost"
TRAIL = ("full-suspension", "matte", "mountain wheels", "black", "8-speed chain")


def cut_connections(broker: Broker) -> int:
    """Make the broker drop every connection of this test's clients; how many it dropped (Redis) or -1."""
    if broker.kind == "amqp":
        vhost = unquote(urlsplit(broker.url).path[1:]) or "/"
        subprocess.run(
            ["rabbitmqctl", "close_all_connections", "--vhost", vhost, "test: broker outage"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        return -1
    client = redis.Redis.from_url(broker.url)
    database = client.connection_pool.connection_kwargs.get("db", 0)
    mine = client.client_id()
    dropped = 0
    for info in client.client_list():
        if int(info["db"]) == database and int(info["id"]) != mine:
            dropped += client.client_kill_filter(_id=info["id"])
    client.close()
    return dropped


def found(service, query: str, doc_id: str) -> bool:
    return any(hit["id"] == doc_id for hit in service.search_documents(query, limit=10))


def test_after_the_broker_drops_every_connection_a_save_still_reaches_the_index(
    celery_worker_factory, celery_broker, vector_index, transactional_db, settings
):
    settings.AI_INDEX_DEBOUNCE_SECONDS = DEBOUNCE
    scheduling.clear_scheduled_mark()
    worker = celery_worker_factory(
        chroma_url=vector_index.url,
        collection_prefix=vector_index.prefix,
        env={"AI_INDEX_DEBOUNCE_SECONDS": str(DEBOUNCE)},
    )
    catalog = build_bicycle_catalog()
    vector_index.build_index()
    wait_for(lambda: not IndexChange.objects.exists(), VISIBLE_WITHIN, message="the catalog's outbox to drain")
    assert LOST not in worker.log()

    dropped = cut_connections(celery_broker)
    assert dropped != 0  # Redis: the worker's connections at least
    wait_for(lambda: LOST in worker.log(), VISIBLE_WITHIN, message="the worker to notice the cut")

    product = PreConfiguredProduct.objects.create(
        category=catalog.category, name="Phoenix Rally", slug="phoenix-rally", description="rises again"
    )
    for option in TRAIL:
        PreConfiguredProductOption.objects.create(product=product, option=catalog.option(option))
    doc_id = f"product:{product.pk}"
    wait_for(lambda: found(vector_index.service, "Phoenix Rally", doc_id), VISIBLE_WITHIN, message="the new product")
    wait_for(lambda: not IndexChange.objects.exists(), VISIBLE_WITHIN, message="the outbox to drain")
    assert worker.process.poll() is None  # the same worker, reconnected
    # Remote control (ping) does not retry a pooled connection the cut killed, unlike a task publish: new ones.
    reset_producer_pools()
    assert worker.ping(timeout=5)
