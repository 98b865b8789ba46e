"""Auto-indexing end to end with a REAL worker process, Chroma server and each broker (no eager mode).

Every test runs twice: with Redis and with RabbitMQ as the broker (`celery_broker`, tests/fixtures/celery_worker.py);
results and cache stay on Redis. One worker serves the module per broker (debounce 0.5 s). Tests use
`transactional_db`: their commits must be visible to the worker, which shares the test database.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import transaction

from apps.ai_assistant.indexing import outbox, scheduling, state
from apps.ai_assistant.models import IndexChange
from apps.ai_assistant.tasks import sweep_index_outbox
from apps.preconfigured_products.models import PreConfiguredProduct, PreConfiguredProductOption
from tests.auto_index.helpers import broker_at, dead_broker_url, wait_for
from tests.fixtures.api import build_bicycle_catalog
from tests.fixtures.celery_worker import BROKERS

pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize("celery_broker", BROKERS, indirect=True, scope="module"),
]

DEBOUNCE = 0.5
VISIBLE_WITHIN = 15.0  # seconds; the debounce is 0.5 s, the rest is margin for a busy CI machine
TRAIL = ("full-suspension", "matte", "mountain wheels", "black", "8-speed chain")


@pytest.fixture(scope="module")
def worker(celery_worker_factory, chroma_server):
    return celery_worker_factory(
        chroma_url=chroma_server.url,
        collection_prefix="autoindex",
        env={"AI_INDEX_DEBOUNCE_SECONDS": str(DEBOUNCE), "AI_INDEX_SWEEP_GRACE_SECONDS": "0"},
    )


@pytest.fixture
def index(worker, vector_index, transactional_db, settings):
    """An indexed bicycle catalog; the outbox is drained by the worker before the test starts."""
    settings.AI_INDEX_DEBOUNCE_SECONDS = DEBOUNCE
    settings.AI_INDEX_SWEEP_GRACE_SECONDS = 0
    scheduling.clear_scheduled_mark()
    catalog = build_bicycle_catalog()
    vector_index.build_index()
    wait_for(lambda: not IndexChange.objects.exists(), VISIBLE_WITHIN, message="the catalog's outbox to drain")
    catalog.service = vector_index
    return catalog


def settle() -> None:
    """Wait until the outbox is empty and the last flush has logged its summary (it deletes rows first)."""
    wait_for(lambda: not IndexChange.objects.exists(), VISIBLE_WITHIN, message="the outbox to drain")
    time.sleep(0.5)


def found(service, query: str, doc_id: str) -> bool:
    return any(hit["id"] == doc_id for hit in service.search_documents(query, limit=10))


def make_product(catalog, name: str, description: str = "") -> PreConfiguredProduct:
    product = PreConfiguredProduct.objects.create(
        category=catalog.category, name=name, slug=name.lower().replace(" ", "-"), description=description
    )
    for option in TRAIL:
        PreConfiguredProductOption.objects.create(product=product, option=catalog.option(option))
    return product


def test_a_product_created_through_the_api_is_searchable_within_seconds(index, staff_client):
    body = {
        "category": index.category.pk,
        "name": "Zephyr Quasar",
        "description": "A featherweight trail machine.",
        "options": index.ids(*TRAIL),
    }
    started = time.monotonic()
    response = staff_client.post("/api/products/", body, format="json")
    assert response.status_code == 201, response.content
    doc_id = f"product:{response.json()['id']}"
    wait_for(lambda: found(index.service, "Zephyr Quasar", doc_id), VISIBLE_WITHIN, message="the new product")
    assert time.monotonic() - started < VISIBLE_WITHIN


def test_a_burst_of_50_edits_runs_a_few_flushes_and_all_are_visible(index, worker):
    products = [make_product(index, f"Burst Bike {n}") for n in range(5)]
    settle()
    flushes_before = len(worker.flush_runs())
    final: dict[int, str] = {}
    for n in range(50):
        product = products[n % 5]
        product.description = f"edition marker{n:03d}x"
        product.save()
        final[product.pk] = f"marker{n:03d}x"
    for pk, word in final.items():
        wait_for(lambda pk=pk, word=word: found(index.service, word, f"product:{pk}"), VISIBLE_WITHIN, message=word)
    settle()  # visible in search a moment before the flush logs its summary
    runs = worker.flush_runs()[flushes_before:]
    assert 1 <= len(runs) <= 5, runs  # debounced: not one flush per edit
    assert sum(changes for changes, _ in runs) == 50  # every edit's outbox row was flushed exactly once
    assert not IndexChange.objects.exists()


def test_an_edit_made_while_a_flush_runs_is_visible_after_the_next_flush(index, worker):
    # A big first change keeps the first flush busy long enough to commit a second change during it.
    base = PreConfiguredProduct.objects.create(category=index.category, name="Template", slug="template")
    many = PreConfiguredProduct.objects.bulk_create(
        [PreConfiguredProduct(category=index.category, name=f"Fleet {n}", slug=f"fleet-{n}") for n in range(400)]
    )
    options = [index.option(name) for name in TRAIL]
    PreConfiguredProductOption.objects.bulk_create(
        [PreConfiguredProductOption(product=p, part_id=o.part_id, option=o) for p in many for o in options]
    )
    settle()
    flushes_before, log_before = len(worker.flush_runs()), len(worker.log())
    with transaction.atomic():
        outbox.record_and_schedule([f"product:{p.pk}" for p in many])
    # The flush clears the "scheduled" mark first: once it is gone, the flush is running.
    wait_for(lambda: not scheduling.is_flush_scheduled(), VISIBLE_WITHIN, interval=0.005, message="the flush to start")
    time.sleep(0.05)  # let it claim its rows
    base.description = "latecomer quokka"
    base.save()
    wait_for(lambda: found(index.service, "latecomer quokka", f"product:{base.pk}"), VISIBLE_WITHIN, message="edit")
    settle()
    # The edit found the "scheduled" mark cleared by the running flush, so it queued a flush of its own
    # (the running one may take the row in its next batch already); every row was flushed exactly once.
    queued = re.findall(r"flush_index_changes\[[0-9a-f-]+\] received", worker.log()[log_before:])
    assert len(queued) == 2, queued
    assert sum(changes for changes, _ in worker.flush_runs()[flushes_before:]) == 401
    assert found(index.service, "Fleet 399", f"product:{many[-1].pk}")


def test_with_the_broker_down_a_save_still_succeeds_and_is_indexed_when_it_is_back(index, staff_client):
    body = {"category": index.category.pk, "name": "Outage Ocelot", "options": index.ids(*TRAIL)}
    with broker_at(dead_broker_url()):
        response = staff_client.post("/api/products/", body, format="json")
        assert response.status_code == 201, response.content
        option = index.option("black")
        option.default_price = Decimal("16.00")
        option.save()
    doc_id = f"product:{response.json()['id']}"
    assert IndexChange.objects.filter(doc_id=doc_id).exists()  # kept in the outbox
    assert not scheduling.is_flush_scheduled()
    time.sleep(DEBOUNCE + 1)
    assert not found(index.service, "Outage Ocelot", doc_id)  # nothing was queued while the broker was down

    sweep_index_outbox.delay()  # the broker is back: the sweeper's next round (what beat sends every minute)
    wait_for(lambda: found(index.service, "Outage Ocelot", doc_id), VISIBLE_WITHIN, message="the saved product")
    wait_for(lambda: not IndexChange.objects.exists(), VISIBLE_WITHIN, message="the outbox to drain")


def test_a_rebuild_triggered_twice_runs_once(index, staff_client, worker):
    log_before = len(worker.log())
    first = staff_client.post("/api/ai-assistant/index/rebuild").json()
    second = staff_client.post("/api/ai-assistant/index/rebuild").json()
    assert second == {"task_id": first["task_id"], "status": "already_running"}

    def finished():
        body = staff_client.get(f"/api/ai-assistant/tasks/{first['task_id']}").json()
        return body if body["status"] in {"SUCCESS", "FAILURE"} else None

    body = wait_for(finished, 60, interval=0.2, message="the rebuild")
    assert body["status"] == "SUCCESS", body
    assert body["result"]["status"] == "rebuilt" and body["result"]["documents"] > 0
    assert re.findall(r"Rebuild \S+ started", worker.log()[log_before:]) == [f"Rebuild {first['task_id']} started"]
    assert state.running_rebuild_id() == ""  # the slot is free again
    third = staff_client.post("/api/ai-assistant/index/rebuild").json()
    assert third["status"] == "queued" and third["task_id"] != first["task_id"]
    wait_for(lambda: state.running_rebuild_id() == "", 60, interval=0.2, message="the third rebuild")

    status = staff_client.get("/api/ai-assistant/index/status").json()
    assert status["documents"] > 0 and status["pending_changes"] == 0
    assert status["rebuild_in_progress"] is False and status["last_rebuild_at"]


def test_inspect_registered_lists_the_guide_task_names(worker):
    result = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "ecommerce_backend", "inspect", "registered", "-d", worker.nodename],
        env=worker.env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    for name in ("ai_assistant.rebuild_index", "ai_assistant.update_index", "ai_assistant.scheduled_index_refresh"):
        assert name in result.stdout


GUIDE_SNIPPET = """
from apps.ai_assistant.tasks import rebuild_ai_index, update_ai_index
print("sync", rebuild_ai_index()["status"])
print("update", sorted(update_ai_index()))
task = rebuild_ai_index.delay()
print(f"Task ID: {task.id}")
task.wait(timeout=60)
print("async", task.status, task.result["status"])
"""


def test_the_guide_shell_snippets_work(index, worker):
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", GUIDE_SNIPPET],
        env=worker.env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "sync rebuilt" in result.stdout
    assert "update ['batches', 'changes', 'documents', 'seconds', 'sync']" in result.stdout
    assert "async SUCCESS rebuilt" in result.stdout


def test_healthz_reports_database_broker_and_vector_store(index, client):
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    assert all(check["ok"] for check in response.json()["checks"].values())
    with broker_at(dead_broker_url()):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False
    assert response.json()["checks"]["vector_store"]["ok"] is True


def test_each_worker_process_warms_its_index_writes_up_before_its_first_flush(index, worker):
    """The model, the writer's modules and the vector store connection: a process's first flush does not pay."""
    wait_for(lambda: "Warmed up in" in worker.log(), 30, message="the pool process's warm-up")
    assert "Warming up failed" not in worker.log()
