"""Keyword backends: the database's own full-text search behind one small interface (base.py).

`get_keyword_backend()` picks PostgreSQL's (postgres.py, its idf statistics in postgres_frequencies.py) or
SQLite's (sqlite.py) by the database vendor;
the AI_KEYWORD_BACKEND setting ("postgresql" or "sqlite") overrides the choice.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from apps.ai_assistant.retrieval.keyword_backends.base import KeywordBackend
from apps.ai_assistant.retrieval.keyword_backends.postgres import PostgresKeywordBackend
from apps.ai_assistant.retrieval.keyword_backends.sqlite import SqliteKeywordBackend

BACKENDS: dict[str, type[KeywordBackend]] = {
    PostgresKeywordBackend.vendor: PostgresKeywordBackend,
    SqliteKeywordBackend.vendor: SqliteKeywordBackend,
}


def get_keyword_backend() -> KeywordBackend:
    """The keyword backend of the default database (or of the AI_KEYWORD_BACKEND setting)."""
    vendor = settings.AI_KEYWORD_BACKEND or connection.vendor
    try:
        return BACKENDS[vendor]()
    except KeyError:
        raise ImproperlyConfigured(
            f"No keyword backend for {vendor!r}: AI_KEYWORD_BACKEND must be one of {', '.join(BACKENDS)}"
        ) from None
