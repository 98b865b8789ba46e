"""POST /api/ai-assistant/chat: the contract, stored sessions, bad input, throttling and what is logged."""

from __future__ import annotations

import logging
import uuid

import pytest
from django.core.cache import cache

from apps.ai_assistant.models import ChatMessage, ChatSession

from .conftest import CHAT_URL

pytestmark = pytest.mark.django_db


def test_answer_shape_and_stored_session(demo_catalog, chat):
    data = chat("show me mountain bikes under 900")

    assert set(data) >= {"session_id", "answer", "products", "sources"}
    assert data["engine"] == "builtin"
    session = ChatSession.objects.get(id=data["session_id"])
    assert session.context["max_price"] == "900.00"
    messages = list(session.messages.values_list("role", "content"))
    assert messages[0] == ("user", "show me mountain bikes under 900")
    assert messages[1][0] == "assistant" and messages[1][1] == data["answer"]
    card = data["products"][0]
    assert set(card) == {"id", "name", "price", "available", "url"}
    assert card["url"] == f"/api/products/{card['id']}/"
    assert f"product:{card['id']}" in data["sources"]
    stored = session.messages.get(role="assistant")
    assert stored.products == data["products"] and stored.sources == data["sources"]
    assert stored.engine == "builtin"


def test_follow_up_in_the_same_session(demo_catalog, chat):
    first = chat("hello")
    second = chat("what options does the rim color have?")
    assert second["session_id"] == first["session_id"]
    assert ChatMessage.objects.filter(session_id=first["session_id"]).count() == 4


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "message"),
        ({"message": ""}, "message"),
        ({"message": "   \n "}, "message"),
        ({"message": "x" * 2001}, "message"),
        ({"message": 123}, "message"),
        ({"message": ["bikes"]}, "message"),
        ({"message": {"text": "bikes"}}, "message"),
        ({"message": None}, "message"),
        ({"message": True}, "message"),
        ({"message": "bikes\x00"}, "message"),
        ({"message": "bikes", "session_id": "not-a-uuid"}, "session_id"),
        ({"message": "bikes", "session_id": str(uuid.uuid4())}, "session_id"),
        ({"message": "bikes", "session_id": 12}, "session_id"),
        ({"message": "bikes", "session_id": ["x"]}, "session_id"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(api_client, client_ip, body, field):
    response = api_client.post(CHAT_URL, body, format="json", REMOTE_ADDR=client_ip)

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not ChatSession.objects.exists()
    assert not ChatMessage.objects.exists()


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [("[1, 2]", "application/json"), ('{"message": ', "application/json"), ("null", "application/json")],
)
def test_body_that_is_not_an_object_is_a_400(api_client, client_ip, raw, content_type):
    response = api_client.post(CHAT_URL, raw, content_type=content_type, REMOTE_ADDR=client_ip)
    assert response.status_code == 400
    assert not ChatSession.objects.exists()


def test_lone_surrogate_in_json_is_a_400_naming_message(api_client, client_ip):
    # Valid JSON, but not storable as UTF-8 text.
    raw = '{"message": "bikes \\ud800"}'
    response = api_client.post(CHAT_URL, raw, content_type="application/json", REMOTE_ADDR=client_ip)
    assert response.status_code == 400
    assert "message" in response.json()
    assert not ChatSession.objects.exists()


def test_message_of_exactly_2000_characters_is_accepted(demo_catalog, chat):
    data = chat("bikes " + "x" * 1994)
    assert data["answer"]


def test_too_many_requests_get_429_with_retry_after(demo_catalog, api_client, client_ip, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "ai_chat": "3/min"},
    }
    key = f"throttle_ai_chat_{client_ip}"
    cache.delete(key)
    try:
        codes = [
            api_client.post(CHAT_URL, {"message": "hello"}, format="json", REMOTE_ADDR=client_ip).status_code
            for _ in range(3)
        ]
        limited = api_client.post(CHAT_URL, {"message": "hello"}, format="json", REMOTE_ADDR=client_ip)
        other_client = api_client.post(CHAT_URL, {"message": "hello"}, format="json", REMOTE_ADDR="10.254.0.1")
    finally:
        cache.delete(key)
        cache.delete("throttle_ai_chat_10.254.0.1")

    assert codes == [200, 200, 200]
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert other_client.status_code == 200  # per client, not global
    assert ChatSession.objects.count() == 4


def test_customer_words_are_not_logged_at_info(demo_catalog, chat, caplog):
    secret = "zebracorn4471"
    with caplog.at_level(logging.INFO):
        chat(f"do you have a {secret} bike under 500 with black rims?")
        chat(f"and my name is {secret}?")

    assert caplog.records, "the assistant logs each answer (lengths and ids)"
    assert any("message_chars=" in r.getMessage() for r in caplog.records)
    for record in caplog.records:
        assert secret not in record.getMessage()
        assert secret not in repr(record.args)


def test_session_deleted_while_answering_is_a_400(demo_catalog, chat, monkeypatch):
    from apps.ai_assistant.assistant.builtin_engine import BuiltinEngine

    first = chat("hello")
    real_answer = BuiltinEngine.answer

    def answer_after_an_admin_deleted_the_session(self, message, session):
        ChatSession.objects.filter(id=session.id).delete()  # the race: the admin deletes it meanwhile
        return real_answer(self, message, session)

    monkeypatch.setattr(BuiltinEngine, "answer", answer_after_an_admin_deleted_the_session)
    response = chat.client.post(CHAT_URL, {"message": "and with black rims?", "session_id": first["session_id"]},
                                format="json", REMOTE_ADDR=chat.ip)
    assert response.status_code == 400
    assert "session_id" in response.json()
    assert not ChatMessage.objects.exists()
