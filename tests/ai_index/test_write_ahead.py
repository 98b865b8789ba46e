"""Writing ahead while edits keep arriving (IndexWriter.sync_without_embedding, called by the deferred debounced
flush through outbox.write_ahead): facts are written in full, a new text's keyword row at once and its vector
later, by the flush that embeds it once; a keyword row left ahead of a text that was changed back is rewritten
when that flush comes. Run on SQLite and on PostgreSQL (DATABASE_URL=postgres://...)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Q

from apps.ai_assistant.indexing.documents.registry import build_documents
from apps.ai_assistant.indexing.state import get_state
from apps.ai_assistant.models import IndexChange, IndexedDocument, KeywordRow
from apps.ai_assistant.retrieval.keyword_backends import get_keyword_backend
from apps.ai_assistant.retrieval.keyword_rows import keyword_snapshot, outdated_keyword_docs, rewrite_unchanged
from apps.preconfigured_products.models import PreConfiguredProduct

pytestmark = pytest.mark.integration


def _full_text(word: str) -> set[str]:
    """The documents the database's full-text index finds for `word` (the keyword side of a search)."""
    return {doc_id for doc_id, _ in get_keyword_backend().rank(get_state().active_collection, [word], Q(), 100)}


def _ledger_text(doc_id: str) -> str:
    return IndexedDocument.objects.get(collection=get_state().active_collection, doc_id=doc_id).text


def test_a_new_text_is_found_by_its_words_at_once_and_embedded_once_by_the_flush(demo, vector_index, embedded):
    vector_index.build_index()
    snow = demo.product("Snow Cruiser")
    key = f"product:{snow.pk}"
    before = _ledger_text(key)
    embedded.clear()
    snow.description = "A cruiser for glacierwalks on packed snow."
    snow.save()

    ahead = vector_index.sync_without_embedding([key])

    assert embedded == [] and ahead["embedded"] == 0 and ahead["updated"] == 0  # waiting for its vector
    assert key in _full_text("glacierwalks")
    assert key in {hit["id"] for hit in vector_index.search_documents("glacierwalks", type="product")}
    assert _ledger_text(key) == before  # the ledger (the text the vector is of) is not ahead
    # Nothing else moved: every other keyword row holds what its ledger row says.
    collection = get_state().active_collection
    others = build_documents(IndexedDocument.objects.filter(collection=collection).exclude(doc_id=key)
                             .values_list("doc_id", flat=True))
    assert outdated_keyword_docs(collection, [doc for doc in others.values() if doc]) == []
    embedded.clear()  # the search above embedded its query

    flushed = vector_index.sync_documents([key])

    assert flushed["embedded"] == 1 and [len(texts) for texts in embedded] == [1] and flushed["updated"] == 1
    assert "glacierwalks" in _ledger_text(key) and key in _full_text("glacierwalks")


def test_a_new_document_is_written_ahead_in_full_and_the_flush_embeds_nothing_more(demo, vector_index, embedded):
    # A new document has no old vector to serve while it waits, nor a ledger row for a keyword row to hang on:
    # it costs its one embedding now, as its first flush would, and is found by its words and its meaning.
    vector_index.build_index()
    snow = demo.product("Snow Cruiser")
    product = PreConfiguredProduct.objects.create(
        category=snow.category, name="Glacier Drifter", slug="glacier-drifter", description="For permafrostpaths."
    )
    key = f"product:{product.pk}"
    embedded.clear()

    ahead = vector_index.sync_without_embedding([key])

    assert ahead["added"] == 1 and ahead["embedded"] == 1 and [len(texts) for texts in embedded] == [1]
    assert key in _full_text("permafrostpaths") and "permafrostpaths" in _ledger_text(key)
    embedded.clear()
    flushed = vector_index.sync_documents([key])
    assert flushed["unchanged"] == 1 and flushed["embedded"] == 0 and embedded == []


def test_a_keyword_row_ahead_of_a_text_changed_back_is_rewritten_by_the_flush(demo, vector_index, embedded):
    vector_index.build_index()
    snow = demo.product("Snow Cruiser")
    key = f"product:{snow.pk}"
    original = snow.description
    row_before = KeywordRow.objects.filter(doc_id=key).values("name", "labels", "body").get()
    snow.description = "A cruiser for moonpowder days."
    snow.save()
    vector_index.sync_without_embedding([key])
    assert key in _full_text("moonpowder")
    snow.description = original  # changed back before the flush came
    snow.save()
    embedded.clear()

    flushed = vector_index.sync_documents([key])

    # The ledger calls it unchanged (nothing to embed), yet its keyword row is back to the words it has.
    assert flushed["unchanged"] == 1 and flushed["embedded"] == 0 and embedded == []
    assert key not in _full_text("moonpowder")
    assert KeywordRow.objects.filter(doc_id=key).values("name", "labels", "body").get() == row_before


def test_facts_are_written_ahead_in_full_and_the_flush_finds_them_unchanged(demo, vector_index, embedded):
    vector_index.build_index()
    snow = demo.product("Snow Cruiser")
    fat = demo.option("Fat bike wheels")
    touched = [f"product:{snow.pk}"]
    embedded.clear()
    fat.default_price = Decimal("60.00")
    fat.save()

    ahead = vector_index.sync_without_embedding(touched)

    assert embedded == [] and ahead["metadata_only"] == ahead["updated"] == 1
    hits = vector_index.search_documents("snow", type="product", max_price=330)
    assert {hit["id"]: hit["price"] for hit in hits}.get(touched[0]) == "320.00"
    embedded.clear()  # the search above embedded its query
    flushed = vector_index.sync_documents(touched)
    assert flushed["unchanged"] == 1 and flushed["updated"] == 0 and embedded == []


def test_a_small_change_writes_its_words_through_at_its_commit(demo_committed, vector_index, embedded, settings):
    """In the process that made it, whatever the workers' backlog: only its keyword rows (no embedding, no
    vector store call, the ledger untouched); its outbox row stays for the workers."""
    vector_index.build_index()
    settings.AI_INDEX_AUTO_UPDATE = True  # (this folder's tests sync by hand)
    settings.AI_INDEX_WRITE_THROUGH_MAX_DOCUMENTS = 20
    snow = demo_committed.product("Snow Cruiser")
    key = f"product:{snow.pk}"
    before = _ledger_text(key)
    embedded.clear()

    snow.description = "A cruiser for icefloeroutes."
    snow.save()  # autocommit: its on_commit hooks run now

    assert key in _full_text("icefloeroutes")
    assert _ledger_text(key) == before and embedded == []
    assert IndexChange.objects.filter(doc_id=key, written_ahead=False).exists()


def test_a_change_of_more_documents_leaves_its_words_to_the_workers(demo_committed, vector_index, settings):
    vector_index.build_index()
    settings.AI_INDEX_AUTO_UPDATE = True
    settings.AI_INDEX_WRITE_THROUGH_MAX_DOCUMENTS = 0
    snow = demo_committed.product("Snow Cruiser")
    snow.description = "A cruiser for icefloeroutes."
    snow.save()
    assert f"product:{snow.pk}" not in _full_text("icefloeroutes")


def test_a_write_through_never_overwrites_a_row_written_since_it_read_it(demo, vector_index):
    """It takes no lock: a writer under the lock that wrote the row after the snapshot read newer rows."""
    vector_index.build_index()
    snow = demo.product("Snow Cruiser")
    key = f"product:{snow.pk}"
    collection = get_state().active_collection
    before = keyword_snapshot(collection, [key])
    snow.description = "A cruiser for icefloeroutes."
    snow.save()
    doc = build_documents([key])[key]
    KeywordRow.objects.filter(collection=collection, doc_id=key).update(body="written meanwhile by a flush")

    assert rewrite_unchanged(collection, [doc], before) == 0
    assert KeywordRow.objects.get(collection=collection, doc_id=key).body == "written meanwhile by a flush"
    assert rewrite_unchanged(collection, [doc], keyword_snapshot(collection, [key])) == 1  # read again: written
    assert key in _full_text("icefloeroutes")

