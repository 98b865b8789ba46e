"""GET /api/ai-assistant/search: the contract, 400s naming the field, 503 when the vector store is down."""

from __future__ import annotations

import pytest

from apps.ai_assistant.models import IndexedDocument
from ecommerce_backend.devservers import free_port

pytestmark = pytest.mark.integration

URL = "/api/ai-assistant/search"


@pytest.fixture
def indexed(demo, vector_index):
    vector_index.build_index()
    return vector_index


def test_search_answers_with_results_and_timing(indexed, api_client, demo):
    response = api_client.get(URL, {"q": "fat bike with black rims", "type": "product", "limit": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "fat bike with black rims" and isinstance(body["took_ms"], float)
    assert len(body["results"]) == 3 and {hit["type"] for hit in body["results"]} == {"product"}
    assert set(body["results"][0]) == {
        "id", "type", "object_id", "name", "score", "price", "in_stock", "category", "category_id", "snippet",
    }  # fmt: skip


def test_filters_through_the_api(indexed, api_client, demo):
    body = api_client.get(
        URL, {"q": "board", "category": "surfboards", "max_price": "650", "in_stock": "true", "limit": 50}
    ).json()
    assert body["results"] and all(h["category"] == "Surfboards" for h in body["results"])
    assert all(h["price"] is not None and float(h["price"]) <= 650 for h in body["results"])
    assert all(h["in_stock"] is True for h in body["results"])
    by_id = api_client.get(URL, {"q": "board", "category": demo.category("surfboards").pk, "limit": 50}).json()
    assert {h["category"] for h in by_id["results"]} == {"Surfboards"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "x" * 501}, "q"),
        ({"q": "bike\x00"}, "q"),
        ({"q": "bike", "limit": "0"}, "limit"),
        ({"q": "bike", "limit": "51"}, "limit"),
        ({"q": "bike", "limit": "ten"}, "limit"),
        ({"q": "bike", "min_price": "-1"}, "min_price"),
        ({"q": "bike", "min_price": "abc"}, "min_price"),
        ({"q": "bike", "max_price": "NaN"}, "max_price"),
        ({"q": "bike", "max_price": "Infinity"}, "max_price"),
        ({"q": "bike", "min_price": "500", "max_price": "100"}, "min_price"),
        ({"q": "bike", "type": "bogus"}, "type"),
        ({"q": "bike", "category": "no-such-category"}, "category"),
        ({"q": "bike", "category": "999999"}, "category"),
        ({"q": "bike", "category": "9" * 30}, "category"),
        ({"q": "bike", "category": "²"}, "category"),
        ({"q": "bike", "in_stock": "maybe"}, "in_stock"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(demo, api_client, params, field):
    # Validation comes before any index work: no vector store needed, and nothing is written.
    documents = IndexedDocument.objects.count()
    response = api_client.get(URL, params)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert IndexedDocument.objects.count() == documents  # nothing written


def test_the_search_is_public_and_ignores_credentials(indexed, api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api_client.get(URL, {"q": "skis"}).status_code == 200


def test_the_search_is_throttled(indexed, api_client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "ai_search": "2/min"},
    }
    address = {"REMOTE_ADDR": f"10.77.{free_port() % 250}.{free_port() % 250}"}
    codes = [api_client.get(URL, {"q": "skis"}, **address).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_a_vector_store_that_is_down_is_a_503(indexed, api_client, settings):
    from apps.ai_assistant.retrieval.vector_store import reset_vector_store

    settings.CHROMA_URL = f"http://127.0.0.1:{free_port()}"
    reset_vector_store()
    response = api_client.get(URL, {"q": "bike"})
    assert response.status_code == 503
    assert "unavailable" in response.json()["detail"]
