"""GET /api/ai-assistant/search?sort=: every match ordered before paging; a bad value is a 400 naming `sort`."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.search.selectors.matches import Matches

pytestmark = pytest.mark.integration

URL = "/api/ai-assistant/search"


def every_hit(api_client, params: dict, page: int) -> list[dict]:
    """All hits, read page by page of `page` results."""
    first = api_client.get(URL, {**params, "limit": page}).json()
    hits = list(first["results"])
    while len(hits) < first["total"]:
        body = api_client.get(URL, {**params, "limit": page, "offset": len(hits)}).json()
        assert body["results"], "a page before the total was reached is empty"
        hits += body["results"]
    return hits


@pytest.mark.parametrize(("sort", "descending"), [("price", False), ("-price", True)])
def test_sort_by_price_orders_every_match_before_paging(indexed, api_client, sort, descending):
    params = {"q": "bike", "type": "product"}
    relevance = every_hit(api_client, params, 50)
    assert len(relevance) > 10, "too few matches to span several pages"
    prices = [Decimal(hit["price"]) for hit in relevance]
    assert prices != sorted(prices, reverse=descending), "relevance order is already price order: proves nothing"

    hits = every_hit(api_client, {**params, "sort": sort}, 5)  # pages of 5: sorted across pages, not within
    assert sorted(hit["id"] for hit in hits) == sorted(hit["id"] for hit in relevance)
    assert [Decimal(hit["price"]) for hit in hits] == sorted(prices, reverse=descending)
    cheapest_first = api_client.get(URL, {**params, "sort": sort, "limit": 1}).json()["results"][0]
    assert Decimal(cheapest_first["price"]) == (max(prices) if descending else min(prices))


def test_default_sort_is_relevance(indexed, api_client):
    plain = api_client.get(URL, {"q": "fat bike", "limit": 20}).json()
    by_relevance = api_client.get(URL, {"q": "fat bike", "limit": 20, "sort": "relevance"}).json()
    assert [h["id"] for h in plain["results"]] == [h["id"] for h in by_relevance["results"]]
    scores = [h["score"] for h in plain["results"]]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("value", ["cheapest", "", "PRICE", "price,-price", "-relevance"])
def test_bad_sort_is_a_400_naming_the_field(demo, api_client, value):
    response = api_client.get(URL, {"q": "bike", "sort": value})
    assert response.status_code == 400, response.content
    assert "sort" in response.json()


def hit(doc_id: str, price: str | None) -> dict:
    return {"id": doc_id, "type": "product", "object_id": int(doc_id), "price": price}


def test_equal_prices_keep_relevance_order_and_unpriced_hits_come_last():
    matches = Matches([hit("1", "20.00"), hit("2", None), hit("3", "10.00"), hit("4", "20.00")], 0, "q")
    assert [h["id"] for h in matches.sorted_by("price").hits] == ["3", "1", "4", "2"]
    assert [h["id"] for h in matches.sorted_by("-price").hits] == ["1", "4", "3", "2"]
    assert matches.sorted_by("relevance").hits == matches.hits
    with pytest.raises(ValueError, match="sort"):
        matches.sorted_by("cheap")
