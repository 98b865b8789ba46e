"""Catalog rows as documents of the AI knowledge index (DESIGN sections 1 and 4).

Every catalog row a customer may ask about is one document with a deterministic id:
`product:{pk}`, `category:{pk}`, `part:{pk}` (the part with all its active options), `incompatibility:{pk}`
and `price_rule:{pk}`. A document carries text written for retrieval, flat metadata for filters (Chroma
metadata holds only str/int/float/bool, so option ids are a string like ",3,17,") and a content hash that
decides whether it must be written (and embedded) again.

Three entry points:
- `build_documents(ids)`: the current documents for ids, in a fixed number of queries per type
  (None: the row is gone or must not be indexed, e.g. an inactive product -> delete it from the index);
- `iter_all_documents()` / `all_doc_ids()`: everything that should be in the index now;
- `touched_doc_ids(instance)`: the documents a changed row can alter (the outbox records these).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Model, Prefetch

from apps.catalog.models import Category, IncompatibilityRule, Part, PartOption, PriceAdjustmentRule
from apps.catalog.selectors.configurator import CURRENCY
from apps.preconfigured_products.models import PreConfiguredProduct, PreConfiguredProductOption
from apps.preconfigured_products.selectors import product_quotes

DOC_TYPES: tuple[str, ...] = ("product", "category", "part", "incompatibility", "price_rule")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Document:
    """One entry of the index: what is embedded (text), what filters see (metadata) and its hash."""

    id: str
    type: str
    object_id: int
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)
    content_hash: str = ""


def doc_id(doc_type: str, pk: int) -> str:
    return f"{doc_type}:{pk}"


def parse_doc_id(value: str) -> tuple[str, int] | None:
    """("product", 12) for "product:12"; None for anything that is not a document id."""
    doc_type, _, raw = str(value).partition(":")
    if doc_type not in DOC_TYPES or not raw.isdigit():
        return None
    return doc_type, int(raw)


def content_hash(text: str, metadata: dict[str, Any]) -> str:
    """sha256 of the text and the metadata (keys sorted): equal hashes mean nothing to write."""
    payload = json.dumps({"text": text, "metadata": metadata}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _make(doc_type: str, pk: int, text: str, metadata: dict[str, Any]) -> Document:
    # Chroma rejects None values: leave such keys out instead.
    meta = {key: value for key, value in metadata.items() if value is not None}
    meta["type"] = doc_type
    meta["object_id"] = pk
    text = " ".join(text.split())
    return Document(doc_id(doc_type, pk), doc_type, pk, text, meta, content_hash(text, meta))


def _money(value: Decimal) -> str:
    return f"{Decimal(value).quantize(CENT)} {CURRENCY}"


def _id_list(ids: Iterable[int]) -> str:
    """ ",3,17,": a string Chroma metadata can hold, matchable by ",17," for one id."""
    ordered = sorted(set(ids))
    return "," + ",".join(str(i) for i in ordered) + "," if ordered else ""


def _sentence(value: str) -> str:
    value = (value or "").strip()
    if value and value[-1] not in ".!?":
        value += "."
    return value


# --- builders, one per type; each takes pks and returns {pk: Document} ------------------------


def _build_products(pks: list[int]) -> dict[int, Document]:
    products = list(
        PreConfiguredProduct.objects.filter(pk__in=pks, is_active=True, category__is_active=True)
        .select_related("category")
        .only("id", "name", "description", "category_id", "category__id", "category__name")
    )
    quotes = product_quotes(products)
    docs = {}
    for product in products:
        quote = quotes[product.pk]
        category = product.category
        chosen = "; ".join(f"{item.part}: {item.option}" for item in quote.breakdown)
        if quote.valid:
            availability = "Available: in stock, ready to order."
        else:
            reasons = " ".join(_sentence(error.message) for error in quote.errors)
            availability = f"Not available right now (out of stock or unavailable). {reasons}"
        text = (
            f"{product.name} — {category.name}. "
            f"Configuration: {chosen or 'no options chosen'}. "
            f"Price: {_money(quote.price)}. {availability} {product.description}"
        )
        docs[product.pk] = _make(
            "product",
            product.pk,
            text,
            {
                "name": product.name,
                "category_id": category.pk,
                "category": category.name,
                "price": float(quote.price),
                "in_stock": bool(quote.valid),
                "option_ids": _id_list(item.option_id for item in quote.breakdown),
                "options": " | ".join(item.option for item in quote.breakdown),
            },
        )
    return docs


def _active_options() -> Prefetch:
    return Prefetch("options", queryset=PartOption.objects.filter(is_active=True).order_by("id"))


def _build_categories(pks: list[int]) -> dict[int, Document]:
    categories = Category.objects.filter(pk__in=pks, is_active=True).prefetch_related(
        Prefetch("parts", queryset=Part.objects.order_by("step", "id").prefetch_related(_active_options()))
    )
    docs = {}
    for category in categories:
        steps = []
        for number, part in enumerate(category.parts.all(), start=1):
            names = ", ".join(option.name for option in part.options.all()) or "no options yet"
            optional = "" if part.required else " (optional)"
            steps.append(f"{number}. {part.name}{optional}: {names}")
        text = (
            f"{category.name} — a category of configurable products. {_sentence(category.description)} "
            f"Configure it step by step: {'; '.join(steps) or 'no parts yet'}."
        )
        docs[category.pk] = _make(
            "category",
            category.pk,
            text,
            {"name": category.name, "category_id": category.pk, "category": category.name},
        )
    return docs


def _build_parts(pks: list[int]) -> dict[int, Document]:
    parts = (
        Part.objects.filter(pk__in=pks, category__is_active=True)
        .select_related("category")
        .prefetch_related(_active_options())
    )
    docs = {}
    for part in parts:
        options = list(part.options.all())
        lines = []
        for option in options:
            stock = "in stock" if option.in_stock else "temporarily out of stock"
            lines.append(f"{option.name} — {_money(option.default_price)}, {stock}. {_sentence(option.description)}")
        required = "required" if part.required else "optional"
        text = (
            f"{part.name} — a part of {part.category.name} (step {part.step} of the configurator, {required}). "
            f"{_sentence(part.description)} Options: {' '.join(lines) or 'none available.'}"
        )
        prices = [option.default_price for option in options]
        docs[part.pk] = _make(
            "part",
            part.pk,
            text,
            {
                "name": part.name,
                "category_id": part.category_id,
                "category": part.category.name,
                # "From" price of the part, so a price filter keeps parts with a choice in range.
                "price": float(min(prices)) if prices else None,
                "in_stock": any(option.in_stock for option in options),
                "option_ids": _id_list(option.pk for option in options),
                "options": " | ".join(option.name for option in options),
            },
        )
    return docs


def _usable(option: PartOption) -> bool:
    return option.is_active and option.part.category.is_active


def _build_incompatibilities(pks: list[int]) -> dict[int, Document]:
    rules = IncompatibilityRule.objects.filter(pk__in=pks).select_related(
        "part_option__part__category", "incompatible_with_option__part__category"
    )
    docs = {}
    for rule in rules:
        a, b = rule.part_option, rule.incompatible_with_option
        if not (_usable(a) and _usable(b)):
            continue  # a rule about options nobody can choose tells a customer nothing
        category = a.part.category
        text = (
            f"Incompatible options in {category.name}: {a.name} ({a.part.name}) cannot be combined with "
            f"{b.name} ({b.part.name}); {b.name} ({b.part.name}) cannot be combined with {a.name}. "
            f"{_sentence(rule.message)}"
        )
        docs[rule.pk] = _make(
            "incompatibility",
            rule.pk,
            text,
            {
                "name": f"{a.name} + {b.name}",
                "category_id": category.pk,
                "category": category.name,
                "option_ids": _id_list([a.pk, b.pk]),
            },
        )
    return docs


def _build_price_rules(pks: list[int]) -> dict[int, Document]:
    rules = (
        PriceAdjustmentRule.objects.filter(pk__in=pks)
        .select_related("affected_option__part__category")
        .prefetch_related(
            Prefetch("condition_options", queryset=PartOption.objects.select_related("part__category").order_by("id"))
        )
    )
    docs = {}
    for rule in rules:
        affected = rule.affected_option
        conditions = list(rule.condition_options.all())
        # A rule without conditions never applies (configurator); one naming an inactive option cannot either.
        if not conditions or not all(_usable(option) for option in [affected, *conditions]):
            continue
        category = affected.part.category
        when = " and ".join(f"{option.name} ({option.part.name})" for option in conditions)
        text = (
            f"Price rule in {category.name}: {affected.name} ({affected.part.name}) costs "
            f"{_money(rule.adjusted_price)} instead of {_money(affected.default_price)} when combined with "
            f"{when}. {_sentence(rule.description)}"
        )
        docs[rule.pk] = _make(
            "price_rule",
            rule.pk,
            text,
            {
                "name": f"{affected.name} with {' and '.join(option.name for option in conditions)}",
                "category_id": category.pk,
                "category": category.name,
                "option_ids": _id_list([affected.pk, *(option.pk for option in conditions)]),
            },
        )
    return docs


BUILDERS = {
    "product": _build_products,
    "category": _build_categories,
    "part": _build_parts,
    "incompatibility": _build_incompatibilities,
    "price_rule": _build_price_rules,
}
# Large id lists are loaded in chunks: keeps IN (...) lists well below database limits.
_CHUNK = 2000


def build_documents(doc_ids: Iterable[str]) -> dict[str, Document | None]:
    """The current document of each id; None when the row is gone or not indexable (delete it)."""
    by_type: dict[str, list[int]] = defaultdict(list)
    result: dict[str, Document | None] = {}
    for value in doc_ids:
        parsed = parse_doc_id(value)
        result[value] = None
        if parsed:
            by_type[parsed[0]].append(parsed[1])
    for doc_type, pks in by_type.items():
        unique = sorted(set(pks))
        for start in range(0, len(unique), _CHUNK):
            for pk, document in BUILDERS[doc_type](unique[start : start + _CHUNK]).items():
                result[doc_id(doc_type, pk)] = document
    return result


def _indexable_pks() -> dict[str, list[int]]:
    """Primary keys of the rows that may be documents (builders still drop the few that are not)."""
    return {
        "category": list(Category.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)),
        "part": list(Part.objects.filter(category__is_active=True).order_by("pk").values_list("pk", flat=True)),
        "incompatibility": list(
            IncompatibilityRule.objects.filter(
                part_option__is_active=True,
                incompatible_with_option__is_active=True,
                part_option__part__category__is_active=True,
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
        "price_rule": list(
            PriceAdjustmentRule.objects.filter(
                affected_option__is_active=True, affected_option__part__category__is_active=True
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
        "product": list(
            PreConfiguredProduct.objects.filter(is_active=True, category__is_active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
    }


def all_doc_ids() -> set[str]:
    """Ids of every row that may be indexed now (a superset: a few may build to None)."""
    return {doc_id(doc_type, pk) for doc_type, pks in _indexable_pks().items() for pk in pks}


def iter_all_documents(batch_size: int = 1000) -> Iterator[list[Document]]:
    """Every document that should be in the index, in batches of at most `batch_size`."""
    for doc_type, pks in _indexable_pks().items():
        for start in range(0, len(pks), batch_size):
            built = BUILDERS[doc_type](pks[start : start + batch_size])
            batch = [built[pk] for pk in pks[start : start + batch_size] if pk in built]
            if batch:
                yield batch


# --- fan-out of changes -----------------------------------------------------------------------


def _ids(doc_type: str, pks: Iterable[int]) -> set[str]:
    return {doc_id(doc_type, pk) for pk in pks if pk is not None}


def _option_fan_out(option_ids: list[int]) -> set[str]:
    """Documents that show these options: products using them, rules naming them."""
    touched = _ids(
        "product",
        PreConfiguredProductOption.objects.filter(option_id__in=option_ids).values_list("product_id", flat=True),
    )
    touched |= _ids(
        "incompatibility",
        IncompatibilityRule.objects.filter(part_option_id__in=option_ids).values_list("pk", flat=True),
    )
    touched |= _ids(
        "incompatibility",
        IncompatibilityRule.objects.filter(incompatible_with_option_id__in=option_ids).values_list("pk", flat=True),
    )
    touched |= _ids(
        "price_rule", PriceAdjustmentRule.objects.filter(affected_option_id__in=option_ids).values_list("pk", flat=True)
    )
    through = PriceAdjustmentRule.condition_options.through
    touched |= _ids(
        "price_rule",
        through.objects.filter(partoption_id__in=option_ids).values_list("priceadjustmentrule_id", flat=True),
    )
    return touched


def _products_with_all(option_ids: list[int]) -> list[int]:
    """Products whose configuration contains every one of these options."""
    if not option_ids:
        return []
    queryset = PreConfiguredProduct.objects.all()
    for option_id in set(option_ids):
        queryset = queryset.filter(selections__option_id=option_id)
    return list(queryset.values_list("pk", flat=True).distinct())


def touched_doc_ids(instance: Model) -> set[str]:
    """Ids of the documents whose text or metadata a change of `instance` can alter.

    Cheap (id queries only, no document is built) and valid in pre_delete, where relations still exist,
    and in post_save. Unknown models touch nothing.
    """
    if instance.pk is None:
        return set()
    if isinstance(instance, PreConfiguredProduct):
        return {doc_id("product", instance.pk)}
    if isinstance(instance, PreConfiguredProductOption):
        return _ids("product", [instance.product_id])
    if isinstance(instance, Category):
        # Its name is in every document of the category (text and metadata).
        option_ids = list(PartOption.objects.filter(part__category_id=instance.pk).values_list("pk", flat=True))
        return (
            {doc_id("category", instance.pk)}
            | _ids("part", Part.objects.filter(category_id=instance.pk).values_list("pk", flat=True))
            | _ids("product", PreConfiguredProduct.objects.filter(category_id=instance.pk).values_list("pk", flat=True))
            | _option_fan_out(option_ids)
        )
    if isinstance(instance, Part):
        # Category doc lists parts; products and rules name the part beside its options.
        option_ids = list(PartOption.objects.filter(part_id=instance.pk).values_list("pk", flat=True))
        return (
            {doc_id("part", instance.pk)}
            | _ids("category", [instance.category_id])
            | _ids(
                "product",
                PreConfiguredProductOption.objects.filter(part_id=instance.pk).values_list("product_id", flat=True),
            )
            | _option_fan_out(option_ids)
        )
    if isinstance(instance, PartOption):
        category_id = Part.objects.filter(pk=instance.part_id).values_list("category_id", flat=True).first()
        return _ids("part", [instance.part_id]) | _ids("category", [category_id]) | _option_fan_out([instance.pk])
    if isinstance(instance, IncompatibilityRule):
        # Availability of the products that hold both options can flip.
        pair = [instance.part_option_id, instance.incompatible_with_option_id]
        return {doc_id("incompatibility", instance.pk)} | _ids("product", _products_with_all(pair))
    if isinstance(instance, PriceAdjustmentRule):
        conditions = list(instance.condition_options.values_list("pk", flat=True))
        priced = _products_with_all([instance.affected_option_id, *conditions]) if conditions else []
        return {doc_id("price_rule", instance.pk)} | _ids("product", priced)
    return set()
