"""The live index as the assistant uses it: search_index (None when the index cannot answer) and the
search_catalog tool, whose product hits carry their price and availability from the database.

The index only finds and ranks; its snippets are catalog text, passed to a model as data.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from apps.ai_assistant.assistant.tools.arguments import (
    ToolError,
    boolean,
    choice,
    integer,
    non_negative_number,
    price,
    resolve_category,
    text,
)
from apps.ai_assistant.assistant.tools.money import currency, money
from apps.ai_assistant.assistant.tools.products import product_facts
from apps.ai_assistant.assistant.understanding.vocabulary import Vocabulary
from apps.ai_assistant.services.index_service import get_index_service
from apps.preconfigured_products.models import PreConfiguredProduct

logger = logging.getLogger(__name__)

DOC_TYPES = ("product", "part", "category", "incompatibility", "price_rule")


def search_index(
    query: str,
    *,
    type: str | None = None,
    category_id: int | None = None,
    min_price: Decimal | None = None,
    max_price: Decimal | None = None,
    in_stock: bool | None = None,
    limit: int = 10,
) -> list[dict] | None:
    """Hits of the live index, or None when the index cannot answer right now."""
    try:
        return get_index_service().search_documents(
            query,
            type=type,
            category=category_id,
            min_price=min_price,
            max_price=max_price,
            in_stock=in_stock,
            limit=limit,
        )
    except ValueError as exc:
        raise ToolError(str(exc)) from exc  # a bad filter (min_price above max_price, ...)
    except Exception as exc:  # the assistant answers from the database alone rather than failing
        logger.warning("assistant: index search failed (%s); answering from the database", type_name(exc))
        return None


def type_name(exc: BaseException) -> str:
    return type(exc).__name__


# -- the search_catalog tool ---------------------------------------------------------------------
SEARCH_CATALOG_SCHEMA: dict = {
    "type": "function",
    "function": {
        "name": "search_catalog",
        "description": "Search the shop's catalog index (products, parts, categories, rules) by meaning and "
        "keywords. Product results carry their current price and availability.",
        "parameters": {
            "type": "object",
            "properties": {
                "query": {"type": "string", "description": "what the customer is looking for"},
                "category": {"type": "string", "description": "category name, e.g. Bicycles"},
                "type": {"type": "string", "enum": ["product", "part", "category", "incompatibility",
                                                     "price_rule"]},
                "min_price": {"type": "number"},
                "max_price": {"type": "number"},
                "in_stock": {"type": "boolean"},
                "limit": {"type": "integer", "minimum": 1, "maximum": 20},
            },
            "required": ["query"],
        },
    },
}


def search_catalog(query: str, filters: dict | None = None, vocab: Vocabulary | None = None) -> dict:
    """Search the live index; product hits carry their price and availability from the database."""
    vocab = vocab or Vocabulary.load()
    filters = filters or {}
    cat = resolve_category(vocab, filters.get("category"), required=False)
    doc_type = filters.get("type") or None
    if doc_type not in (None, "product", "part", "category", "incompatibility", "price_rule"):
        raise ToolError("type must be one of product, part, category, incompatibility, price_rule")
    limit = max(1, min(int(filters.get("limit") or 8), 20))
    hits = search_index(
        str(query or "")[:500],
        type=doc_type,
        category_id=cat.id if cat else None,
        min_price=non_negative_number(filters.get("min_price"), "min_price"),
        max_price=non_negative_number(filters.get("max_price"), "max_price"),
        in_stock=filters.get("in_stock") if isinstance(filters.get("in_stock"), bool) else None,
        limit=limit,
    )
    if hits is None:
        return {"error": "the search index is unavailable right now; use find_products", "results": []}
    product_ids = [int(h["object_id"]) for h in hits if h.get("type") == "product"]
    facts = {f.id: f for f in product_facts(product_ids)}
    descriptions = dict(PreConfiguredProduct.objects.filter(id__in=product_ids).values_list("id", "description"))
    results = []
    for hit in hits:
        item = {
            "id": hit["id"],
            "type": hit.get("type"),
            "name": hit.get("name"),
            "category": hit.get("category"),
            "text": hit.get("snippet") or "",
        }
        if hit.get("type") == "product":
            fact = facts.get(int(hit["object_id"]))
            if fact is None:
                continue  # deleted or deactivated since it was indexed
            item.update(product_id=fact.id, price=money(fact.price), available=fact.available,
                        description=descriptions.get(fact.id, ""))
        results.append(item)
    return {
        "results": results,
        "currency": currency(),
        "products": [r["product_id"] for r in results if "product_id" in r],
        "sources": [r["id"] for r in results],
    }


def run_search_catalog(args: dict, vocab: Vocabulary) -> dict:
    filters = {
        "category": text(args.get("category"), "category"),
        "type": choice(args.get("type"), "type", DOC_TYPES),
        "min_price": price(args.get("min_price"), "min_price"),
        "max_price": price(args.get("max_price"), "max_price"),
        "in_stock": boolean(args.get("in_stock"), "in_stock"),
        "limit": integer(args.get("limit"), "limit", default=8, low=1, high=20),
    }
    return search_catalog(text(args.get("query"), "query") or "", filters, vocab=vocab)
