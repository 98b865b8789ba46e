"""What every document type shares: the Document, its id and hashes, the text helpers, and the
declaration (`DocumentType`) each type module fills in.

A document is split in two (docs/search.md, "Documents"): its MEANING is the embedded text (name, family,
description, the chosen options' names and descriptions: what rarely changes, first where the model reads
it), its FACTS are metadata (price, availability, stock, reasons for unavailability: filters, the keyword
row through the `facts` key, and the search results' price and stock). Each half has a hash of its own, so
a change of facts alone updates the vector store's metadata without embedding anything.

A document type declares three things: how to build its documents from primary keys (`build`), which rows
may be documents now (`indexable`), and which of its documents a change of a catalog row touches
(`touched_by`: per changed model, the primary keys of this type's documents; `showing_options`: the primary
keys of this type's documents that show any of the given part options). `registry.py` assembles them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Model, Prefetch

from apps.catalog.models import Category, Part, PartOption
from apps.catalog.selectors.configurator import CURRENCY

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Document:
    """One entry of the index: what is embedded (text), what filters see (metadata) and their hashes.

    `text_hash` is the embedding cache's key of the text (sha256 of it), `metadata_hash` that of the
    metadata, `content_hash` that of both (equal: nothing to write at all).
    """

    id: str
    type: str
    object_id: int
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)
    content_hash: str = ""
    text_hash: str = ""
    metadata_hash: str = ""


@dataclass(frozen=True)
class DocumentType:
    """The declaration of one document type (see the module docstring)."""

    name: str
    build: Callable[[list[int]], dict[int, Document]]
    indexable: Callable[[], list[int]]
    touched_by: dict[type[Model], Callable[[Any], Iterable[int | None]]] = field(default_factory=dict)
    showing_options: Callable[[list[int]], Iterable[int]] | None = None


def doc_id(doc_type: str, pk: int) -> str:
    return f"{doc_type}:{pk}"


def content_hash(text: str, metadata: dict[str, Any]) -> str:
    """sha256 of the text and the metadata (keys sorted): equal hashes mean nothing to write."""
    payload = json.dumps({"text": text, "metadata": metadata}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def text_digest(text: str) -> str:
    """sha256 of the embedded text: the same key as the embedding cache's (retrieval/embedding_cache.py)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def metadata_digest(metadata: dict[str, Any]) -> str:
    """sha256 of the metadata, keys sorted."""
    return hashlib.sha256(json.dumps(metadata, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def make(doc_type: str, pk: int, text: str, metadata: dict[str, Any], facts: str = "") -> Document:
    """A document of `text` (its meaning, embedded) and `metadata` plus `facts` (a sentence of its facts for
    the keyword row, kept out of the embedded text so that a price or stock change embeds nothing)."""
    # Chroma rejects None values: leave such keys out instead.
    meta = {key: value for key, value in metadata.items() if value is not None}
    meta["type"] = doc_type
    meta["object_id"] = pk
    facts = " ".join(facts.split())
    if facts:
        meta["facts"] = facts
    text = " ".join(text.split())
    return Document(
        doc_id(doc_type, pk),
        doc_type,
        pk,
        text,
        meta,
        content_hash(text, meta),
        text_digest(text),
        metadata_digest(meta),
    )


def money(value: Decimal) -> str:
    return f"{Decimal(value).quantize(CENT)} {CURRENCY}"


def id_list(ids: Iterable[int]) -> str:
    """ ",3,17,": a string Chroma metadata can hold, matchable by ",17," for one id."""
    ordered = sorted(set(ids))
    return "," + ",".join(str(i) for i in ordered) + "," if ordered else ""


def sentence(value: str) -> str:
    value = (value or "").strip()
    if value and value[-1] not in ".!?":
        value += "."
    return value


def active_options() -> Prefetch:
    return Prefetch("options", queryset=PartOption.objects.filter(is_active=True).order_by("id"))


def usable(option: PartOption) -> bool:
    return option.is_active and option.part.category.is_active


def options_reached(instance: Model) -> list[int]:
    """The part options a change of a category, a part or an option reaches (what other documents show)."""
    if isinstance(instance, Category):
        return list(PartOption.objects.filter(part__category_id=instance.pk).values_list("pk", flat=True))
    if isinstance(instance, Part):
        return list(PartOption.objects.filter(part_id=instance.pk).values_list("pk", flat=True))
    if isinstance(instance, PartOption):
        return [instance.pk]
    return []
