"""Index administration endpoints and the admin panel: staff only, 202 with a task id, 400 for bad ids."""

from __future__ import annotations

import uuid

import pytest

from apps.ai_assistant.indexing import state
from apps.ai_assistant.models import IndexState
from tests.auto_index.helpers import broker_at, dead_broker_url
from tests.fixtures.celery_worker import purge_queues

ENDPOINTS = [
    ("get", "/api/ai-assistant/index/status"),
    ("post", "/api/ai-assistant/index/rebuild"),
    ("post", "/api/ai-assistant/index/update"),
    ("get", f"/api/ai-assistant/tasks/{uuid.uuid4()}"),
]


@pytest.fixture(autouse=True)
def no_queued_messages():
    """Messages these tests queue (no worker here) must not reach a later test's worker."""
    purge_queues()
    yield
    purge_queues()


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_anonymous_gets_401(api_client, db, method, url):
    assert getattr(api_client, method)(url).status_code == 401


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_non_staff_gets_403(user_client, method, url):
    assert getattr(user_client, method)(url).status_code == 403


def test_rebuild_twice_answers_the_same_task(staff_client):
    first = staff_client.post("/api/ai-assistant/index/rebuild")
    assert first.status_code == 202
    assert first.json()["status"] == "queued"
    second = staff_client.post("/api/ai-assistant/index/rebuild")
    assert second.status_code == 202
    assert second.json() == {"task_id": first.json()["task_id"], "status": "already_running"}
    assert IndexState.objects.get(pk=1).rebuild_task_id == first.json()["task_id"]


def test_a_stale_rebuild_claim_does_not_block_a_new_one(staff_client, settings):
    first = staff_client.post("/api/ai-assistant/index/rebuild").json()["task_id"]
    settings.CELERY_TASK_TIME_LIMIT = 0  # every claim is now older than the hard limit
    second = staff_client.post("/api/ai-assistant/index/rebuild").json()
    assert second["status"] == "queued" and second["task_id"] != first


def test_update_is_accepted_with_a_task_id(staff_client):
    response = staff_client.post("/api/ai-assistant/index/update")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued"
    assert uuid.UUID(body["task_id"])


def test_queue_down_is_503_not_500_and_frees_the_rebuild_slot(staff_client):
    with broker_at(dead_broker_url()):
        assert staff_client.post("/api/ai-assistant/index/rebuild").status_code == 503
        assert staff_client.post("/api/ai-assistant/index/update").status_code == 503
    assert state.running_rebuild_id() == ""


@pytest.mark.parametrize("bad", ["not-a-task", "123", "x" * 300, "'; DROP TABLE x; --"])
def test_malformed_task_id_is_400_naming_the_field(staff_client, bad):
    response = staff_client.get(f"/api/ai-assistant/tasks/{bad}")
    assert response.status_code == 400
    assert "task_id" in response.json()


def test_unknown_task_reads_as_pending(staff_client):
    task_id = str(uuid.uuid4())
    response = staff_client.get(f"/api/ai-assistant/tasks/{task_id}")
    assert response.status_code == 200
    assert response.json() == {"task_id": task_id, "status": "PENDING", "result": None}


def test_admin_panel_shows_status_and_queues_work(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/admin/ai_assistant/indexstate/")
    assert page.status_code == 200
    assert b"AI index status" in page.content and b"Pending changes" in page.content

    response = client.post("/admin/ai_assistant/indexstate/rebuild/", follow=True)
    assert response.status_code == 200
    task_id = state.running_rebuild_id()
    assert task_id and task_id.encode() in response.content
    assert client.get("/admin/ai_assistant/indexstate/rebuild/").status_code == 405

    response = client.post("/admin/ai_assistant/indexstate/update/", follow=True)
    assert b"Update queued" in response.content
    for model in ("indexchange", "indexeddocument"):
        assert client.get(f"/admin/ai_assistant/{model}/").status_code == 200


def test_first_bootstrap_queues_one_index_build(db):
    from apps.catalog.services.bootstrap import _after_bootstrap

    said: list[str] = []
    _after_bootstrap(say=said.append)
    task_id = state.running_rebuild_id()
    assert task_id and task_id in said[0]
    _after_bootstrap(say=said.append)  # bootstrap_shop run again before the worker built it: same task
    assert state.running_rebuild_id() == task_id
    IndexState.objects.filter(pk=1).update(active_collection="marcus_v1", rebuild_task_id="")
    said.clear()
    _after_bootstrap(say=said.append)  # an index exists: nothing is queued
    assert said == [] and state.running_rebuild_id() == ""
