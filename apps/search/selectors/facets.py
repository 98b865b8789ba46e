"""Facet counts over the products a search matched: one database query per search.

- `category`: [{id, name, count}] of the products' category;
- `options`: [{part_id, part, options: [{id, name, count}]}] from the products' chosen options (one GROUP BY,
  the one query);
- `price`: [{min, max, count}] buckets, `min` included and `max` excluded, over the price the index holds
  for each product - the same price the `min_price`/`max_price` filters compare;
- `in_stock`: {"true": n, "false": n}, the index's availability, likewise.

A search's hits already carry each product's indexed category, price and availability (read from the ledger
with the hits themselves), so those three facets are counted from the hits, in memory: the very values the
filters compared, with no query (three queries and the pointer's read cost ~6 ms of CPU per search at 10k
products, bench.search_speed). Without hits (a list of product ids alone) they are aggregated in the database
(the catalog's categories, the active collection's ledger).

Price buckets: at most MAX_BUCKETS of one "round" width (1, 2 or 5 times a power of ten, e.g. 50 or 200),
the smallest such width that covers the matched prices from the lowest, rounded down to that width, to the
highest. So the bounds follow the data (a search among skis gets 100-wide buckets, one among all products
perhaps 500-wide) and read like a shop's ("200-400"), and every matched product falls in exactly one.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Count, FloatField, Max, Min, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from apps.ai_assistant.indexing.state import search_pointer
from apps.ai_assistant.models import IN_LIST_CHUNK, IndexedDocument
from apps.preconfigured_products.models import PreConfiguredProduct, PreConfiguredProductOption

MAX_BUCKETS = 5
ROUND_STEPS = (1, 2, 5)


def empty_facets() -> dict[str, Any]:
    return {"category": [], "options": [], "price": [], "in_stock": {"true": 0, "false": 0}}


def search_facets(product_ids: Sequence[int], hits: Sequence[dict] | None = None) -> dict[str, Any]:
    """The facets of these products (see the module docstring); `hits`: the search's hits, which hold them."""
    ids = sorted(set(product_ids))
    if not ids or len(ids) > IN_LIST_CHUNK:  # the matched list is a few hundred at most (selectors/matches.py)
        return empty_facets()
    if hits is not None:
        products = list({hit["object_id"]: hit for hit in hits if hit["type"] == "product"}.values())
        return {
            "category": hit_category_counts(products),
            "options": option_counts(ids),
            **hit_price_and_stock(products),
        }
    return {
        "category": category_counts(ids),
        "options": option_counts(ids),
        **price_and_stock_counts(ids),
    }


def hit_category_counts(products: Sequence[dict]) -> list[dict[str, Any]]:
    """Category counts of product hits (their indexed category), most first, then by name."""
    counts = Counter((hit["category_id"], hit["category"]) for hit in products if hit.get("category_id") is not None)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0][1] or ""))
    return [{"id": pk, "name": name, "count": count} for (pk, name), count in ordered]


def hit_price_and_stock(products: Sequence[dict]) -> dict[str, Any]:
    """Price buckets and availability counts of product hits (their indexed price and availability)."""
    in_stock = {
        "true": sum(1 for hit in products if hit.get("in_stock") is True),
        "false": sum(1 for hit in products if hit.get("in_stock") is False),
    }
    prices = [float(hit["price"]) for hit in products if hit.get("price") is not None]
    if not prices:
        return {"price": [], "in_stock": in_stock}
    price = [
        {"min": _money(low), "max": _money(high), "count": sum(1 for value in prices if low <= value < high)}
        for low, high in price_bounds(min(prices), max(prices))
    ]
    return {"price": price, "in_stock": in_stock}


def category_counts(ids: list[int]) -> list[dict[str, Any]]:
    rows = (
        PreConfiguredProduct.objects.filter(pk__in=ids)
        .values("category_id", "category__name")
        .annotate(count=Count("id"))
        .order_by("-count", "category__name")
    )
    return [{"id": row["category_id"], "name": row["category__name"], "count": row["count"]} for row in rows]


def option_counts(ids: list[int]) -> list[dict[str, Any]]:
    rows = (
        PreConfiguredProductOption.objects.filter(product_id__in=ids)
        .values("part_id", "part__name", "part__step", "option_id", "option__name")
        .annotate(count=Count("product_id", distinct=True))
        .order_by("part__step", "part_id", "-count", "option__name")
    )
    parts: dict[int, dict[str, Any]] = {}
    for row in rows:
        part = parts.setdefault(row["part_id"], {"part_id": row["part_id"], "part": row["part__name"], "options": []})
        part["options"].append({"id": row["option_id"], "name": row["option__name"], "count": row["count"]})
    return list(parts.values())


def _ledger(ids: list[int]):
    """The active collection's ledger rows of these products, with their indexed price as a number."""
    pointer = search_pointer()
    rows = IndexedDocument.objects.filter(collection=pointer[0]) if pointer else IndexedDocument.objects.none()
    price = Cast(KeyTextTransform("price", "metadata"), FloatField())
    return rows.filter(doc_id__in=[f"product:{pk}" for pk in ids]).annotate(price_value=price)


def price_and_stock_counts(ids: list[int]) -> dict[str, Any]:
    ledger = _ledger(ids)
    summary = ledger.aggregate(
        low=Min("price_value"),
        high=Max("price_value"),
        stocked=Count("pk", filter=Q(metadata__in_stock=True)),
        unstocked=Count("pk", filter=Q(metadata__in_stock=False)),
    )
    in_stock = {"true": summary["stocked"], "false": summary["unstocked"]}
    if summary["low"] is None:
        return {"price": [], "in_stock": in_stock}
    bounds = price_bounds(summary["low"], summary["high"])
    counts = ledger.aggregate(
        **{
            f"b{index}": Count("pk", filter=Q(price_value__gte=low, price_value__lt=high))
            for index, (low, high) in enumerate(bounds)
        }
    )
    price = [
        {"min": _money(low), "max": _money(high), "count": counts[f"b{index}"]}
        for index, (low, high) in enumerate(bounds)
    ]
    return {"price": price, "in_stock": in_stock}


def round_width(low: float, high: float, buckets: int = MAX_BUCKETS) -> float:
    """The smallest 1/2/5 x 10^k width whose buckets, from `low` rounded down, cover `high` in `buckets`."""
    exponent = math.floor(math.log10(max(high - low, 1e-9) / buckets)) - 1
    while True:
        for step in ROUND_STEPS:
            width = step * 10.0**exponent
            start = math.floor(low / width) * width
            if start + buckets * width > high:
                return width
        exponent += 1


def price_bounds(low: float, high: float) -> list[tuple[float, float]]:
    """[(min, max), ...]: consecutive buckets of one round width covering low..high (see the module docstring)."""
    width = max(round_width(low, high), 1.0)  # no bucket narrower than one unit of money
    start = math.floor(low / width) * width
    bounds = []
    while start <= high:
        bounds.append((start, start + width))
        start += width
    return bounds


def _money(value: float) -> str:
    return str(Decimal(str(round(value, 2))).quantize(Decimal("0.01")))
