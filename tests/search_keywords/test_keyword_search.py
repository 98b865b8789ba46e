"""The database's keyword search: weighted fields, filters in the query, misspellings, exact names, synonyms."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from apps.ai_assistant.indexing.state import get_state
from apps.ai_assistant.models import KeywordRow
from apps.ai_assistant.retrieval import hybrid, keyword_search
from apps.ai_assistant.retrieval.filters import SearchFilters
from apps.ai_assistant.retrieval.hybrid import hybrid_search
from apps.ai_assistant.retrieval.keyword_backends import get_keyword_backend
from apps.ai_assistant.retrieval.keyword_search import exact_matches, query_words

pytestmark = pytest.mark.integration


def keyword(query: str, limit: int = 10, **filters) -> list[dict]:
    return hybrid_search(query, SearchFilters(**filters), limit=limit, mode="keyword")


def test_the_backend_is_the_databases_own(indexed, settings):
    assert get_keyword_backend().vendor == connection.vendor
    settings.AI_KEYWORD_BACKEND = "oracle"
    with pytest.raises(ImproperlyConfigured, match="AI_KEYWORD_BACKEND"):
        get_keyword_backend()


def test_a_name_outweighs_a_mention_in_a_description(indexed):
    hits = keyword("explorer")
    # "Fat Tire Explorer" and "Backcountry Explorer" have the word in their names; others at most in text.
    assert {hits[0]["name"], hits[1]["name"]} == {"Fat Tire Explorer", "Backcountry Explorer"}


def test_filters_are_applied_in_the_query_before_the_cut(indexed):
    hits = keyword("bike bicycle price", limit=2, in_stock=False, type="product")
    assert {hit["name"] for hit in hits} == {"Sunset Freerider", "Carbon Longboard"}
    priced = keyword("bike bicycle city", limit=50, type="product", min_price=300, max_price=330)
    assert {hit["name"] for hit in priced} == {"City Glide", "Fat Tire Explorer", "Enduro Pro", "Ridge Runner"}
    skis = KeywordRow.objects.filter(doc_type="category", name="Skis").values_list("category_id", flat=True)[0]
    assert {hit["category"] for hit in keyword("light and fast", limit=50, category_id=skis)} == {"Skis"}


def test_a_misspelt_word_is_found_through_the_vocabulary_trigrams(indexed):
    collection = get_state().active_collection
    assert "mountain" in query_words(collection, "mountian wheels")
    assert "Mountain wheels" in keyword("mountian wheels")[0]["snippet"]
    assert keyword("fat tyre explorar")[0]["name"] == "Fat Tire Explorer"
    # A compound of two vocabulary words is split.
    assert query_words(collection, "rollerskates") == ["roller", "skates"]
    assert keyword("rollerskates")[0]["category"] == "Roller skates"


def test_known_words_and_plurals_are_not_corrected(indexed):
    collection = get_state().active_collection
    assert query_words(collection, "bikes with red rims") == ["bikes", "red", "rims"]


def test_exact_names_and_option_names(indexed):
    collection = get_state().active_collection
    exact = exact_matches(collection, "  fat BIKE wheels ", SearchFilters())
    assert len(exact) == 1 and exact[0].startswith("part:")
    assert exact_matches(collection, "fat bike wheels", SearchFilters(type="product")) == []
    assert hybrid_search("Dune Drifter", SearchFilters(), limit=1)[0]["name"] == "Dune Drifter"


def test_query_syntax_is_never_read_as_full_text_syntax(indexed):
    for query in ['"unbalanced', "a OR b AND NOT", "bike -fat", "(x*", "NEAR(a b)", "col:umn", "'; DROP TABLE x"]:
        keyword(query)  # answers (possibly nothing), never a database error


def test_accents_are_folded_on_both_sides(indexed):
    assert keyword("fät tîre explörer")[0]["name"] == "Fat Tire Explorer"


def test_synonyms_expand_the_query(indexed, monkeypatch):
    """Hybrid search asks the shop's synonyms (retrieval/synonyms.py) for the query's alternatives first."""
    monkeypatch.setattr(hybrid, "expand", lambda query: f"{query} noserider" if "nr" in query else query)
    assert keyword("nr")[0]["name"] == "Noserider Classic"
    assert keyword_search.expand("bike") == "bike"  # no synonym defined: unchanged
