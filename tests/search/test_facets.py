"""GET /api/ai-assistant/search: facets equal counts computed from the database, the options filter, paging."""

from __future__ import annotations

from collections import Counter

import pytest

from apps.catalog.models import PartOption
from apps.preconfigured_products.models import PreConfiguredProduct, PreConfiguredProductOption
from apps.preconfigured_products.selectors import products_price_and_availability
from apps.search.selectors.facets import price_bounds

pytestmark = pytest.mark.integration

URL = "/api/ai-assistant/search"


def all_hits(api_client, params: dict) -> tuple[dict, list[dict]]:
    """The first page's body and every hit over all pages."""
    first = api_client.get(URL, {**params, "limit": 50}).json()
    hits = list(first["results"])
    while len(hits) < first["total"]:
        page = api_client.get(URL, {**params, "limit": 50, "offset": len(hits)}).json()
        assert page["results"], "a page before the total was reached is empty"
        hits += page["results"]
    return first, hits


def expected_facets(product_ids: list[int]) -> dict:
    """The facets computed directly: rows of the catalog and the configurator's prices, no facet code."""
    products = list(PreConfiguredProduct.objects.filter(pk__in=product_ids).select_related("category"))
    categories = Counter((p.category_id, p.category.name) for p in products)
    options = Counter(
        (row.part_id, row.option_id) for row in PreConfiguredProductOption.objects.filter(product_id__in=product_ids)
    )
    computed = products_price_and_availability(products)
    prices = [float(value.price) for value in computed.values()]
    bounds = price_bounds(min(prices), max(prices))
    return {
        "category": {(pk, name): n for (pk, name), n in categories.items()},
        "options": dict(options),
        "price": [sum(low <= p < high for p in prices) for low, high in bounds],
        "price_bounds": [(f"{low:.2f}", f"{high:.2f}") for low, high in bounds],
        "in_stock": {
            "true": sum(v.available for v in computed.values()),
            "false": sum(not v.available for v in computed.values()),
        },
    }


@pytest.mark.parametrize(
    "params",
    [
        {"q": "bike", "type": "product"},
        {"q": "board for beginners"},
        {"q": "skis", "max_price": "700", "in_stock": "true"},
    ],
)
def test_facets_equal_counts_computed_from_the_database(indexed, api_client, params):
    body, hits = all_hits(api_client, params)
    product_ids = [hit["object_id"] for hit in hits if hit["type"] == "product"]
    assert product_ids, "the search matched no product: nothing to compare"
    expected = expected_facets(product_ids)
    facets = body["facets"]

    assert {(c["id"], c["name"]): c["count"] for c in facets["category"]} == expected["category"]
    got_options = {(part["part_id"], o["id"]): o["count"] for part in facets["options"] for o in part["options"]}
    assert got_options == expected["options"]
    assert [b["count"] for b in facets["price"]] == expected["price"]
    assert [(b["min"], b["max"]) for b in facets["price"]] == expected["price_bounds"]
    assert facets["in_stock"] == expected["in_stock"]
    assert sum(c["count"] for c in facets["category"]) == len(product_ids)
    assert sum(b["count"] for b in facets["price"]) == len(product_ids)


def test_paging_walks_every_hit_once(indexed, api_client):
    body, hits = all_hits(api_client, {"q": "bike"})
    assert body["offset"] == 0 and body["total"] == len(hits) > 10
    assert len({hit["id"] for hit in hits}) == len(hits)
    second = api_client.get(URL, {"q": "bike", "limit": 5, "offset": 5}).json()
    assert [h["id"] for h in second["results"]] == [h["id"] for h in hits[5:10]]
    assert second["offset"] == 5 and second["total"] == body["total"]
    beyond = api_client.get(URL, {"q": "bike", "offset": 1000}).json()
    assert beyond["results"] == [] and beyond["total"] == body["total"]


def test_options_filter_keeps_products_having_all_of_them(indexed, api_client):
    black = PartOption.objects.get(name="Black", part__category__slug="bicycles")
    fat = PartOption.objects.get(name="Fat bike wheels", part__category__slug="bicycles")
    having_both = set(
        PreConfiguredProduct.objects.filter(selections__option=black)
        .filter(selections__option=fat)
        .values_list("pk", flat=True)
    )
    assert having_both, "the demo catalog has a fat bike with black rims"
    body, hits = all_hits(api_client, {"q": "bike", "options": f"{black.pk},{fat.pk}"})
    assert {hit["type"] for hit in hits} == {"product"}
    assert {hit["object_id"] for hit in hits} == having_both  # every product having both: few enough to match
    assert body["total"] == len(having_both)
    wheels = next(part for part in body["facets"]["options"] if part["part"] == "Wheels")
    assert wheels["options"] == [{"id": fat.pk, "name": "Fat bike wheels", "count": len(having_both)}]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "bike", "options": ""}, "options"),
        ({"q": "bike", "options": "abc"}, "options"),
        ({"q": "bike", "options": "1,,2"}, "options"),
        ({"q": "bike", "options": "-3"}, "options"),
        ({"q": "bike", "options": "999999"}, "options"),
        ({"q": "bike", "options": ",".join(str(n) for n in range(1, 12))}, "options"),
        ({"q": "bike", "options": "9" * 30}, "options"),
        ({"q": "bike", "offset": "-1"}, "offset"),
        ({"q": "bike", "offset": "x"}, "offset"),
        ({"q": "bike", "offset": "1001"}, "offset"),
    ],
)
def test_bad_options_and_offset_are_a_400_naming_the_field(demo, api_client, params, field):
    response = api_client.get(URL, params)
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_facets_are_empty_before_the_first_build(demo, vector_index, api_client):
    body = api_client.get(URL, {"q": "bike"}).json()
    assert body["total"] == 0 and body["results"] == []
    assert body["facets"] == {"category": [], "options": [], "price": [], "in_stock": {"true": 0, "false": 0}}


def test_facets_of_products_before_any_index_count_catalog_rows_only(demo):
    from apps.search.selectors.facets import search_facets

    ids = list(PreConfiguredProduct.objects.filter(category__slug="skis").values_list("pk", flat=True))
    facets = search_facets(ids)
    assert facets["category"] == [
        {"id": ids and PreConfiguredProduct.objects.get(pk=ids[0]).category_id, "name": "Skis", "count": len(ids)}
    ]
    assert facets["price"] == [] and facets["in_stock"] == {"true": 0, "false": 0}  # no indexed prices yet


@pytest.mark.parametrize("query", ["bike", "board for beginners", "skis"])
def test_facets_counted_from_the_hits_equal_the_database_aggregation_in_one_query(
    indexed, django_assert_num_queries, query
):
    from apps.ai_assistant.retrieval.hybrid import SearchFilters
    from apps.search.selectors.facets import search_facets
    from apps.search.selectors.matches import search_matches

    matches = search_matches(query, SearchFilters())
    assert matches.product_ids, "the search matched no product: nothing to compare"
    from_database = search_facets(matches.product_ids)
    with django_assert_num_queries(1):  # the options' GROUP BY; category, price and stock come with the hits
        from_hits = search_facets(matches.product_ids, matches.hits)
    assert from_hits == from_database
