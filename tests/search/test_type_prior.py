"""Document type priors (retrieval/type_prior.py): products first unless the query is about another type."""

from __future__ import annotations

import pytest

from apps.ai_assistant.retrieval import hybrid, type_prior
from apps.ai_assistant.retrieval.filters import SearchFilters
from apps.ai_assistant.retrieval.hybrid import SearchDebug, hybrid_search
from apps.ai_assistant.retrieval.type_prior import WEIGHT, apply_type_prior, type_penalties


def test_types_farther_than_the_products_lose_up_to_the_weight_closer_ones_nothing():
    hits = [("incompatibility:3", 0.05), ("product:1", 0.20), ("part:4", 0.22), ("price_rule:2", 0.60)]  # nearest first
    penalties, absent = type_penalties(hits)
    assert penalties["product"] == 0.0
    assert WEIGHT * 0.6 < penalties["part"] < WEIGHT / 2 + WEIGHT * 0.5  # a little farther: about half
    assert penalties["price_rule"] == pytest.approx(WEIGHT, rel=1e-6)  # far: the whole weight
    assert penalties["incompatibility"] < WEIGHT * 0.001  # clearly closer than any product: nothing
    # A type without a candidate is at most as close as the last candidate.
    assert absent == pytest.approx(penalties["price_rule"])


def test_a_type_as_close_as_the_products_loses_half_and_no_product_means_no_prior():
    assert type_penalties([("product:1", 0.3), ("category:2", 0.3)])[0]["category"] == pytest.approx(WEIGHT / 2)
    assert type_penalties([("part:1", 0.1), ("category:2", 0.3)]) == ({}, 0.0)
    assert type_penalties([("product:1", 0.0), ("part:2", 2.0)])[0]["part"] == pytest.approx(WEIGHT)  # no overflow


def test_the_prior_reorders_fused_scores_by_type():
    fused = {"part:4": 0.033, "product:1": 0.030, "product:2": 0.029, "incompatibility:3": 0.031}
    vector_hits = [("product:1", 0.10), ("incompatibility:3", 0.05), ("part:4", 0.40)]
    taken = apply_type_prior(fused, vector_hits)
    assert set(taken) == set(fused) and taken["product:1"] == taken["product:2"] == 0.0
    ranked = sorted(fused, key=lambda doc_id: -fused[doc_id])
    # The part (far from the query) falls behind the products; the incompatibility (closer) keeps its lead.
    assert ranked == ["incompatibility:3", "product:1", "product:2", "part:4"]


@pytest.fixture
def indexed(demo, vector_index):
    vector_index.build_index()
    return vector_index


@pytest.mark.integration
def test_exact_names_of_parts_options_and_categories_still_find_their_documents(indexed):
    def first(query: str) -> dict:
        return hybrid_search(query, SearchFilters(), limit=1)[0]

    assert (first("Rim color")["type"], first("Rim color")["name"]) == ("part", "Rim color")
    assert (first("Fat bike wheels")["type"], first("Fat bike wheels")["name"]) == ("part", "Wheels")
    assert (first("Skis")["type"], first("Skis")["name"]) == ("category", "Skis")


@pytest.mark.integration
def test_products_closest_to_the_query_come_before_parts_and_categories(indexed, monkeypatch):
    """The vector side says a product is the closest document: every other type's documents lose their lead."""
    query = "bike for snow and sand"
    debug = SearchDebug(vector=[], keyword=[], exact=[])
    plain = hybrid_search(query, SearchFilters(), limit=50, debug=debug)
    first_product = next(hit for hit in plain if hit["type"] == "product")
    closest = [("product:" + str(first_product["object_id"]), 0.0)]
    others = [(doc_id, 0.9) for doc_id in debug.vector if doc_id != closest[0][0]]
    monkeypatch.setattr(hybrid, "_vector_hits", lambda *args: closest + others)
    with_prior = hybrid_search(query, SearchFilters(), limit=50)
    monkeypatch.setattr(type_prior, "WEIGHT", 0.0)
    without = hybrid_search(query, SearchFilters(), limit=50)

    def others_in_top(hits: list[dict], k: int = 10) -> int:
        return sum(hit["type"] != "product" for hit in hits[:k])

    assert others_in_top(without) > 0, "nothing to reorder: the test would pass without the prior"
    assert others_in_top(with_prior) < others_in_top(without)
    assert others_in_top(with_prior, 5) == 0
    assert {hit["id"] for hit in with_prior} == {hit["id"] for hit in without}  # reordered, nothing dropped
