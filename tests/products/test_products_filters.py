"""GET /api/products/: filters and ordering by the computed price and availability, category by id or slug,
a bounded page size; every bad value is a 400 naming its parameter; the work stays linear in the products."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.services.catalog import set_options_stock
from apps.preconfigured_products import selectors
from apps.preconfigured_products.services import create_product

pytestmark = pytest.mark.django_db

URL = "/api/products/"
CLASSIC = ["full-suspension", "shiny", "road wheels", "red", "single-speed chain"]  # 303.00
TRAIL = ["full-suspension", "matte", "mountain wheels", "black", "8-speed chain"]  # 345.00 (matte: price rule)


@pytest.fixture
def products(bicycle_catalog):
    cat = bicycle_catalog
    # Names in the opposite order of prices, so sorting by one is not sorting by the other.
    trail = create_product(category=cat.category, name="A Trail", options=cat.ids(*TRAIL))
    classic = create_product(category=cat.category, name="B Classic", options=cat.ids(*CLASSIC))
    return {"trail": trail, "classic": classic, "catalog": cat}


def names(client, query: str) -> list[str]:
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200, response.content
    return [p["name"] for p in response.json()["results"]]


def test_price_range_uses_the_computed_price(api_client, products):
    assert names(api_client, "min_price=310") == ["A Trail"]
    assert names(api_client, "max_price=303") == ["B Classic"]
    assert names(api_client, "min_price=303&max_price=303.00") == ["B Classic"]
    assert names(api_client, "min_price=346") == []
    # A price rule's change moves the product across the bound (price is never stored).
    products["catalog"].price_rules["full-suspension"].adjusted_price = "10.00"
    products["catalog"].price_rules["full-suspension"].save()
    assert names(api_client, "max_price=310&ordering=-price") == ["A Trail", "B Classic"]  # 305 and 303


def test_available_follows_stock(api_client, products):
    assert names(api_client, "available=true") == ["A Trail", "B Classic"]
    set_options_stock([products["catalog"].option("black").pk], False)
    assert names(api_client, "available=true") == ["B Classic"]
    assert names(api_client, "available=false") == ["A Trail"]
    assert names(api_client, "available=false&min_price=400") == []


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("price", ["B Classic", "A Trail"]),
        ("-price", ["A Trail", "B Classic"]),
        ("name", ["A Trail", "B Classic"]),
        ("-name", ["B Classic", "A Trail"]),
        ("id", ["A Trail", "B Classic"]),
        ("-id", ["B Classic", "A Trail"]),
    ],
)
def test_ordering(api_client, products, ordering, expected):
    assert names(api_client, f"ordering={ordering}") == expected


def test_page_size_and_pages_over_computed_ordering(api_client, products):
    first = api_client.get(f"{URL}?ordering=-price&page_size=1").json()
    assert first["count"] == 2 and [p["name"] for p in first["results"]] == ["A Trail"]
    assert "page_size=1" in first["next"] and "ordering=-price" in first["next"]
    second = api_client.get(f"{URL}?ordering=-price&page_size=1&page=2").json()
    assert [p["name"] for p in second["results"]] == ["B Classic"] and second["next"] is None
    assert [p["price"] for p in second["results"]] == ["303.00"]
    assert len(api_client.get(f"{URL}?page_size=100").json()["results"]) == 2


def test_category_by_id_or_slug(api_client, products, django_user_model):
    category = products["catalog"].category
    assert names(api_client, f"category={category.pk}") == ["A Trail", "B Classic"]
    assert names(api_client, "category=bicycles") == ["A Trail", "B Classic"]
    response = api_client.get(f"{URL}?category=skis")
    assert response.status_code == 400 and "category" in response.json()


@pytest.mark.parametrize(
    "query",
    [
        "min_price=cheap",
        "min_price=-1",
        "max_price=1e400",
        "min_price=400&max_price=300",
        "min_price=",
        "available=perhaps",
        "available=",
        "ordering=colour",
        "ordering=",
        "ordering=price,name",
        "page_size=0",
        "page_size=101",
        "page_size=ten",
        "page_size=",
        "page_size=1&page_size=2",
        "page_size=" + "9" * 5000,
        "category=0",
        "category=99999999999999999999999",
    ],
)
def test_bad_values_are_400_naming_the_parameter(api_client, products, query):
    response = api_client.get(f"{URL}?{query}")
    assert response.status_code == 400, response.content
    assert query.split("=")[0] in response.json()


def test_computed_filters_cost_a_fixed_number_of_queries_per_chunk(api_client, products, monkeypatch):
    cat = products["catalog"]
    with CaptureQueriesContext(connection) as two:
        assert api_client.get(f"{URL}?ordering=price&available=true").status_code == 200
    for n in range(18):
        create_product(category=cat.category, name=f"P{n:02}", options=cat.ids(*(TRAIL if n % 2 else CLASSIC)))
    with CaptureQueriesContext(connection) as twenty:
        body = api_client.get(f"{URL}?ordering=price&available=true").json()
    assert body["count"] == 20 and len(twenty) == len(two)
    prices = [p["price"] for p in body["results"]]
    assert prices == sorted(prices) == ["303.00"] * 10 + ["345.00"] * 10
    # Quoted in chunks: the same answer when every chunk holds 3 products (7 chunks, queries per chunk fixed).
    monkeypatch.setattr(selectors, "QUOTE_CHUNK", 3)
    chunked = api_client.get(f"{URL}?ordering=price&available=true").json()
    assert [p["id"] for p in chunked["results"]] == [p["id"] for p in body["results"]]
