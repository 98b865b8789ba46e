"""Search and chat say what the index can give: `index_state` is "empty", "building" or "ready", never a bare []."""

from __future__ import annotations

import pytest

from apps.ai_assistant.indexing import state

pytestmark = pytest.mark.integration

SEARCH = "/api/ai-assistant/search"
CHAT = "/api/ai-assistant/chat"


def search(client) -> dict:
    response = client.get(SEARCH, {"q": "fat bike"})
    assert response.status_code == 200, response.content
    return response.json()


def chat(client) -> dict:
    response = client.post(CHAT, {"message": "show me fat bikes"}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_nothing_indexed_and_no_build_is_empty(demo, vector_index, api_client):
    body = search(api_client)
    assert body["results"] == [] and body["index_state"] == "empty"
    assert chat(api_client)["index_state"] == "empty"


def test_first_build_queued_or_running_is_building(demo, vector_index, api_client):
    assert state.claim_rebuild("first-build-task") == "first-build-task"
    body = search(api_client)
    assert body["results"] == [] and body["index_state"] == "building"
    assert chat(api_client)["index_state"] == "building"


def test_filled_index_is_ready_even_while_a_rebuild_runs(demo, vector_index, api_client):
    vector_index.build_index()
    body = search(api_client)
    assert body["results"] and body["index_state"] == "ready"
    assert state.claim_rebuild("another-rebuild") == "another-rebuild"
    assert search(api_client)["index_state"] == "ready"  # searches read the old collection until the switch
    assert chat(api_client)["index_state"] == "ready"
