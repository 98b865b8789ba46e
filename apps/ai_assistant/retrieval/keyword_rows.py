"""Keyword rows written with the ledger: one KeywordRow per ledger row, and the collection's vocabulary.

`write_keyword_rows(collection, documents)` runs inside the index write (indexing/writer.py), right after the
ledger rows of the same documents were written, under the same lock; a ledger row's delete removes its
keyword row in the database itself (migration 0007). So every process reads the same keyword index the
moment the write commits: nothing is held in a process, nothing polls.
"""

from __future__ import annotations

from collections.abc import Iterable

from apps.ai_assistant.indexing.documents.base import Document
from apps.ai_assistant.models import IN_LIST_CHUNK, IndexedDocument, KeywordRow, KeywordTerm
from apps.ai_assistant.retrieval.keyword_backends import get_keyword_backend
from apps.ai_assistant.retrieval.text import normalize, words

MIN_TERM, MAX_TERM = 4, 40  # vocabulary word lengths: shorter words are not corrected (see keyword_search.py)
UPDATE_FIELDS = [
    "doc_id",
    "doc_type",
    "category_id",
    "price",
    "in_stock",
    "name",
    "labels",
    "body",
    "name_key",
    "option_keys",
]


def keyword_row(collection: str, ledger_pk: int, doc: Document) -> KeywordRow:
    """The keyword row of one document: name (weight A), options and category (B), text and facts (C)."""
    meta = doc.metadata
    name = str(meta.get("name", ""))
    options = [option for option in str(meta.get("options", "")).split(" | ") if option]
    labels = ", ".join([*options, str(meta.get("category", ""))]).strip(", ")
    option_keys = ""
    if doc.type == "part" and options:
        # A part answers exactly to each of its options' names ("Fat bike wheels" -> the Wheels part).
        option_keys = "|" + "|".join(normalize(option) for option in options) + "|"
    price = meta.get("price")
    return KeywordRow(
        document_id=ledger_pk,
        collection=collection,
        doc_id=doc.id,
        doc_type=doc.type,
        category_id=meta.get("category_id"),
        price=float(price) if price is not None else None,
        in_stock=meta.get("in_stock"),
        name=name,
        labels=labels,
        body=f"{doc.text} {meta.get('facts', '')}".strip(),
        name_key=normalize(name),
        option_keys=option_keys,
    )


def vocabulary(rows: Iterable[KeywordRow]) -> set[str]:
    """The words misspellings are matched against: alphabetic words of MIN_TERM to MAX_TERM letters."""
    found: set[str] = set()
    for row in rows:
        for word in words(f"{row.name} {row.labels} {row.body}"):
            if MIN_TERM <= len(word) <= MAX_TERM and word.isalpha():
                found.add(word)
    return found


def write_keyword_rows(collection: str, docs: list[Document]) -> None:
    """Upsert the keyword rows (and new vocabulary words) of `docs`, whose ledger rows were just written."""
    if not docs:
        return
    by_id = {doc.id: doc for doc in docs}
    ids = list(by_id)
    ledger: dict[str, int] = {}
    for start in range(0, len(ids), IN_LIST_CHUNK):
        chunk = ids[start : start + IN_LIST_CHUNK]
        ledger.update(
            IndexedDocument.objects.filter(collection=collection, doc_id__in=chunk).values_list("doc_id", "pk")
        )
    rows = [keyword_row(collection, ledger[doc_id], doc) for doc_id, doc in by_id.items() if doc_id in ledger]
    KeywordRow.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["collection", "doc_id"],
        update_fields=UPDATE_FIELDS,
        batch_size=500,
    )
    get_keyword_backend().refresh([row.pk for row in rows])
    _add_vocabulary(collection, vocabulary(rows))


def _add_vocabulary(collection: str, terms: set[str]) -> None:
    wanted = sorted(terms)
    for start in range(0, len(wanted), IN_LIST_CHUNK):
        chunk = wanted[start : start + IN_LIST_CHUNK]
        known = set(KeywordTerm.objects.filter(collection=collection, term__in=chunk).values_list("term", flat=True))
        KeywordTerm.objects.bulk_create(
            [KeywordTerm(collection=collection, term=term) for term in chunk if term not in known],
            ignore_conflicts=True,
        )


def forget_vocabulary(keep: Iterable[str]) -> int:
    """Delete the vocabulary of every collection but `keep` (collections that were dropped); how many words.

    A word stays in a collection's vocabulary after the last document using it changed: it can still be
    offered for a misspelling and then match nothing, until the next rebuild starts a new collection.
    """
    deleted, _ = KeywordTerm.objects.exclude(collection__in=list(keep)).delete()
    return deleted
