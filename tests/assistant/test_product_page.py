"""Product lists price a page, not the family: the live index's prices pick the page (one indexed query), the
configurator prices only that page, and the count is the whole family's. Demo catalog over a real Chroma
server; the page is made small so a family is many pages long."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.ai_assistant.assistant.tools import products as product_tools
from apps.catalog.models import Category
from apps.preconfigured_products import selectors
from apps.preconfigured_products.models import PreConfiguredProduct

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture
def quoted(monkeypatch) -> list[int]:
    """Ids of the products quoted through the selectors (the index build's and the tests' own quotes too: a
    test clears the list before the call it counts)."""
    seen: list[int] = []
    real = selectors.products_price_and_availability

    def counting(products):
        products = list(products)
        seen.extend(p.pk for p in products)
        return real(products)

    monkeypatch.setattr(product_tools.product_selectors, "products_price_and_availability", counting)
    return seen


def _truth(category_id: int, ordering: str, **limits) -> list[int]:
    products = PreConfiguredProduct.objects.filter(is_active=True, category_id=category_id)
    return selectors.products_by_computed_values(products, ordering=ordering, **limits)


@pytest.mark.parametrize(("sort", "ordering"), [("price_asc", "price"), ("price_desc", "-price")])
def test_only_the_page_is_quoted_and_it_is_the_configurators_order(demo_catalog, vector_index, quoted, monkeypatch,
                                                                   sort, ordering):
    vector_index.build_index()
    monkeypatch.setattr(product_tools, "PAGE", 2)
    bikes = Category.objects.get(slug="bicycles").pk
    truth = _truth(bikes, ordering)
    assert len(truth) > 2

    quoted.clear()  # the build and the truth above quoted every bicycle
    listed = product_tools.query_products(category_id=bikes, sort=sort)

    assert len(quoted) == 2  # two quotes, not one per bicycle
    assert [f.id for f in listed.facts] == truth[:2]
    assert listed.total == len(truth)
    prices = selectors.products_price_and_availability(PreConfiguredProduct.objects.filter(pk__in=truth[:2]))
    assert [f.price for f in listed.facts] == [prices[pk].price for pk in truth[:2]]


def test_a_price_limit_is_counted_over_the_family_and_the_page_is_within_it(demo_catalog, vector_index, quoted,
                                                                            monkeypatch):
    vector_index.build_index()
    monkeypatch.setattr(product_tools, "PAGE", 1)
    bikes = Category.objects.get(slug="bicycles").pk
    truth = _truth(bikes, "price", max_price=Decimal(400))
    assert len(truth) > 1

    quoted.clear()
    listed = product_tools.query_products(category_id=bikes, max_price=Decimal(400), sort="price_asc")

    assert len(quoted) == 1
    assert [f.id for f in listed.facts] == truth[:1] and listed.total == len(truth)


def test_without_an_index_the_database_alone_answers(demo_catalog, quoted):
    bikes = Category.objects.get(slug="bicycles").pk
    listed = product_tools.query_products(category_id=bikes, sort="price_asc")
    assert [f.id for f in listed.facts] == _truth(bikes, "price")[: product_tools.PAGE]
    assert listed.total == len(_truth(bikes, "price"))
