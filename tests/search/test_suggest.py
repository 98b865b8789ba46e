"""GET /api/ai-assistant/suggest: names by prefix and by misspelling, bounds, and names that follow the catalog."""

from __future__ import annotations

import io
import random

import pytest
from django.core.management import call_command

from apps.catalog.models import Category, PartOption
from apps.preconfigured_products.models import PreConfiguredProduct
from apps.search.models import SuggestEntry

URL = "/api/ai-assistant/suggest"


def texts(body: dict) -> list[str]:
    return [s["text"] for s in body["suggestions"]]


def test_names_by_prefix_with_their_type_and_id(demo, api_client):
    body = api_client.get(URL, {"q": "fat"}).json()
    product = PreConfiguredProduct.objects.get(name="Fat Tire Explorer")
    option = PartOption.objects.get(name="Fat bike wheels")
    assert {"text": "Fat Tire Explorer", "type": "product", "id": product.pk} in body["suggestions"]
    assert {"text": "Fat bike wheels", "type": "option", "id": option.pk} in body["suggestions"]
    assert all(set(s) == {"text", "type", "id"} for s in body["suggestions"])


def test_a_word_inside_a_name_and_categories_first(demo, api_client):
    assert "Snow Cruiser" in texts(api_client.get(URL, {"q": "cruis"}).json())  # the second word of the name
    body = api_client.get(URL, {"q": "s"}).json()
    assert body["suggestions"][0] == {"text": "Skis", "type": "category", "id": Category.objects.get(slug="skis").pk}


def test_names_by_misspelling(demo, api_client):
    assert "Backcountry Explorer" in texts(api_client.get(URL, {"q": "backcountyr"}).json())
    assert "Powder Hound" in texts(api_client.get(URL, {"q": "powdr"}).json())


def test_limit_and_no_repeats(demo, api_client):
    body = api_client.get(URL, {"q": "b", "limit": 3}).json()
    assert len(body["suggestions"]) == 3
    many = api_client.get(URL, {"q": "b"}).json()["suggestions"]
    assert len(many) <= 10
    assert len({(s["text"].lower(), s["type"]) for s in many}) == len(many)


def test_inactive_and_deleted_rows_are_not_offered(demo, api_client, django_capture_on_commit_callbacks):
    product = PreConfiguredProduct.objects.get(name="Dune Drifter")
    assert "Dune Drifter" in texts(api_client.get(URL, {"q": "dune"}).json())
    with django_capture_on_commit_callbacks(execute=True):
        product.is_active = False
        product.save()
    assert "Dune Drifter" not in texts(api_client.get(URL, {"q": "dune"}).json())
    with django_capture_on_commit_callbacks(execute=True):
        product.is_active = True
        product.name = "Dune Glider"
        product.save()
    assert texts(api_client.get(URL, {"q": "dune"}).json()) == ["Dune Glider"]
    with django_capture_on_commit_callbacks(execute=True):
        product.delete()
    assert texts(api_client.get(URL, {"q": "dune"}).json()) == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "x" * 101}, "q"),
        ({"q": "bike\x00"}, "q"),
        ({"q": "bike", "limit": "0"}, "limit"),
        ({"q": "bike", "limit": "11"}, "limit"),
        ({"q": "bike", "limit": "ten"}, "limit"),
        ({"q": "bike", "limit": ""}, "limit"),  # not the default: found by the API fuzz test
    ],
)
def test_bad_input_is_a_400_naming_the_field(db, api_client, params, field):
    response = api_client.get(URL, params)
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_suggest_is_throttled(demo, api_client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "ai_suggest": "2/min"},
    }
    address = f"198.51.100.{random.randint(1, 254)}"  # a counter of its own, whatever earlier runs left
    statuses = [api_client.get(URL, {"q": "fat"}, REMOTE_ADDR=address).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_the_command_recomputes_names_written_without_signals(demo, api_client):
    SuggestEntry.objects.all().delete()  # as after a bulk import, which sends no model signals
    assert texts(api_client.get(URL, {"q": "fat"}).json()) == []
    call_command("refresh_search_vocabulary", stdout=io.StringIO())
    assert "Fat Tire Explorer" in texts(api_client.get(URL, {"q": "fat"}).json())


def test_rates_without_a_suggest_entry_throttle_suggestions_like_search(demo, api_client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"ai_search": "1/min"}}
    address = f"198.51.100.{random.randint(1, 254)}"
    statuses = [api_client.get(URL, {"q": "fat"}, REMOTE_ADDR=address).status_code for _ in range(2)]
    assert statuses == [200, 429]


def test_the_prefix_query_is_compiled_once_and_asked_with_each_prefix(demo):
    from apps.search.selectors import suggest

    suggest._prefix_statement.cache_clear()
    found = {prefix: suggest._by_prefix(prefix, 20) for prefix in ["fat", "sk", "bl", "zzz"]}
    assert suggest._prefix_statement.cache_info().misses == 1  # one SQL text, four searches
    assert found["zzz"] == []
    for prefix in ["fat", "sk", "bl"]:
        assert found[prefix] and all(
            any(word.startswith(prefix) for word in text.lower().split()) for text, _kind, _id in found[prefix]
        ), (prefix, found[prefix])
