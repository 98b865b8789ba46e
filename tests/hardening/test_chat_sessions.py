"""Chat sessions stay bounded, belong to whoever started them, and are not logged in full."""

from __future__ import annotations

import hashlib
import json
import logging
import re

import pytest
from rest_framework.test import APIClient

from apps.ai_assistant.assistant.context import cap_query
from apps.ai_assistant.models import ChatMessage, ChatSession
from apps.catalog.models import Category, Part, PartOption
from apps.preconfigured_products.models import PreConfiguredProduct
from tests.assistant.conftest import CHAT_URL, Chat, assistant_settings, client_ip, demo_catalog  # noqa: F401

pytestmark = pytest.mark.django_db


def _stored_context(session_id: str) -> dict:
    return ChatSession.objects.get(id=session_id).context


# -- bounded ---------------------------------------------------------------------------------------
def test_thirty_follow_ups_keep_answer_and_context_bounded(demo_catalog, client_ip, settings):  # noqa: F811
    settings.AI_CHAT_CONTEXT_MAX_CHARS = 200
    chat = Chat(APIClient(), client_ip)
    chat("show me mountain bikes under 900")
    answers, contexts, queries = [], [], []
    words = _description_words()
    for n in range(30):
        # Eight new words a message: the words the session carries grew by ~60 characters each time. They are
        # words of the catalog's descriptions: a made-up word reads as a product the shop does not sell.
        data = chat("and also " + " ".join(words[8 * n : 8 * n + 8]) + "?")
        answers.append(len(data["answer"]))
        contexts.append(len(json.dumps(_stored_context(data["session_id"]))))
        queries.append(len(_stored_context(data["session_id"])["query"]))

    assert len(ChatMessage.objects.filter(session_id=chat.session_id)) == 62  # one session throughout
    assert len(_stored_context(chat.session_id)["query"]) <= 200
    assert max(answers) < 1200 and max(contexts) < 600
    # No growth with the number of follow-ups: the carried words stay within the cap after every message.
    # (Answers and contexts differ per message, as the words find different things: the maxima above bound them.)
    assert max(queries) <= 200 and max(queries[5:]) > 150
    # What is kept are words the customer sent (which ones: the newest, cap_query's test below; a message that
    # moves to another family starts the carried words afresh).
    kept = _stored_context(chat.session_id)["query"].split()
    assert kept and {w.rstrip("s") for w in kept} <= {w.rstrip("s") for w in words}  # the chat drops a plural s


def _description_words() -> list[str]:
    """240 different words of the catalog's descriptions that are no word of a name, in a fixed order."""
    named = [Category, Part, PartOption, PreConfiguredProduct]
    names = " ".join(name for model in named for name in model.objects.values_list("name", flat=True)).lower()
    texts = [*PartOption.objects.order_by("pk").values_list("description", flat=True),
             *PreConfiguredProduct.objects.order_by("pk").values_list("description", flat=True)]
    name_words = set(re.findall(r"[a-z]+", names))
    words = list(dict.fromkeys(w for t in texts for w in re.findall(r"[a-z]{5,}", t.lower()) if w not in name_words))
    assert len(words) >= 240
    return words[:240]


def test_cap_query_keeps_the_newest_words_once():
    assert cap_query("red bike red snow fast", 100) == "bike red snow fast"
    assert cap_query("one two three four", 10) == "three four"
    assert cap_query("x" * 50, 10) == "x" * 10
    assert len(cap_query("word " * 100_000, 300)) <= 300


# -- ownership -------------------------------------------------------------------------------------
def _post(client: APIClient, ip: str, message: str, session_id: str | None = None) -> dict:
    body = {"message": message, **({"session_id": session_id} if session_id else {})}
    response = client.post(CHAT_URL, body, format="json", REMOTE_ADDR=ip)
    assert response.status_code == 200, response.content
    return response.json()


def _names(data: dict) -> set[str]:
    return {p["name"] for p in data["products"]}


def test_another_anonymous_browser_with_the_same_id_starts_a_new_session(demo_catalog, client_ip):  # noqa: F811
    alice = APIClient()
    first = _post(alice, client_ip, "show me mountain bikes under 900")
    assert "sessionid" in alice.cookies  # the anonymous client is known by its browser session

    mallory = APIClient()  # another browser: its own cookie
    stolen = _post(mallory, client_ip, "and with black rims?", first["session_id"])

    assert stolen["session_id"] != first["session_id"]
    # Without Alice's context: every black-rimmed bicycle, not only her mountain bikes.
    assert _names(stolen) >= {"Fixie Classic", "Dune Drifter", "Fat Tire Explorer", "Enduro Pro"}
    assert ChatMessage.objects.filter(session_id=first["session_id"]).count() == 2
    new = ChatSession.objects.get(id=stolen["session_id"])
    assert new.owner is None and new.client_key and new.client_key != ChatSession.objects.get(
        id=first["session_id"]).client_key

    # Alice still continues her own session.
    again = _post(alice, client_ip, "and with black rims?", first["session_id"])
    assert again["session_id"] == first["session_id"]
    assert _names(again) == {"Enduro Pro", "Trail Blazer FS"}


def test_a_follow_up_without_the_cookie_starts_a_new_session(demo_catalog, client_ip):  # noqa: F811
    client = APIClient()
    first = _post(client, client_ip, "show me mountain bikes under 900")
    client.cookies.clear()

    second = _post(client, client_ip, "and with black rims?", first["session_id"])

    assert second["session_id"] != first["session_id"]
    assert ChatMessage.objects.filter(session_id=first["session_id"]).count() == 2


def test_the_stored_client_key_is_a_hash_not_the_session_key(demo_catalog, client_ip):  # noqa: F811
    client = APIClient()
    data = _post(client, client_ip, "hello")
    key = client.cookies["sessionid"].value
    stored = ChatSession.objects.get(id=data["session_id"]).client_key
    assert stored == hashlib.sha256(key.encode()).hexdigest()
    assert key not in stored


def test_a_session_belongs_to_the_signed_in_user(demo_catalog, client_ip, django_user_model):  # noqa: F811
    ann = django_user_model.objects.create_user("ann", password="x")
    bob = django_user_model.objects.create_user("bob", password="x")
    ann_client, bob_client, anonymous = APIClient(), APIClient(), APIClient()
    ann_client.force_authenticate(ann)
    bob_client.force_authenticate(bob)

    first = _post(ann_client, client_ip, "show me mountain bikes under 900")
    assert ChatSession.objects.get(id=first["session_id"]).owner == ann

    by_bob = _post(bob_client, client_ip, "and with black rims?", first["session_id"])
    by_anonymous = _post(anonymous, client_ip, "and with black rims?", first["session_id"])
    by_ann = _post(ann_client, client_ip, "and with black rims?", first["session_id"])

    assert by_bob["session_id"] != first["session_id"]
    assert ChatSession.objects.get(id=by_bob["session_id"]).owner == bob
    assert by_anonymous["session_id"] != first["session_id"]
    assert by_ann["session_id"] == first["session_id"]
    assert ChatMessage.objects.filter(session_id=first["session_id"]).count() == 4


def test_an_unknown_session_id_is_still_a_400(demo_catalog, client_ip):  # noqa: F811
    """The contract for ids that name no session at all is unchanged; only other clients' ids start afresh."""
    client = APIClient()
    first = _post(client, client_ip, "hello")
    ChatSession.objects.filter(id=first["session_id"]).delete()
    response = client.post(CHAT_URL, {"message": "hi", "session_id": first["session_id"]}, format="json",
                           REMOTE_ADDR=client_ip)
    assert response.status_code == 400
    # And the 200s above set no owner-less sessions: every API session belongs to someone.
    assert not ChatSession.objects.filter(owner__isnull=True, client_key="").exists()


# -- logs ------------------------------------------------------------------------------------------
def test_session_ids_are_logged_as_a_short_prefix_only(demo_catalog, client_ip, caplog):  # noqa: F811
    alice, mallory = APIClient(), APIClient()
    with caplog.at_level(logging.DEBUG):
        first = _post(alice, client_ip, "show me bikes")
        _post(alice, client_ip, "and under 900?", first["session_id"])
        _post(mallory, client_ip, "and under 900?", first["session_id"])

    logged = " ".join(r.getMessage() + repr(r.args) for r in caplog.records)
    assert f"session={first['session_id'][:8]}" in logged
    for session_id in ChatSession.objects.values_list("id", flat=True):
        assert str(session_id) not in logged
        assert str(session_id).replace("-", "") not in logged
