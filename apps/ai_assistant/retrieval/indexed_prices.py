"""Products listed by the price and stock the live index holds for them: a bounded page of candidates.

The configurator computes a product's price (its options, price rules, stock), so a list filtered or sorted
by price would have to quote every product of a family: thousands at 10,000 products. The index already holds
each product's quoted price and availability as of its last write (KeywordRow.price / in_stock, the same facts
the search filters on), so the database can filter, count and order by them in one indexed query. Callers
quote only the page this returns, and state those prices, never the index's: a product whose price changed
since its last index write is filtered again by its real price (or missed until the index catches up).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet

from apps.ai_assistant.indexing.state import active_collection
from apps.ai_assistant.models import KeywordRow
from apps.ai_assistant.retrieval.filters import SearchFilters


def products_by_indexed_price(
    *,
    category_id: int | None = None,
    among: QuerySet | None = None,
    min_price: Decimal | None = None,
    max_price: Decimal | None = None,
    in_stock: bool | None = None,
    descending: bool = False,
    limit: int = 50,
) -> tuple[list[int], int] | None:
    """(ids of the first `limit` products by indexed price, how many products pass the filters), or None when
    the index holds no product yet (the caller then reads the database alone).

    `among` is a queryset of product ids the products must be in (e.g. those with given options).
    """
    collection = active_collection()
    if not collection:
        return None
    products = KeywordRow.objects.filter(collection=collection, doc_type="product")
    filters = SearchFilters(
        category_id=category_id,
        min_price=float(min_price) if min_price is not None else None,
        max_price=float(max_price) if max_price is not None else None,
        in_stock=in_stock,
    )
    rows = products.filter(filters.keyword_q())
    if among is not None:
        rows = rows.filter(document__object_id__in=among)
    total = rows.count()
    if not total and not products.exists():
        return None
    order = "-price" if descending else "price"
    ids = list(rows.order_by(order, "document__object_id").values_list("document__object_id", flat=True)[:limit])
    return ids, total
