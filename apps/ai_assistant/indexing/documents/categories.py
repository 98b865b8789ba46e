"""Category documents (`category:{pk}`): a category with its configurator steps (parts) and their options."""

from __future__ import annotations

from django.db.models import Prefetch

from apps.ai_assistant.indexing.documents.base import Document, DocumentType, active_options, make, sentence
from apps.catalog.models import Category, Part, PartOption


def build(pks: list[int]) -> dict[int, Document]:
    categories = Category.objects.filter(pk__in=pks, is_active=True).prefetch_related(
        Prefetch("parts", queryset=Part.objects.order_by("step", "id").prefetch_related(active_options()))
    )
    docs = {}
    for category in categories:
        steps = []
        for number, part in enumerate(category.parts.all(), start=1):
            names = ", ".join(option.name for option in part.options.all()) or "no options yet"
            optional = "" if part.required else " (optional)"
            steps.append(f"{number}. {part.name}{optional}: {names}")
        text = (
            f"{category.name} — a category of configurable products. {sentence(category.description)} "
            f"Configure it step by step: {'; '.join(steps) or 'no parts yet'}."
        )
        docs[category.pk] = make(
            "category",
            category.pk,
            text,
            {"name": category.name, "category_id": category.pk, "category": category.name},
        )
    return docs


def indexable() -> list[int]:
    return list(Category.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))


CATEGORIES = DocumentType(
    name="category",
    build=build,
    indexable=indexable,
    touched_by={
        Category: lambda category: [category.pk],
        # The category document lists its parts and their options.
        Part: lambda part: [part.category_id],
        PartOption: lambda option: [
            Part.objects.filter(pk=option.part_id).values_list("category_id", flat=True).first()
        ],
    },
)
