"""Fixtures of the assistant tests: the demo catalog, a chat helper, and the fake OpenAI server."""

from __future__ import annotations

import itertools
import json

import pytest

from apps.catalog.services.demo_catalog import load_demo_catalog

CHAT_URL = "/api/ai-assistant/chat"
_client_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def assistant_settings(settings):
    """The built-in engine unless a test brings the fake OpenAI server; a chat rate no test reaches."""
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_BASE_URL = None
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "ai_chat": "10000/min"},
    }
    return settings


@pytest.fixture
def load_made_up(db, settings, tmp_path):
    """Load made-up families (dicts in the demo catalog's JSON format, tests/assistant/made_up.py) instead of the
    demo catalog, with the auto-indexing off while they load."""

    def load(*categories: dict) -> None:
        settings.AI_INDEX_AUTO_UPDATE = False
        path = tmp_path / "made_up.json"
        path.write_text(json.dumps({"categories": list(categories)}))
        load_demo_catalog(path)
        settings.AI_INDEX_AUTO_UPDATE = True

    return load


@pytest.fixture
def client_ip() -> str:
    """An address of this test alone, so throttle counters never leak between tests (or test runs)."""
    import os

    n = next(_client_numbers)
    return f"10.{os.getpid() % 250}.{n // 250}.{n % 250}"


@pytest.fixture
def demo_catalog(db, settings):
    """The demo catalog (bicycles, skis, surfboards, roller skates), without waking the index pipeline."""
    settings.AI_INDEX_AUTO_UPDATE = False
    load_demo_catalog()
    settings.AI_INDEX_AUTO_UPDATE = True


class Chat:
    """Talk to the assistant through the API, one session: chat("...") returns the response JSON."""

    def __init__(self, client, ip: str) -> None:
        self.client = client
        self.ip = ip
        self.session_id: str | None = None

    def __call__(self, message: str, *, new: bool = False) -> dict:
        body = {"message": message}
        if self.session_id and not new:
            body["session_id"] = self.session_id
        response = self.client.post(CHAT_URL, body, format="json", REMOTE_ADDR=self.ip)
        assert response.status_code == 200, response.content
        data = response.json()
        self.session_id = data["session_id"]
        return data


@pytest.fixture
def chat(api_client, client_ip) -> Chat:
    return Chat(api_client, client_ip)
