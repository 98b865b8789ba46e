"""Read-only catalog tools of the assistant, shared by the built-in and the OpenAI engine.

Every tool returns plain JSON-able data. Prices, stock and compatibility come from the database and the
configurator at call time; the search index only finds and ranks (its snippets are catalog text, passed to
a model as data). Categories, parts and options may be given by id or by name (misspellings forgiven).
None of these functions writes anything.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Prefetch

from apps.catalog.models import IncompatibilityRule, PriceAdjustmentRule
from apps.catalog.services import configurator
from apps.preconfigured_products import selectors as product_selectors
from apps.preconfigured_products.models import PreConfiguredProduct, PreConfiguredProductOption

from .parser import CategoryInfo, OptionInfo, Vocabulary

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
# Upper bound of products priced per constraint query (the chat lists a handful).
MAX_CANDIDATES = 2000


def money(value: Decimal | int | str | None) -> str | None:
    """A price as the API writes it: a string with two decimals."""
    if value is None:
        return None
    return str(Decimal(value).quantize(CENT))


def currency() -> str:
    return configurator.CURRENCY


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


# -- the index -----------------------------------------------------------------------------------
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
    from apps.ai_assistant.services.index_service import get_index_service

    try:
        return get_index_service().search_products(
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


# -- the tools -----------------------------------------------------------------------------------
def _decimal(value: Any, name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ToolError(f"{name} must be a number") from exc
    if not number.is_finite() or number < 0:
        raise ToolError(f"{name} must be a number >= 0")
    return number


class ToolError(ValueError):
    """A tool was called with arguments it cannot use; the message says which."""


def _category(vocab: Vocabulary, value: Any, required: bool = True) -> CategoryInfo | None:
    if value in (None, ""):
        if required:
            raise ToolError("category is required; known categories: " + _names(vocab.categories.values()))
        return None
    cat = vocab.find_category(value)
    if cat is None:
        raise ToolError(f"unknown category {str(value)[:60]!r}; known: " + _names(vocab.categories.values()))
    return cat


def _names(items) -> str:
    return ", ".join(i.name for i in items)


def _resolve_options(vocab: Vocabulary, category_id: int | None, values: list) -> tuple[list[OptionInfo], list[str]]:
    found, unknown = [], []
    for value in values or []:
        opt = vocab.find_option(category_id, value)
        if opt is None:
            unknown.append(str(value)[:60])
        elif opt not in found:
            found.append(opt)
    return found, unknown


def search_catalog(query: str, filters: dict | None = None, vocab: Vocabulary | None = None) -> dict:
    """Search the live index; product hits carry their price and availability from the database."""
    vocab = vocab or Vocabulary.load()
    filters = filters or {}
    cat = _category(vocab, filters.get("category"), required=False)
    doc_type = filters.get("type") or None
    if doc_type not in (None, "product", "part", "category", "incompatibility", "price_rule"):
        raise ToolError("type must be one of product, part, category, incompatibility, price_rule")
    limit = max(1, min(int(filters.get("limit") or 8), 20))
    hits = search_index(
        str(query or "")[:500],
        type=doc_type,
        category_id=cat.id if cat else None,
        min_price=_decimal(filters.get("min_price"), "min_price"),
        max_price=_decimal(filters.get("max_price"), "max_price"),
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
    cat = _category(vocab, category, required=False)
    opts, unknown = _resolve_options(vocab, cat.id if cat else None, list(options or []))
    if sort not in (None, "", "price_asc", "price_desc"):
        raise ToolError("sort must be price_asc or price_desc")
    facts = query_products(
        category_id=cat.id if cat else None,
        option_ids=[o.id for o in opts],
        min_price=_decimal(min_price, "min_price"),
        max_price=_decimal(max_price, "max_price"),
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


def _option_brief(opt: OptionInfo, price: Decimal | None = None) -> dict:
    return {"id": opt.id, "name": opt.name, "price": money(price if price is not None else opt.price),
            "in_stock": opt.in_stock}


def quote_ids(category_id: int, option_ids: list[int], vocab: Vocabulary | None = None) -> dict:
    """The configurator's verdict on a selection, with missing parts and conflicts spelled out."""
    vocab = vocab or Vocabulary.load()
    q = configurator.quote(category_id, list(option_ids))
    chosen = [vocab.options[i] for i in option_ids if i in vocab.options]
    chosen_parts = {o.part_id for o in chosen}
    available = {int(k): v for k, v in (q.available_options or {}).items()}

    missing = []
    for part in vocab.category_parts(category_id):
        if part.id in chosen_parts or not part.required:
            continue
        choosable = {int(o["id"]): o for o in available.get(part.id, [])}
        options = []
        for opt in vocab.part_options(part.id):
            brief = _option_brief(opt, Decimal(str(choosable[opt.id]["price"])) if opt.id in choosable else None)
            brief["compatible_with_selection"] = opt.id in choosable if available else True
            options.append(brief)
        missing.append({"part_id": part.id, "part": part.name, "options": options})

    conflicts, out_of_stock, other = [], [], []
    for err in q.errors:
        ids = [int(i) for i in err.options]
        names = [vocab.options[i].name for i in ids if i in vocab.options]
        if err.code == "incompatible":
            conflicts.append({"options": names, "option_ids": ids, "message": err.message})
        elif err.code in ("out_of_stock", "inactive"):
            out_of_stock.append({"options": names, "option_ids": ids, "message": err.message})
        elif err.code in ("missing_part", "duplicate_part"):
            continue  # spelled out as missing_parts and several_options_for_one_part
        else:
            other.append({"code": err.code, "message": err.message})

    same_part = [p for p in chosen_parts if sum(1 for o in chosen if o.part_id == p) > 1]
    part_ids = sorted(chosen_parts | {m["part_id"] for m in missing})
    rule_ids = [line.rule for line in q.breakdown if line.rule is not None]
    rule_texts = _price_rule_texts(rule_ids)
    sources = [
        f"category:{category_id}",
        *(f"part:{p}" for p in part_ids),
        *(f"incompatibility:{r}" for r in _rule_ids_between(option_ids)),
        *(f"price_rule:{r}" for r in rule_ids),
    ]
    breakdown = [
        {
            "part": line.part,
            "option": line.option,
            "option_id": line.option_id,
            "price": money(line.price),
            "price_rule": rule_texts.get(line.rule),
        }
        for line in q.breakdown
    ]
    return {
        "category": vocab.categories[category_id].name if category_id in vocab.categories else None,
        "category_id": category_id,
        "valid": bool(q.valid),
        "price": money(q.price),
        "currency": q.currency,
        "breakdown": breakdown,
        "missing_parts": missing,
        "conflicts": conflicts,
        "out_of_stock": out_of_stock,
        "several_options_for_one_part": [vocab.parts[p].name for p in same_part],
        "other_errors": other,
        "sources": list(dict.fromkeys(sources)),
    }


def _rule_ids_between(option_ids: list[int]) -> list[int]:
    ids = list(option_ids)
    return list(
        IncompatibilityRule.objects.filter(part_option_id__in=ids, incompatible_with_option_id__in=ids)
        .order_by("id")
        .values_list("id", flat=True)
    )


def _price_rule_texts(rule_ids: list[int]) -> dict[int, str]:
    """"with Full-suspension" for each price rule id: the condition that set an option's price."""
    texts = {}
    for rule in PriceAdjustmentRule.objects.filter(id__in=rule_ids).prefetch_related("condition_options"):
        texts[rule.id] = "with " + " + ".join(c.name for c in rule.condition_options.all())
    return texts


def quote_configuration(category: Any, options: list | None, vocab: Vocabulary | None = None) -> dict:
    """Validate and price a configuration given by option names or ids."""
    vocab = vocab or Vocabulary.load()
    cat = _category(vocab, category, required=False)
    if cat is None:
        # Option names alone may say the category ("matte", "fat bike wheels").
        first = next((vocab.find_option(None, v) for v in options or [] if vocab.find_option(None, v)), None)
        if first is None:
            raise ToolError("category is required; known categories: " + _names(vocab.categories.values()))
        cat = vocab.categories[first.category_id]
    opts, unknown = _resolve_options(vocab, cat.id, list(options or []))
    result = quote_ids(cat.id, [o.id for o in opts], vocab)
    result["unknown_options"] = unknown
    return result


def list_part_options(category: Any, part: Any, vocab: Vocabulary | None = None) -> dict:
    """A part's options with their prices, stock, conditional prices and incompatibilities."""
    vocab = vocab or Vocabulary.load()
    cat = _category(vocab, category, required=False)
    found = vocab.find_part(cat.id if cat else None, part) if part not in (None, "") else None
    if found is None:
        known = vocab.category_parts(cat.id) if cat else list(vocab.parts.values())
        raise ToolError(f"unknown part {str(part)[:60]!r}; known parts: " + _names(known))
    options = vocab.part_options(found.id)
    ids = [o.id for o in options]
    price_rules: dict[int, list[dict]] = {}
    rule_ids = []
    for rule in PriceAdjustmentRule.objects.filter(affected_option_id__in=ids).prefetch_related("condition_options"):
        conditions = [c.name for c in rule.condition_options.all()]
        price_rules.setdefault(rule.affected_option_id, []).append(
            {"price": money(rule.adjusted_price), "when_chosen_with": conditions}
        )
        rule_ids.append(rule.id)
    incompatible: dict[int, list[str]] = {}
    incompat_ids = []
    for rule in IncompatibilityRule.objects.filter(part_option_id__in=ids).select_related("incompatible_with_option"):
        incompatible.setdefault(rule.part_option_id, []).append(rule.incompatible_with_option.name)
        incompat_ids.append(rule.id)
    for rule in IncompatibilityRule.objects.filter(incompatible_with_option_id__in=ids).select_related("part_option"):
        incompatible.setdefault(rule.incompatible_with_option_id, []).append(rule.part_option.name)
        incompat_ids.append(rule.id)
    return {
        "category": vocab.categories[found.category_id].name,
        "category_id": found.category_id,
        "part": found.name,
        "part_id": found.id,
        "required": found.required,
        "currency": currency(),
        "options": [
            {
                **_option_brief(o),
                "price_rules": price_rules.get(o.id, []),
                "incompatible_with": sorted(set(incompatible.get(o.id, []))),
            }
            for o in options
        ],
        "sources": [f"part:{found.id}", *(f"price_rule:{r}" for r in sorted(set(rule_ids))),
                    *(f"incompatibility:{r}" for r in sorted(set(incompat_ids)))],
    }


# -- the model's view of the tools ---------------------------------------------------------------
TOOL_SCHEMAS: list[dict] = [
    {
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
    },
    {
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
    },
    {
        "type": "function",
        "function": {
            "name": "quote_configuration",
            "description": "Check and price a custom configuration: whether the chosen options can be combined, "
            "which are out of stock, which required parts are missing (with their options) and the exact price. "
            "Use it for every compatibility and configuration price question.",
            "parameters": {
                "type": "object",
                "properties": {
                    "category": {"type": "string"},
                    "options": {"type": "array", "items": {"type": "string"},
                                "description": "option names, e.g. ['Matte', 'Full-suspension', 'Road wheels']"},
                },
                "required": ["options"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "list_part_options",
            "description": "List the options of one part of a category (e.g. Bicycles / Rim color) with prices, "
            "stock, prices that depend on other choices and incompatibilities.",
            "parameters": {
                "type": "object",
                "properties": {"category": {"type": "string"}, "part": {"type": "string"}},
                "required": ["part"],
            },
        },
    },
]
