"""The keyword ranking under filters is the unfiltered ranking with the rows the filters reject taken out (each
database applies the filters to the matched rows in the ranking's own statement)."""

from __future__ import annotations

import pytest
from django.db.models import Q

from apps.ai_assistant.indexing.state import get_state
from apps.ai_assistant.models import KeywordRow
from apps.ai_assistant.retrieval.filters import SearchFilters
from apps.ai_assistant.retrieval.keyword_backends import get_keyword_backend

pytestmark = pytest.mark.integration

FILTERS = [
    SearchFilters(max_price=300),
    SearchFilters(min_price=200, max_price=600, in_stock=True),
    SearchFilters(in_stock=False),
    SearchFilters(type="product", in_stock=True),
    SearchFilters(type="part"),
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: repr(f))
@pytest.mark.parametrize(
    "words", [["bike", "board", "skis"], ["board", "beginners", "longboard"], ["wheels", "red", "skis", "powder"]]
)
def test_filtered_ranking_is_the_ranking_without_the_rejected_rows(indexed, filters, words):
    collection = get_state().active_collection
    backend = get_keyword_backend()
    everything = backend.rank(collection, words, Q(), 10_000)
    passing = set(
        KeywordRow.objects.filter(filters.keyword_q(), collection=collection).values_list("doc_id", flat=True)
    )
    expected = [(doc_id, score) for doc_id, score in everything if doc_id in passing][:5]
    assert expected, "no row passes: nothing to compare"
    got = backend.rank(collection, words, filters.keyword_q(), 5)
    assert [doc_id for doc_id, _ in got] == [doc_id for doc_id, _ in expected]
    assert [score for _, score in got] == pytest.approx([score for _, score in expected])
