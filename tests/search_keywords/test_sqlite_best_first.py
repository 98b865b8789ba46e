"""SQLite: ranking the full-text table's best rows before joining them with their keyword rows gives exactly
the ranking of every match (retrieval/keyword_backends/sqlite.py, `_rank_best_first`)."""

from __future__ import annotations

import pytest
from django.db.models import Q

from apps.ai_assistant.indexing.state import get_state
from apps.ai_assistant.retrieval.keyword_backends import sqlite
from apps.ai_assistant.retrieval.keyword_backends.sqlite import SqliteKeywordBackend, _quoted

pytestmark = [
    pytest.mark.integration,
    pytest.mark.sqlite_only,
]

QUERIES = [["bike"], ["fat", "bike", "wheels"], ["skis", "powder"], ["board", "beginners"], ["red", "rims"]]


def every_match(collection: str, words: list[str], k: int, monkeypatch) -> list[tuple[str, float]]:
    with monkeypatch.context() as patch:
        patch.setattr(SqliteKeywordBackend, "_rank_best_first", staticmethod(lambda *args: None))
        return SqliteKeywordBackend().rank(collection, words, Q(), k)


@pytest.mark.parametrize("k", [1, 3, 10, 50])
@pytest.mark.parametrize("prefetch", [1, 2, 4])
def test_best_first_equals_ranking_every_match(indexed, monkeypatch, k, prefetch):
    collection = get_state().active_collection
    monkeypatch.setattr(sqlite, "PREFETCH", prefetch)
    for words in QUERIES:
        assert SqliteKeywordBackend().rank(collection, words, Q(), k) == every_match(collection, words, k, monkeypatch)


def test_best_first_gives_way_when_it_cannot_be_sure(indexed):
    collection = get_state().active_collection
    match = _quoted("bike")
    assert SqliteKeywordBackend._rank_best_first(collection, match, 3) is not None
    # Another collection's rows only: none of ours among the prefetched rows -> rank every match instead.
    assert SqliteKeywordBackend._rank_best_first("another-collection", match, 3) is None
