"""A search request: its arguments checked and turned into filters, then answered by hybrid search.

`search_documents()` is what the index service's search (and so the API, the `search_products` command
and the assistant's search tool) runs; `resolve_category()` and `MAX_LIMIT` are shared with the API's
serializer so both check arguments alike.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from apps.ai_assistant.indexing.documents.registry import DOC_TYPES
from apps.ai_assistant.retrieval.hybrid import SearchFilters, hybrid_search
from apps.catalog.models import Category

MAX_LIMIT = 50
MAX_QUERY_CHARS = 500


def search_documents(
    query: str,
    *,
    type: str | None = None,
    category: int | str | None = None,
    min_price: Decimal | float | str | None = None,
    max_price: Decimal | float | str | None = None,
    in_stock: bool | None = None,
    limit: int = 10,
) -> list[dict]:
    """Hybrid search over every document type (see hybrid.py); each hit: id, type, object_id, name, score,
    price (string), in_stock, category, category_id, snippet. ValueError names a bad argument."""
    query = str(query or "").strip()
    if not query:
        return []
    if type is not None and type not in DOC_TYPES:
        raise ValueError(f"type must be one of {', '.join(DOC_TYPES)}")
    low, high = _price_arg(min_price, "min_price"), _price_arg(max_price, "max_price")
    if low is not None and high is not None and low > high:
        raise ValueError("min_price must not exceed max_price")
    filters = SearchFilters(
        type=type or None,
        category_id=resolve_category(category),
        min_price=low,
        max_price=high,
        in_stock=in_stock,
    )
    return hybrid_search(query[:MAX_QUERY_CHARS], filters, limit=max(1, min(int(limit), MAX_LIMIT)))


def _price_arg(value: Any, name: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"{name} must be a number") from None
    if not number.is_finite() or number < 0:
        raise ValueError(f"{name} must be a number >= 0")
    return float(number)


def resolve_category(value: int | str | None) -> int | None:
    """A category id from an id, a slug or a name; ValueError("category ...") when there is no such category."""
    if value is None or value == "":
        return None
    if isinstance(value, int) or (str(value).isascii() and str(value).isdigit()):
        pk = int(value)
        # Beyond a bigint no row can match, and the database would reject the number itself.
        if not 0 < pk < 2**63 or not Category.objects.filter(pk=pk).exists():
            raise ValueError(f"category {pk} does not exist")
        return pk
    text = str(value).strip()
    pk = (
        Category.objects.filter(slug=text).values_list("pk", flat=True).first()
        or Category.objects.filter(name__iexact=text).values_list("pk", flat=True).first()
    )
    if pk is None:
        raise ValueError(f"category {text[:60]!r} does not exist")
    return pk
