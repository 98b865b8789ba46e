"""Reads of pre-configured products: price and availability, computed by the configurator, never stored."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

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
