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
from apps.ai_assistant.retrieval.indexed_prices import products_by_indexed_price
from apps.preconfigured_products import selectors as product_selectors
from apps.preconfigured_products.models import PreConfiguredProduct, PreConfiguredProductOption

# Products priced per constraint query: the page the answers and the tool list from (the chat shows five,
# the tool at most 50), and the bound of the candidates quoted when the index cannot pick the page.
PAGE = 50
MAX_CANDIDATES = 2000
SORTS = ("price_asc", "price_desc")
CENT = Decimal("0.01")


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


@dataclass(frozen=True)
class ProductList:
    """A page of products priced by the configurator, and how many products match in all."""

    facts: list[ProductFacts]
    total: int


def _within(facts: list[ProductFacts], min_price: Decimal | None, max_price: Decimal | None,
            in_stock: bool | None, strict: tuple[bool, bool] = (False, False)) -> list[ProductFacts]:
    """The facts whose computed price and availability pass the limits (`strict`: (min, max) exclude their
    own amount)."""
    result = []
    for fact in facts:
        if (min_price is not None or max_price is not None) and fact.price is None:
            continue
        if min_price is not None and (fact.price <= min_price if strict[0] else fact.price < min_price):
            continue
        if max_price is not None and (fact.price >= max_price if strict[1] else fact.price > max_price):
            continue
        if in_stock and not fact.available:
            continue
        if in_stock is False and fact.available:
            continue
        result.append(fact)
    return result


def _sorted(facts: list[ProductFacts], sort: str | None) -> list[ProductFacts]:
    if sort == "price_desc":
        return sorted(facts, key=lambda f: (f.price is None, -(f.price or 0), f.id))
    if sort == "price_asc":
        return sorted(facts, key=lambda f: (f.price is None, f.price or 0, f.id))
    return sorted(facts, key=lambda f: f.id)


def strict_bound(limit: Decimal | None, strict: bool, direction: int) -> Decimal | None:
    """An inclusive bound for filters that only include (the index's): a strict limit moved by one cent, the
    smallest step of a price, in `direction` (-1 below a maximum, +1 above a minimum)."""
    if limit is None or not strict:
        return limit
    return limit + direction * CENT


def query_products(
    *,
    category_id: int | None = None,
    option_ids: list[int] | tuple[int, ...] = (),
    min_price: Decimal | None = None,
    max_price: Decimal | None = None,
    in_stock: bool | None = None,
    sort: str | None = None,
    product_ids: list[int] | None = None,
    min_strict: bool = False,
    max_strict: bool = False,
) -> ProductList:
    """Products that have every option in `option_ids` and whose computed price is within the limits: at most
    PAGE of them (the cheapest, or the dearest with sort "price_desc"), and how many match in all.

    Only the page is quoted by the configurator: the live index's prices pick it (retrieval/indexed_prices.py),
    so a family of thousands costs one indexed query and PAGE quotes. `product_ids` (search hits) limits the
    candidates to those. Without an index, the first MAX_CANDIDATES products by id are quoted. `min_strict` /
    `max_strict` exclude a price equal to the limit ("over 300", "under 500").
    """
    strict = (min_strict, max_strict)
    products = PreConfiguredProduct.objects.filter(is_active=True, category__is_active=True)
    if category_id is not None:
        products = products.filter(category_id=category_id)
    for option_id in dict.fromkeys(option_ids):
        products = products.filter(selections__option_id=option_id)
    if product_ids is not None:
        ids = list(dict.fromkeys(int(i) for i in product_ids))[:MAX_CANDIDATES]
        facts = _within(_facts(list(_products_queryset().filter(id__in=ids, pk__in=products.values("pk")))),
                        min_price, max_price, in_stock, strict)
        return ProductList(_sorted(facts, sort)[:PAGE], len(facts))
    listed = products_by_indexed_price(
        category_id=category_id, among=products.values("pk"),
        min_price=strict_bound(min_price, min_strict, +1), max_price=strict_bound(max_price, max_strict, -1),
        in_stock=in_stock, descending=sort == "price_desc", limit=PAGE,
    )
    if listed is None:
        facts = _within(_facts(list(_products_queryset().filter(pk__in=products.values("pk"))
                                    .order_by("id")[:MAX_CANDIDATES])), min_price, max_price, in_stock, strict)
        return ProductList(_sorted(facts, sort)[:PAGE], len(facts))
    ids, total = listed
    # The page again by the configurator's prices: one whose price moved since its index write drops out.
    facts = _within(_facts(list(_products_queryset().filter(id__in=ids))), min_price, max_price, in_stock, strict)
    return ProductList(_sorted(facts, sort), total - (len(ids) - len(facts)))


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
    listed = query_products(
        category_id=cat.id if cat else None,
        option_ids=[o.id for o in opts],
        min_price=non_negative_number(min_price, "min_price"),
        max_price=non_negative_number(max_price, "max_price"),
        in_stock=in_stock if isinstance(in_stock, bool) else None,
        sort=sort or "price_asc",
    )
    limit = max(1, min(int(limit or 10), 50))
    shown = listed.facts[:limit]
    return {
        "total": listed.total,
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
