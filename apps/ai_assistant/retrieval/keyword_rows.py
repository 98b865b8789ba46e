"""Keyword rows written with the ledger: one KeywordRow per ledger row, and the collection's vocabulary.

`write_keyword_rows(collection, documents)` runs inside the index write (indexing/writer.py), right after the
ledger rows of the same documents were written, under the same lock; a ledger row's delete removes its
keyword row in the database itself (migration 0007). So every process reads the same keyword index the
moment the write commits: nothing is held in a process, nothing polls. Two exceptions: while edits keep
arriving, the keyword row of a changed text is written ahead of its ledger row and vector, under the lock
(IndexWriter.sync_without_embedding; `outdated_keyword_docs` finds rows that no longer match); and a small
change's request writes its keyword rows through without the lock, compare-and-set against a snapshot taken
before it read the documents (`keyword_snapshot`, `rewrite_unchanged`), so a writer under the lock always wins.

A row holds the document's words (name, labels, body = the embedded text and the facts sentence: the full-text
index and the vocabulary) and its facts (category_id, price, in_stock: what the filters read). A change of
facts alone (price, stock: `keeps_keyword_text`) goes through `update_keyword_facts`: one UPDATE per batch of
the fact columns and the body's facts sentence, the full-text entry of just the rows that changed, no upsert
of the rows, no ledger lookup and no vocabulary pass (a facts sentence is made of the same few words and of
option names that the labels already hold).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

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


TEXT_FIELDS = ("name", "labels", "body", "name_key", "option_keys")  # what text_columns returns
FACT_FIELDS = ("category_id", "price", "in_stock")  # what fact_columns returns


def text_columns(doc_type: str, text: str, metadata: dict) -> dict[str, str]:
    """The keyword row's word columns: name (weight A), options and category (B), text and facts (C)."""
    name = str(metadata.get("name", ""))
    options = [option for option in str(metadata.get("options", "")).split(" | ") if option]
    option_keys = ""
    if doc_type == "part" and options:
        # A part answers exactly to each of its options' names ("Fat bike wheels" -> the Wheels part).
        option_keys = "|" + "|".join(normalize(option) for option in options) + "|"
    return {
        "name": name,
        "labels": ", ".join([*options, str(metadata.get("category", ""))]).strip(", "),
        "body": f"{text} {metadata.get('facts', '')}".strip(),
        "name_key": normalize(name),
        "option_keys": option_keys,
    }


def fact_columns(metadata: dict) -> dict:
    """The keyword row's fact columns, read by the filters (in the order of KeywordBackend.update_facts)."""
    price = metadata.get("price")
    return {
        "category_id": metadata.get("category_id"),
        "price": float(price) if price is not None else None,
        "in_stock": metadata.get("in_stock"),
    }


def keyword_row(collection: str, ledger_pk: int, doc: Document) -> KeywordRow:
    """The keyword row of one document: its word columns and its fact columns."""
    return KeywordRow(
        document_id=ledger_pk,
        collection=collection,
        doc_id=doc.id,
        doc_type=doc.type,
        **text_columns(doc.type, doc.text, doc.metadata),
        **fact_columns(doc.metadata),
    )


def keeps_keyword_text(doc: Document, old_metadata: dict) -> bool:
    """Whether the keyword row of `doc`, whose text is the one its row was written from, keeps every word but
    its facts sentence with the new metadata (then its change is facts only: `update_keyword_facts`)."""

    def words_but_facts(metadata: dict) -> dict[str, str]:
        return text_columns(doc.type, doc.text, {key: value for key, value in metadata.items() if key != "facts"})

    return words_but_facts(doc.metadata) == words_but_facts(old_metadata)


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


def outdated_keyword_docs(collection: str, docs: Iterable[Document]) -> list[Document]:
    """The documents of `docs` whose keyword row (where their ledger row has one) does not hold their words and
    facts: written ahead of a text that was then changed back, or not yet written for the text they have now."""
    by_id = {doc.id: doc for doc in docs}
    ids = list(by_id)
    outdated: list[Document] = []
    columns = ["doc_id", *TEXT_FIELDS, *FACT_FIELDS]
    for start in range(0, len(ids), IN_LIST_CHUNK):
        chunk = ids[start : start + IN_LIST_CHUNK]
        for doc_id, *stored in KeywordRow.objects.filter(collection=collection, doc_id__in=chunk).values_list(*columns):
            doc = by_id[doc_id]
            expected = {**text_columns(doc.type, doc.text, doc.metadata), **fact_columns(doc.metadata)}
            if list(stored) != [expected[name] for name in (*TEXT_FIELDS, *FACT_FIELDS)]:
                outdated.append(doc)
    return outdated


def keyword_snapshot(collection: str, doc_ids: Iterable[str]) -> dict[str, tuple]:
    """doc_id -> (pk, its word and fact columns) of these documents' keyword rows, for `rewrite_unchanged`."""
    ids = list(doc_ids)
    found: dict[str, tuple] = {}
    for start in range(0, len(ids), IN_LIST_CHUNK):
        rows = KeywordRow.objects.filter(collection=collection, doc_id__in=ids[start : start + IN_LIST_CHUNK])
        for doc_id, *values in rows.values_list("doc_id", "pk", *TEXT_FIELDS, *FACT_FIELDS):
            found[doc_id] = tuple(values)
    return found


def rewrite_unchanged(collection: str, docs: Iterable[Document], before: dict[str, tuple]) -> int:
    """Rewrite the keyword rows of `docs` whose row still holds what `before` (a `keyword_snapshot` taken
    before the documents were read) says, compare-and-set, without the index write lock: a writer that wrote
    a row meanwhile read newer rows, and its write stands; a row a writer holds now is left to it. Returns the
    rows rewritten."""
    fields = (*TEXT_FIELDS, *FACT_FIELDS)
    wanted: dict[int, tuple[list, dict]] = {}
    for doc in docs:
        if doc.id in before:
            pk, *stored = before[doc.id]
            new = {**text_columns(doc.type, doc.text, doc.metadata), **fact_columns(doc.metadata)}
            if list(stored) != [new[name] for name in fields]:
                wanted[pk] = (stored, new)
    if not wanted:
        return 0
    rewritten: list[KeywordRow] = []
    with transaction.atomic():
        # Rows a writer holds right now are being written by it: skipped, never waited for (PostgreSQL).
        free = KeywordRow.objects.select_for_update(skip_locked=True).filter(pk__in=list(wanted))
        for pk in free.values_list("pk", flat=True):
            stored, new = wanted[pk]
            if KeywordRow.objects.filter(pk=pk, **dict(zip(fields, stored, strict=True))).update(**new):
                rewritten.append(KeywordRow(pk=pk, **new))
        if rewritten:
            get_keyword_backend().refresh([row.pk for row in rewritten])
            _add_vocabulary(collection, vocabulary(rewritten))
    return len(rewritten)


def update_keyword_facts(collection: str, docs: list[Document]) -> int:
    """Rewrite only the facts of `docs`' keyword rows (fact columns and the body, whose text is as written
    before: `keeps_keyword_text`); rows already holding these facts are left alone. Returns the rows changed."""
    facts = [
        (doc.id, *fact_columns(doc.metadata).values(), text_columns(doc.type, doc.text, doc.metadata)["body"])
        for doc in docs
    ]
    return get_keyword_backend().update_facts(collection, facts) if facts else 0


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
