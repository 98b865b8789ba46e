"""Upgrading a ledger of one hash per row (before issue 11): migration 0005 fills the text and metadata hashes
from what each row stores, so the first sync after the upgrade embeds only texts that really changed."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from apps.ai_assistant.indexing.state import get_state
from apps.ai_assistant.models import IndexedDocument

from .test_index_sync import DEMO_DOCUMENTS

pytestmark = pytest.mark.integration

migration = importlib.import_module("apps.ai_assistant.migrations.0005_indexeddocument_text_and_metadata_hash")


def test_old_rows_get_both_hashes_and_the_next_sync_embeds_nothing(demo, vector_index):
    vector_index.build_index()
    collection = get_state().active_collection
    expected = dict(IndexedDocument.objects.filter(collection=collection).values_list("doc_id", "text_hash"))
    # Rows as the ledger held them before the migration: one hash only.
    IndexedDocument.objects.update(text_hash="", metadata_hash="")

    migration.fill_hashes(django_apps, None)

    filled = dict(IndexedDocument.objects.filter(collection=collection).values_list("doc_id", "text_hash"))
    assert filled == expected and not IndexedDocument.objects.filter(metadata_hash="").exists()
    result = vector_index.build_index()
    assert result["embedded"] == 0 and result["unchanged"] == DEMO_DOCUMENTS


def test_an_old_row_whose_text_has_the_price_in_it_is_embedded_once_then_metadata_only(demo, vector_index):
    vector_index.build_index()
    collection = get_state().active_collection
    # An old-layout row: the price was in the embedded text.
    row = IndexedDocument.objects.filter(collection=collection, doc_type="product").first()
    row.text = f"{row.text} Price: 310.00 EUR."
    row.content_hash = "old"
    row.save()
    IndexedDocument.objects.update(text_hash="", metadata_hash="")
    migration.fill_hashes(django_apps, None)

    first = vector_index.sync_documents([row.doc_id])
    assert first["updated"] == 1 and first["metadata_only"] == 0  # new layout: embedded once (or from cache)
    again = vector_index.sync_documents([row.doc_id])
    assert again["unchanged"] == 1 and again["embedded"] == 0
