"""Reads of pre-configured products: price and availability, computed by the configurator, never stored."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from django.db.models import QuerySet

from apps.catalog.services.configurator import Quote, quote_many
from apps.preconfigured_products.models import PreConfiguredProduct, PreConfiguredProductOption


class PriceAndAvailability(NamedTuple):
    price: Decimal
    available: bool  # the configuration is valid: every option active and in stock, no incompatibility


def product_quotes(products: Iterable[PreConfiguredProduct]) -> dict[int, Quote]:
    """The configurator's quote of each product's chosen options, by product id, in a fixed number of queries."""
    products = [product for product in products if product.pk is not None]
    if not products:
        return {}
    chosen: dict[int, list[int]] = defaultdict(list)
    rows = PreConfiguredProductOption.objects.filter(product_id__in=[p.pk for p in products]).order_by("id")
    for product_id, option_id in rows.values_list("product_id", "option_id"):
        chosen[product_id].append(option_id)
    quotes = quote_many((product.category_id, chosen[product.pk]) for product in products)
    return {product.pk: q for product, q in zip(products, quotes, strict=True)}


def products_price_and_availability(products: Iterable[PreConfiguredProduct]) -> dict[int, PriceAndAvailability]:
    """Bulk variant of `product_price_and_availability` for lists, by product id."""
    return {pk: PriceAndAvailability(q.price, q.valid) for pk, q in product_quotes(products).items()}


def product_price_and_availability(product: PreConfiguredProduct) -> PriceAndAvailability:
    return products_price_and_availability([product])[product.pk]


# Products quoted per round trip when filtering or sorting a whole list by computed values: a fixed number of
# queries per chunk, and memory for the chunk's rows only (the result keeps one small tuple per product).
QUOTE_CHUNK = 1000


def products_by_computed_values(
    products: QuerySet[PreConfiguredProduct],
    *,
    min_price: Decimal | None = None,
    max_price: Decimal | None = None,
    available: bool | None = None,
    ordering: str | None = None,
) -> list[int]:
    """Ids of `products` whose computed price and availability pass the filters, in the queryset's order or,
    with `ordering` "price" / "-price", by price (then id).

    Price and availability come from the configurator (rules, stock, incompatibilities), which SQL cannot
    express, so every matching product is quoted once, in chunks: O(n) quotes for n products matched by the
    SQL filters (plus an n log n sort), never more, whatever the page asked for.
    """
    kept: list[tuple[Decimal, int]] = []
    ids = list(products.values_list("pk", flat=True))
    for start in range(0, len(ids), QUOTE_CHUNK):
        chunk = PreConfiguredProduct.objects.filter(pk__in=ids[start : start + QUOTE_CHUNK]).only("id", "category")
        for pk, (price, ok) in products_price_and_availability(chunk).items():
            if (available is None or ok == available) and (min_price is None or price >= min_price) and (
                max_price is None or price <= max_price
            ):
                kept.append((price, pk))
    if ordering in ("price", "-price"):
        sign = -1 if ordering == "-price" else 1
        kept.sort(key=lambda row: (sign * row[0], row[1]))
        return [pk for _, pk in kept]
    position = {pk: index for index, pk in enumerate(ids)}
    return sorted((pk for _, pk in kept), key=position.__getitem__)
