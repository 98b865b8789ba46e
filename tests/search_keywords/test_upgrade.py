"""Upgrading an index built before keyword rows existed: migration 0008 writes them from the ledger."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection

from apps.ai_assistant.indexing.state import get_state
from apps.ai_assistant.models import KeywordRow, KeywordTerm
from apps.ai_assistant.retrieval.filters import SearchFilters
from apps.ai_assistant.retrieval.hybrid import hybrid_search

pytestmark = pytest.mark.integration

migration = importlib.import_module("apps.ai_assistant.migrations.0008_fill_keyword_rows")
FIELDS = ("doc_id", "doc_type", "category_id", "price", "in_stock", "name", "labels", "body", "name_key", "option_keys")


def test_the_migration_writes_the_rows_the_index_write_writes(indexed):
    collection = get_state().active_collection
    written = set(KeywordRow.objects.filter(collection=collection).values_list(*FIELDS))
    vocabulary = set(KeywordTerm.objects.filter(collection=collection).values_list("term", flat=True))
    KeywordRow.objects.all().delete()
    KeywordTerm.objects.all().delete()
    assert hybrid_search("fat tire explorer", SearchFilters(), mode="keyword") == []

    # What RunPython hands the function: its vendor and a way to run SQL (SQLite's real schema editor refuses
    # to open inside a test's transaction).
    schema_editor = SimpleNamespace(connection=connection, execute=lambda sql: connection.cursor().execute(sql))
    migration.fill(django_apps, schema_editor)

    assert set(KeywordRow.objects.filter(collection=collection).values_list(*FIELDS)) == written
    assert set(KeywordTerm.objects.filter(collection=collection).values_list("term", flat=True)) == vocabulary
    assert hybrid_search("fat tire explorer", SearchFilters(), mode="keyword")[0]["name"] == "Fat Tire Explorer"
