"""The vector half of a search runs in a worker thread beside the keyword half (retrieval/vector_side.py): the
same answer as one after the other, no database work in the worker, and its errors reach the caller."""

from __future__ import annotations

import threading

import pytest
from django.db.backends import utils as db_utils

from apps.ai_assistant.exceptions import TransientIndexError
from apps.ai_assistant.retrieval import vector_side
from apps.ai_assistant.retrieval.hybrid import SearchDebug, SearchFilters, hybrid_search
from apps.catalog.models import Category

pytestmark = pytest.mark.integration

QUERIES = ["bike for snow and sand", "fat bike with black rims", "Skis", "gear for a beginner on the slopes", "bkie"]


def _answers(filters_list: list[SearchFilters]) -> list[tuple]:
    answers = []
    for filters in filters_list:
        for query in QUERIES:
            debug = SearchDebug(vector=[], keyword=[], exact=[])
            hits = hybrid_search(query, filters, limit=50, debug=debug)
            answers.append(
                (query, filters, [(h["id"], h["score"]) for h in hits], debug.vector, debug.keyword, debug.family)
            )
    return answers


def test_the_overlapped_search_answers_as_the_sequential_one(indexed, monkeypatch):
    category = Category.objects.order_by("pk").first()
    filters_list = [
        SearchFilters(),
        SearchFilters(type="product", in_stock=True),
        SearchFilters(category_id=category.pk),
    ]
    ran_in: list[str] = []
    real = vector_side.neighbours

    def neighbours(*args):
        ran_in.append(threading.current_thread().name)
        return real(*args)

    monkeypatch.setattr(vector_side, "neighbours", neighbours)
    overlapped = _answers(filters_list)
    assert ran_in and all(name.startswith("vector-side") for name in ran_in)
    monkeypatch.setattr(vector_side, "WORKERS", 0)  # no free worker: the vector half runs in this thread, first
    ran_in.clear()
    sequential = _answers(filters_list)
    assert ran_in and all(name == threading.current_thread().name for name in ran_in)
    assert overlapped == sequential
    assert any(family for *_, family in overlapped), "no query had an intent: the family distances went untested"


def test_the_worker_sends_no_sql(indexed, monkeypatch):
    """A worker thread would open its own database session (in tests: another database, where the rows are not)."""
    senders: list[str] = []
    execute = db_utils.CursorWrapper.execute

    def recording(self, *args, **kwargs):
        senders.append(threading.current_thread().name)
        return execute(self, *args, **kwargs)

    monkeypatch.setattr(db_utils.CursorWrapper, "execute", recording)
    hybrid_search("fat bike with black rims", SearchFilters(type="product", max_price=900.0), limit=10)
    hybrid_search("gear for a beginner on the slopes", SearchFilters(), limit=10)
    assert senders and not [name for name in senders if name.startswith("vector-side")]


def test_an_unreachable_store_in_the_worker_fails_the_search_and_frees_the_worker(indexed, monkeypatch):
    def unreachable(*args):
        raise TransientIndexError("Chroma query: ConnectError")

    monkeypatch.setattr(vector_side, "prefetch", unreachable)
    for _ in range(vector_side.WORKERS + 1):
        with pytest.raises(TransientIndexError):
            hybrid_search("fat bike", SearchFilters(), limit=10)
    assert vector_side._busy == 0
    monkeypatch.undo()
    assert hybrid_search("fat bike", SearchFilters(), limit=10)
