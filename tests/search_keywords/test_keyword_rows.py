"""Keyword rows live beside the ledger: written in the same index write, deleted with it, one per document."""

from __future__ import annotations

import pytest

from apps.ai_assistant.indexing.state import get_state
from apps.ai_assistant.models import IndexedDocument, KeywordRow, KeywordTerm
from apps.ai_assistant.retrieval.filters import SearchFilters
from apps.ai_assistant.retrieval.hybrid import hybrid_search
from apps.ai_assistant.retrieval.keyword_rows import forget_vocabulary
from apps.preconfigured_products.models import PreConfiguredProduct

pytestmark = pytest.mark.integration


def keyword_names(query: str, **filters) -> list[str]:
    return [hit["name"] for hit in hybrid_search(query, SearchFilters(**filters), limit=10, mode="keyword")]


def test_every_ledger_row_has_its_keyword_row(indexed):
    collection = get_state().active_collection
    ledger = dict(IndexedDocument.objects.filter(collection=collection).values_list("doc_id", "pk"))
    rows = dict(KeywordRow.objects.filter(collection=collection).values_list("doc_id", "document_id"))
    assert ledger and rows == ledger
    fat = KeywordRow.objects.get(collection=collection, name="Fat Tire Explorer")
    assert fat.doc_type == "product" and fat.price == 310.0 and fat.in_stock is True and fat.category_id
    assert "Bicycles" in fat.labels and "Price: 310.00" in fat.body
    wheels = KeywordRow.objects.get(collection=collection, doc_type="part", name="Wheels")
    assert "|fat bike wheels|" in wheels.option_keys
    assert KeywordTerm.objects.filter(collection=collection, term="explorer").exists()


def test_a_change_is_searchable_at_once_and_a_delete_takes_the_row_with_it(indexed):
    product = PreConfiguredProduct.objects.get(name="Dune Drifter")
    product.name = "Sahara Sandpiper"
    product.save()
    indexed.sync_documents([f"product:{product.pk}"])
    assert keyword_names("sandpiper")[0] == "Sahara Sandpiper"
    assert "Dune Drifter" not in keyword_names("dune drifter")

    product.is_active = False
    product.save()
    indexed.sync_documents([f"product:{product.pk}"])
    assert not KeywordRow.objects.filter(doc_id=f"product:{product.pk}").exists()
    assert keyword_names("sandpiper") == []


def test_deleting_a_collections_ledger_deletes_its_keyword_rows_in_the_database(indexed):
    collection = get_state().active_collection
    assert KeywordRow.objects.filter(collection=collection).exists()
    # One statement on the ledger; the database cascades it (migration 0007), no row is loaded in Python.
    IndexedDocument.objects.filter(collection=collection).delete()
    assert not KeywordRow.objects.filter(collection=collection).exists()
    assert keyword_names("fat tire explorer") == []


def test_the_vocabulary_of_dropped_collections_is_forgotten(indexed):
    collection = get_state().active_collection
    KeywordTerm.objects.create(collection="dropped-long-ago", term="orphan")
    assert forget_vocabulary({collection}) == 1
    assert not KeywordTerm.objects.filter(collection="dropped-long-ago").exists()
    assert KeywordTerm.objects.filter(collection=collection).exists()
