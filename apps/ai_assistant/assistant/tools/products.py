"""Products as the database knows them (computed price, availability), and the find_products tool.

Prices and stock come from the database and the configurator at call time. None of these functions writes
anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from apps.ai_assistant.assistant.tools.arguments import (
    ToolError,
    boolean,
    choice,
    integer,
    non_negative_number,
    price,
    resolve_category,
    resolve_options,
    text,
    text_list,
)
from apps.ai_assistant.assistant.tools.money import currency, money
from apps.ai_assistant.assistant.understanding.vocabulary import Vocabulary
from apps.preconfigured_products import selectors as product_selectors
from apps.preconfigured_products.models import PreConfiguredProduct, PreConfiguredProductOption

# Upper bound of products priced per constraint query (the chat lists a handful).
MAX_CANDIDATES = 2000
SORTS = ("price_asc", "price_desc")


def product_url(product_id: int) -> str:
    return f"/api/products/{product_id}/"


# -- products ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProductFacts:
    """A product's truth from the database: its computed price and availability."""

    id: int
    name: str
    category_id: int
    category: str
    price: Decimal | None
    available: bool
    option_ids: tuple[int, ...]

    def card(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "price": money(self.price),
            "available": self.available,
            "url": product_url(self.id),
        }


def _products_queryset():
    return (
        PreConfiguredProduct.objects.filter(is_active=True, category__is_active=True)
        .select_related("category")
        .prefetch_related(
            Prefetch("selections", queryset=PreConfiguredProductOption.objects.select_related("option", "part"))
        )
    )


def _facts(products: list[PreConfiguredProduct]) -> list[ProductFacts]:
    priced = product_selectors.products_price_and_availability(products)
    facts = []
    for product in products:
        price, available = priced[product.id]
        facts.append(
            ProductFacts(
                id=product.id,
                name=product.name,
                category_id=product.category_id,
                category=product.category.name,
                price=price,
                available=bool(available),
                option_ids=tuple(s.option_id for s in product.selections.all()),
            )
        )
    return facts


def product_facts(product_ids: list[int]) -> list[ProductFacts]:
    """Facts for active products, in the order of `product_ids` (unknown or inactive ids dropped)."""
    ids = list(dict.fromkeys(int(i) for i in product_ids))
    by_id = {f.id: f for f in _facts(list(_products_queryset().filter(id__in=ids)))}
    return [by_id[i] for i in ids if i in by_id]


def product_texts(product_ids: list[int]) -> dict[int, str]:
    """Name and description of each product, by id."""
    rows = PreConfiguredProduct.objects.filter(id__in=list(product_ids)).values_list("id", "name", "description")
    return {pk: f"{name} {description}" for pk, name, description in rows}


def product_cards(product_ids: list[int]) -> list[dict]:
    """Product cards {id, name, price, available, url}, always built from the database."""
    return [f.card() for f in product_facts(product_ids)]


def query_products(
    *,
    category_id: int | None = None,
    option_ids: list[int] | tuple[int, ...] = (),
    min_price: Decimal | None = None,
    max_price: Decimal | None = None,
    in_stock: bool | None = None,
    sort: str | None = None,
) -> list[ProductFacts]:
    """Products that have every option in `option_ids` and whose computed price is within the limits."""
    qs = _products_queryset()
    if category_id is not None:
        qs = qs.filter(category_id=category_id)
    for option_id in dict.fromkeys(option_ids):
        qs = qs.filter(selections__option_id=option_id)
    facts = _facts(list(qs.order_by("id")[:MAX_CANDIDATES]))
    result = []
    for fact in facts:
        if (min_price is not None or max_price is not None) and fact.price is None:
            continue
        if min_price is not None and fact.price < min_price:
            continue
        if max_price is not None and fact.price > max_price:
            continue
        if in_stock and not fact.available:
            continue
        if in_stock is False and fact.available:
            continue
        result.append(fact)
    if sort == "price_desc":
        result.sort(key=lambda f: (f.price is None, -(f.price or 0), f.id))
    elif sort == "price_asc":
        result.sort(key=lambda f: (f.price is None, f.price or 0, f.id))
    return result


# -- the find_products tool ----------------------------------------------------------------------
FIND_PRODUCTS_SCHEMA: dict = {
    "type": "function",
    "function": {
        "name": "find_products",
        "description": "List pre-configured products that match exact constraints (category, options they "
        "must include, price range, stock), with current prices, cheapest first unless sort says otherwise.",
        "parameters": {
            "type": "object",
            "properties": {
                "category": {"type": "string"},
                "options": {"type": "array", "items": {"type": "string"},
                            "description": "option names the product must include, e.g. Black rims"},
                "min_price": {"type": "number"},
                "max_price": {"type": "number"},
                "in_stock": {"type": "boolean"},
                "sort": {"type": "string", "enum": ["price_asc", "price_desc"]},
                "limit": {"type": "integer", "minimum": 1, "maximum": 50},
            },
        },
    },
}


def find_products(
    category: Any = None,
    options: list | None = None,
    min_price: Any = None,
    max_price: Any = None,
    in_stock: bool | None = None,
    sort: str | None = None,
    limit: int = 10,
    vocab: Vocabulary | None = None,
) -> dict:
    """Products from the database that match every constraint, with their computed prices."""
    vocab = vocab or Vocabulary.load()
    cat = resolve_category(vocab, category, required=False)
    opts, unknown = resolve_options(vocab, cat.id if cat else None, list(options or []))
    if sort not in (None, "", "price_asc", "price_desc"):
        raise ToolError("sort must be price_asc or price_desc")
    facts = query_products(
        category_id=cat.id if cat else None,
        option_ids=[o.id for o in opts],
        min_price=non_negative_number(min_price, "min_price"),
        max_price=non_negative_number(max_price, "max_price"),
        in_stock=in_stock if isinstance(in_stock, bool) else None,
        sort=sort or "price_asc",
    )
    limit = max(1, min(int(limit or 10), 50))
    shown = facts[:limit]
    return {
        "total": len(facts),
        "products": [f.id for f in shown],
        "results": [
            {"product_id": f.id, "name": f.name, "category": f.category, "price": money(f.price),
             "available": f.available}
            for f in shown
        ],
        "options_required": [vocab.parts[o.part_id].name + ": " + o.name for o in opts],
        "unknown_options": unknown,
        "currency": currency(),
        "sources": [f"product:{f.id}" for f in shown],
    }


def run_find_products(args: dict, vocab: Vocabulary) -> dict:
    return find_products(
        category=text(args.get("category"), "category"),
        options=text_list(args.get("options"), "options"),
        min_price=price(args.get("min_price"), "min_price"),
        max_price=price(args.get("max_price"), "max_price"),
        in_stock=boolean(args.get("in_stock"), "in_stock"),
        sort=choice(args.get("sort"), "sort", SORTS),
        limit=integer(args.get("limit"), "limit", default=10, low=1, high=50),
        vocab=vocab,
    )
