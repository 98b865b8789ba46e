"""Catalog rows as documents of the AI knowledge index: the registry of the document types.

Every catalog row a customer may ask about is one document with a deterministic id:
`product:{pk}`, `category:{pk}`, `part:{pk}` (the part with all its active options), `incompatibility:{pk}`
and `price_rule:{pk}`. A document carries text written for retrieval, flat metadata for filters (Chroma
metadata holds only str/int/float/bool, so option ids are a string like ",3,17,") and a content hash that
decides whether it must be written (and embedded) again. Each type is declared in its own module
(products.py, categories.py, parts.py, rules.py; see base.py for what a declaration holds); this module
assembles them.

Three entry points:
- `build_documents(ids)`: the current documents for ids, in a fixed number of queries per type
  (None: the row is gone or must not be indexed, e.g. an inactive product -> delete it from the index);
- `iter_all_documents()` / `all_doc_ids()`: everything that should be in the index now;
- `touched_doc_ids(instance)`: the documents a changed row can alter (the outbox records these).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db.models import Model

from apps.ai_assistant.indexing.documents.base import Document, DocumentType, doc_id, options_reached
from apps.ai_assistant.indexing.documents.categories import CATEGORIES
from apps.ai_assistant.indexing.documents.parts import PARTS
from apps.ai_assistant.indexing.documents.products import PRODUCTS
from apps.ai_assistant.indexing.documents.rules import INCOMPATIBILITIES, PRICE_RULES
from apps.ai_assistant.models import IN_LIST_CHUNK

TYPES: dict[str, DocumentType] = {t.name: t for t in (PRODUCTS, CATEGORIES, PARTS, INCOMPATIBILITIES, PRICE_RULES)}
DOC_TYPES: tuple[str, ...] = tuple(TYPES)
# The order a full pass builds them in: the catalog's structure first, the products last.
BUILD_ORDER: tuple[str, ...] = ("category", "part", "incompatibility", "price_rule", "product")


def parse_doc_id(value: str) -> tuple[str, int] | None:
    """("product", 12) for "product:12"; None for anything that is not a document id."""
    doc_type, _, raw = str(value).partition(":")
    if doc_type not in TYPES or not raw.isdigit():
        return None
    return doc_type, int(raw)


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
        # Large id lists are loaded in chunks: keeps IN (...) lists below database limits.
        for start in range(0, len(unique), IN_LIST_CHUNK):
            for pk, document in TYPES[doc_type].build(unique[start : start + IN_LIST_CHUNK]).items():
                result[doc_id(doc_type, pk)] = document
    return result


def _indexable_pks() -> dict[str, list[int]]:
    """Primary keys of the rows that may be documents (builders still drop the few that are not)."""
    return {doc_type: TYPES[doc_type].indexable() for doc_type in BUILD_ORDER}


def all_doc_ids() -> set[str]:
    """Ids of every row that may be indexed now (a superset: a few may build to None)."""
    return {doc_id(doc_type, pk) for doc_type, pks in _indexable_pks().items() for pk in pks}


def iter_all_documents(batch_size: int = 1000) -> Iterator[list[Document]]:
    """Every document that should be in the index, in batches of at most `batch_size`."""
    for doc_type, pks in _indexable_pks().items():
        for start in range(0, len(pks), batch_size):
            built = TYPES[doc_type].build(pks[start : start + batch_size])
            batch = [built[pk] for pk in pks[start : start + batch_size] if pk in built]
            if batch:
                yield batch


def touched_doc_ids(instance: Model) -> set[str]:
    """Ids of the documents whose text or metadata a change of `instance` can alter.

    Cheap (id queries only, no document is built) and valid in pre_delete, where relations still exist,
    and in post_save. Each type says which of its documents the change touches (`touched_by`), and which
    show the part options a change of a category, part or option reaches (`showing_options`). Unknown
    models touch nothing.
    """
    if instance.pk is None:
        return set()
    option_ids = options_reached(instance)
    touched: set[str] = set()
    for doc_type in TYPES.values():
        pks: list[int | None] = []
        for model, touched_pks in doc_type.touched_by.items():
            if isinstance(instance, model):
                pks.extend(touched_pks(instance))
        if option_ids and doc_type.showing_options:
            pks.extend(doc_type.showing_options(option_ids))
        touched |= {doc_id(doc_type.name, pk) for pk in pks if pk is not None}
    return touched
