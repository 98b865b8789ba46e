"""A change of facts alone writes its keyword rows narrowly (retrieval/keyword_rows.py, keyword_backends/): one
UPDATE of the fact columns and the facts sentence per batch (PostgreSQL: and the tsvector of just the rows it
changed), no upsert of the rows, no vocabulary pass, nothing embedded, the words other than the facts sentence
untouched; the search filters (max_price, in_stock) and the full-text index see the new facts. Run on SQLite
and on PostgreSQL (DATABASE_URL=postgres://...)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from apps.ai_assistant.indexing.documents.base import make
from apps.ai_assistant.indexing.documents.registry import touched_doc_ids
from apps.ai_assistant.indexing.state import get_state
from apps.ai_assistant.models import IndexedDocument, KeywordRow, KeywordTerm
from apps.ai_assistant.retrieval.keyword_backends import get_keyword_backend
from apps.ai_assistant.retrieval.keyword_rows import keeps_keyword_text

pytestmark = pytest.mark.integration

KEYWORD_TABLE = KeywordRow._meta.db_table
TERM_TABLE = KeywordTerm._meta.db_table


def _words() -> dict[str, tuple[str, str, str]]:
    """Every keyword row's name, labels and body without its facts sentence (the ledger's text), by doc_id."""
    collection = get_state().active_collection
    texts = dict(IndexedDocument.objects.filter(collection=collection).values_list("doc_id", "text"))
    rows = KeywordRow.objects.filter(collection=collection).values_list("doc_id", "name", "labels", "body")
    return {doc_id: (name, labels, body[: len(texts[doc_id])]) for doc_id, name, labels, body in rows}


def _keyword_writes(queries: list[dict]) -> list[str]:
    return [q["sql"] for q in queries if KEYWORD_TABLE in q["sql"] and not q["sql"].lstrip().startswith("SELECT")]


def _sync(vector_index, option) -> tuple[dict, list[dict]]:
    touched = sorted(touched_doc_ids(option))
    with CaptureQueriesContext(connection) as queries:
        result = vector_index.sync_documents(touched)
    return result, queries.captured_queries


def _assert_narrow(queries: list[dict], words_before: dict, terms_before: list, changed: int) -> None:
    writes = _keyword_writes(queries)
    assert writes[0].lstrip().startswith(("UPDATE", "WITH")) and "price = v.price" in writes[0]  # one batch
    assert not any("INSERT" in sql for sql in writes)  # no upsert of whole rows
    if connection.vendor == "postgresql":  # then the tsvector of the rows the UPDATE changed, in one statement
        assert len(writes) == 2 and '"search" = ' in writes[1]
        assert len(writes[1].rsplit("IN (", 1)[1].split(",")) == changed
    else:  # the FTS5 trigger re-indexes the updated rows
        assert len(writes) == 1
    assert not any(TERM_TABLE in q["sql"] for q in queries)  # no vocabulary pass
    assert _words() == words_before  # every word but the facts sentences as it was
    assert list(KeywordTerm.objects.order_by("pk").values_list("pk", "term")) == terms_before


def _full_text(word: str) -> set[str]:
    """The documents the database's full-text index finds for `word` (keyword side of a search only)."""
    return {doc_id for doc_id, _ in get_keyword_backend().rank(get_state().active_collection, [word], Q(), 100)}


def test_a_price_change_updates_the_fact_columns_alone_and_reaches_max_price(demo, vector_index, embedded):
    vector_index.build_index()
    fat = demo.option("Fat bike wheels")
    snow = demo.product("Snow Cruiser")
    assert f"product:{snow.pk}" not in {h["id"] for h in vector_index.search_documents(
        "snow", type="product", max_price=330)}
    words_before = _words()
    terms_before = list(KeywordTerm.objects.order_by("pk").values_list("pk", "term"))
    embedded.clear()  # the query above embedded its words

    fat.default_price = Decimal("60.00")
    fat.save()
    result, queries = _sync(vector_index, fat)

    assert embedded == [] and result["embedded"] == 0 and result["metadata_only"] == result["updated"] >= 3
    _assert_narrow(queries, words_before, terms_before, result["updated"])
    row = KeywordRow.objects.get(collection=get_state().active_collection, doc_id=f"product:{snow.pk}")
    assert row.price == 320.0
    hits = vector_index.search_documents("snow", type="product", max_price=330)
    assert {h["id"]: h["price"] for h in hits}.get(f"product:{snow.pk}") == "320.00"


def test_a_stock_change_updates_the_fact_columns_alone_and_reaches_in_stock(demo, vector_index, embedded):
    vector_index.build_index()
    explorer = demo.product("Fat Tire Explorer")
    key = f"product:{explorer.pk}"
    assert key in {h["id"] for h in vector_index.search_documents("snow", type="product", in_stock=True)}
    words_before = _words()
    terms_before = list(KeywordTerm.objects.order_by("pk").values_list("pk", "term"))
    assert key not in _full_text("unavailable")
    embedded.clear()

    black = demo.option("Black")
    black.in_stock = False
    black.save()
    result, queries = _sync(vector_index, black)

    assert embedded == [] and result["embedded"] == 0 and result["metadata_only"] == result["updated"] >= 2
    _assert_narrow(queries, words_before, terms_before, result["updated"])
    assert key in _full_text("unavailable")  # its new facts sentence is in the full-text index
    assert key not in {h["id"] for h in vector_index.search_documents("snow", type="product", in_stock=True)}
    assert key in {h["id"] for h in vector_index.search_documents("snow", type="product", in_stock=False)}
    # Back in stock: the same narrow write, and the filter lets it through again.
    black.in_stock = True
    black.save()
    _, queries = _sync(vector_index, black)
    assert not any("INSERT" in sql for sql in _keyword_writes(queries))
    assert key in {h["id"] for h in vector_index.search_documents("snow", type="product", in_stock=True)}
    assert key not in _full_text("unavailable")


def test_an_unchanged_fact_row_is_not_written(demo, vector_index):
    """A part's 'from' price stays when a dearer option's price changes: its keyword row is not updated."""
    vector_index.build_index()
    collection = get_state().active_collection
    fat = demo.option("Fat bike wheels")
    part = KeywordRow.objects.get(collection=collection, doc_id=f"part:{fat.part_id}")
    fat.default_price = fat.default_price + 1
    fat.save()
    _sync(vector_index, fat)
    assert KeywordRow.objects.get(pk=part.pk).price == part.price  # the cheapest wheels did not change


def test_a_new_name_or_option_list_is_not_facts_only():
    doc = make("part", 1, "Wheels. Choose one of 2 options: Road, Fat.", {"name": "Wheels", "options": "Road | Fat"})
    assert keeps_keyword_text(doc, {**doc.metadata, "price": 5.0, "in_stock": False})
    assert not keeps_keyword_text(doc, {**doc.metadata, "name": "Rims"})
    assert not keeps_keyword_text(doc, {**doc.metadata, "options": "Road"})
    assert not keeps_keyword_text(doc, {**doc.metadata, "category": "Bikes"})
