"""The family page's queries do not grow with the family or the page: the family is quoted once when a sort or
filter needs computed values, and the page shown reuses those quotes (prices are the configurator's)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.catalog.models import Category
from apps.catalog.services.demo_catalog import load_demo_catalog
from apps.preconfigured_products.models import PreConfiguredProduct
from apps.preconfigured_products.selectors import product_quotes
from bench.storefront_pages import grow_family

pytestmark = pytest.mark.django_db

SORTS = [("name", ""), ("name", "on"), ("price", ""), ("price", "on"), ("-price", ""), ("-price", "on")]


@pytest.fixture
def bicycles() -> Category:
    load_demo_catalog()
    return Category.objects.get(slug="bicycles")


def page_queries(client, sort: str, available: str, page: int) -> tuple[int, list[dict]]:
    params = {"sort": sort, "page": page, **({"available": available} if available else {})}
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("storefront:family", args=["bicycles"]), params)
    assert response.status_code == 200
    return len(captured.captured_queries), response.context["cards"]


def test_a_family_of_60_costs_the_queries_of_a_family_of_12_on_every_page_and_sort(client, bicycles):
    assert PreConfiguredProduct.objects.filter(category=bicycles).count() == 12
    client.get("/")  # the session and anything cached once per client are not the family page's
    small = {(sort, available): page_queries(client, sort, available, 1)[0] for sort, available in SORTS}
    grow_family(bicycles, 60)
    for sort, available in SORTS:
        for page in (1, 2, 4):
            queries, _ = page_queries(client, sort, available, page)
            assert queries == small[sort, available], (sort, available, page)
    # Sorting or filtering by computed values quotes the family once: no more queries than the name order.
    assert max(small.values()) <= small["name", ""] + 1, small


@pytest.mark.parametrize("sort", ["price", "-price"])
def test_pages_sorted_by_price_continue_each_other_at_the_configurators_prices(client, bicycles, sort):
    grow_family(bicycles, 40)
    cards = [card for page in (1, 2, 3, 4) for card in page_queries(client, sort, "", page)[1]]
    assert len(cards) == 40 and len({card["pk"] for card in cards}) == 40
    prices = [card["price"] for card in cards]
    assert prices == sorted(prices, reverse=sort == "-price")
    quotes = product_quotes(PreConfiguredProduct.objects.filter(category=bicycles))
    assert {card["pk"]: card["price"] for card in cards} == {pk: quote.price for pk, quote in quotes.items()}
    assert {card["pk"] for card in cards if card["valid"]} == {pk for pk, quote in quotes.items() if quote.valid}


def test_available_only_lists_the_models_the_configurator_accepts(client, bicycles):
    grow_family(bicycles, 40)
    quotes = product_quotes(PreConfiguredProduct.objects.filter(category=bicycles))
    valid = {pk for pk, quote in quotes.items() if quote.valid}
    assert 0 < len(valid) < 40  # random options: some models are not orderable
    shown = [card for page in (1, 2, 3, 4) for card in page_queries(client, "name", "on", page)[1]]
    assert {card["pk"] for card in shown} == valid and all(card["valid"] for card in shown)
