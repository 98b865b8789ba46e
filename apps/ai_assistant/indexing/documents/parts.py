"""Part documents (`part:{pk}`): a configurator step with all its active options; their prices and stock are
facts (metadata), their names and descriptions its meaning (embedded text)."""

from __future__ import annotations

from apps.ai_assistant.indexing.documents.base import (
    Document,
    DocumentType,
    active_options,
    id_list,
    make,
    money,
    sentence,
)
from apps.catalog.models import Category, Part, PartOption


def build(pks: list[int]) -> dict[int, Document]:
    parts = (
        Part.objects.filter(pk__in=pks, category__is_active=True)
        .select_related("category")
        .prefetch_related(active_options())
    )
    docs = {}
    for part in parts:
        options = list(part.options.all())
        lines = [
            f"{option.name}: {sentence(option.description)}" if option.description.strip() else f"{option.name}."
            for option in options
        ]
        facts = [
            f"{option.name} — {money(option.default_price)}, "
            f"{'in stock' if option.in_stock else 'temporarily out of stock'}."
            for option in options
        ]
        required = "required" if part.required else "optional"
        text = (
            f"{part.name} — a part of {part.category.name} (step {part.step} of the configurator, {required}). "
            f"{sentence(part.description)} Choose one of {len(options)} options: "
            f"{', '.join(option.name for option in options) or 'none available'}. {' '.join(lines)}"
        )
        prices = [option.default_price for option in options]
        docs[part.pk] = make(
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
                "option_ids": id_list(option.pk for option in options),
                "options": " | ".join(option.name for option in options),
            },
            facts=" ".join(facts),
        )
    return docs


def indexable() -> list[int]:
    return list(Part.objects.filter(category__is_active=True).order_by("pk").values_list("pk", flat=True))


PARTS = DocumentType(
    name="part",
    build=build,
    indexable=indexable,
    touched_by={
        # The category's name is in each of its parts.
        Category: lambda category: Part.objects.filter(category_id=category.pk).values_list("pk", flat=True),
        Part: lambda part: [part.pk],
        PartOption: lambda option: [option.part_id],
    },
)
