"""Fixtures of the keyword search tests: the demo catalog indexed (hashing embeddings, a real Chroma server).

These tests run on PostgreSQL (DATABASE_URL) and on SQLite (DATABASE_URL unset): the keyword backend is each
database's own full-text search, so CI runs this folder twice (Makefile, `test` target).
"""

from __future__ import annotations

import pytest

from apps.catalog.services.demo_catalog import load_demo_catalog


def pytest_collection_modifyitems(config, items) -> None:
    """A test of one database's keyword backend is deselected in the other database's run (CI runs both), so
    nothing is reported as skipped."""
    from django.db import connection

    other = {"postgresql": "sqlite_only", "sqlite": "postgresql_only"}.get(connection.vendor)
    deselected = [item for item in items if other and item.get_closest_marker(other)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]


@pytest.fixture(autouse=True)
def index_test_settings(settings):
    """The index service is driven directly: no outbox rows, no Celery messages."""
    settings.AI_INDEX_AUTO_UPDATE = False
    return settings


@pytest.fixture
def indexed(db, vector_index):
    load_demo_catalog()
    vector_index.build_index()
    return vector_index


@pytest.fixture
def indexed_committed(transactional_db, vector_index):
    """The demo catalog indexed and committed, for tests whose other threads must see it."""
    load_demo_catalog()
    vector_index.build_index()
    return vector_index


def ids(results: list[dict]) -> list[str]:
    return [hit["id"] for hit in results]
