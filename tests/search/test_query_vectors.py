"""A query asked again (the storefront's next page, a facet, a sort) reuses its vector: the model runs once,
the answer is the same, and the kept vectors are bounded whatever the number of distinct queries."""

from __future__ import annotations

import pytest

from apps.ai_assistant.retrieval import vector_side

pytestmark = pytest.mark.integration

URL = "/api/ai-assistant/search"


def test_the_same_query_is_embedded_once_and_answers_alike(indexed, api_client, embedded):
    first = api_client.get(URL, {"q": "fat bike with black rims", "limit": 20}).json()
    assert embedded == [["fat bike with black rims"]]
    again = api_client.get(URL, {"q": "fat bike with black rims", "limit": 20}).json()
    api_client.get(URL, {"q": "fat bike with black rims", "limit": 20, "sort": "price"})
    page_two = api_client.get(URL, {"q": "fat bike with black rims", "limit": 5, "offset": 5}).json()
    assert embedded == [["fat bike with black rims"]]  # neither the sort nor the page ran the model again
    assert again["results"] == first["results"]
    assert [h["id"] for h in page_two["results"]] == [h["id"] for h in first["results"][5:10]]
    api_client.get(URL, {"q": "powder skis"})
    assert embedded[-1] == ["powder skis"] and len(embedded) == 2


def test_kept_vectors_are_bounded(indexed, monkeypatch, embedded):
    monkeypatch.setattr(vector_side, "QUERY_VECTORS", 3)
    snapshot = vector_side.current_snapshot()
    for text in ["one", "two", "three", "four"]:
        vector_side.query_vector(text, snapshot)
    vector_side.query_vector("two", snapshot)  # still kept: no call
    vector_side.query_vector("one", snapshot)  # the oldest was dropped: embedded again
    assert [texts for texts in embedded] == [["one"], ["two"], ["three"], ["four"], ["one"]]
    provider = vector_side.query_provider(snapshot)
    assert len(vector_side._query_vectors[provider]) == 3
    vector_side.forget_query_vectors()
    vector_side.query_vector("two", snapshot)
    assert embedded[-1] == ["two"] and len(embedded) == 6


def test_one_querys_kept_vector_can_be_dropped(indexed, embedded):
    snapshot = vector_side.current_snapshot()
    vector_side.query_vector("one", snapshot)
    vector_side.query_vector("two", snapshot)
    vector_side.forget_query_vectors("one")
    vector_side.query_vector("two", snapshot)  # kept
    vector_side.query_vector("one", snapshot)  # dropped: embedded again
    assert embedded == [["one"], ["two"], ["one"]]
