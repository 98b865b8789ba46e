"""Hybrid search (real Chroma server): filters before the cut, exact names first, fusion, and failures."""

from __future__ import annotations

import pytest

from apps.ai_assistant.exceptions import TransientIndexError
from apps.ai_assistant.retrieval.filters import SearchFilters
from apps.ai_assistant.retrieval.hybrid import SearchDebug, hybrid_search, rrf
from ecommerce_backend.devservers import free_port

from .conftest import ids

pytestmark = pytest.mark.integration


@pytest.fixture
def indexed(demo, vector_index):
    vector_index.build_index()
    return vector_index


def test_result_shape(indexed, demo):
    hit = indexed.search_documents("Fat Tire Explorer", limit=1)[0]
    product = demo.product("Fat Tire Explorer")
    assert hit == {
        "id": f"product:{product.pk}",
        "type": "product",
        "object_id": product.pk,
        "name": "Fat Tire Explorer",
        "score": hit["score"],
        "price": "310.00",
        "in_stock": True,
        "category": "Bicycles",
        "category_id": product.category_id,
        "snippet": hit["snippet"],
    }
    assert hit["score"] > 1  # exact-match boost
    assert hit["snippet"].startswith("Fat Tire Explorer") and len(hit["snippet"]) <= 241


def test_exact_names_rank_first(indexed, demo):
    assert indexed.search_documents("dune drifter")[0]["name"] == "Dune Drifter"
    # An option's exact name finds its part first.
    first = indexed.search_documents("Fat bike wheels")[0]
    assert first["type"] == "part" and first["name"] == "Wheels"
    assert indexed.search_documents("Skis")[0]["id"] == f"category:{demo.category('skis').pk}"


def test_filters_by_type_category_price_and_stock(indexed, demo):
    skis = demo.category("skis")
    hits = indexed.search_documents("light and fast", type="product", category=skis.pk, limit=50)
    assert len(hits) == 6 and {h["category"] for h in hits} == {"Skis"} and {h["type"] for h in hits} == {"product"}
    assert ids(indexed.search_documents("light and fast", category="skis", limit=50)) == ids(
        indexed.search_documents("light and fast", category=str(skis.pk), limit=50)
    )

    priced = indexed.search_documents("bike", type="product", min_price=300, max_price=330, limit=50)
    assert {h["name"] for h in priced} == {"City Glide", "Fat Tire Explorer", "Enduro Pro", "Ridge Runner"}
    # Categories and rules have no price: a price filter leaves them out rather than guessing.
    assert {h["type"] for h in indexed.search_documents("bike", max_price=10000, limit=50)} <= {"product", "part"}

    unavailable = indexed.search_documents("board ski", in_stock=False, limit=50)
    assert {h["name"] for h in unavailable} == {"Sunset Freerider", "Carbon Longboard"}
    available = indexed.search_documents("board ski", type="product", in_stock=True, limit=50)
    assert available and all(h["in_stock"] is True for h in available)


@pytest.mark.parametrize("mode", ["hybrid", "vector", "keyword"])
def test_a_selective_filter_never_starves_the_results(indexed, mode):
    """The two out-of-stock products are no bikes: a top-2 cut BEFORE filtering "bike" would return nothing."""
    unfiltered = hybrid_search("bike bicycle price", SearchFilters(), limit=2, mode=mode)
    assert len(unfiltered) == 2 and all(h["in_stock"] is not False for h in unfiltered)
    hits = hybrid_search("bike bicycle price", SearchFilters(in_stock=False, type="product"), limit=2, mode=mode)
    assert {h["name"] for h in hits} == {"Sunset Freerider", "Carbon Longboard"}


def test_fusion_combines_both_rankings(indexed):
    debug = SearchDebug([], [], [])
    hits = hybrid_search("wide tyres for snow and sand", SearchFilters(), limit=10, debug=debug)
    assert debug.vector and debug.keyword and not debug.exact
    fused = rrf([(debug.vector, 1.0), (debug.keyword, 1.0)])
    for doc_id in debug.family:  # the documents of the family the query intends come first (intent.py)
        fused[doc_id] += 0.1
    for doc_id, penalty in debug.prior.items():  # then the products, unless the query is about another type
        fused[doc_id] -= penalty
    assert debug.prior, "no type prior taken: the expected order would not show it"
    expected = sorted(fused, key=lambda doc_id: (-fused[doc_id], doc_id))[:10]
    assert ids(hits) == expected
    # A document both lists rank beats one only a single list ranks first.
    assert rrf([(["a", "b"], 1.0), (["c", "b"], 1.0)]) == pytest.approx({"a": 1 / 61, "b": 2 / 62, "c": 1 / 61})


def test_misspellings_still_find_the_document(indexed):
    assert "Mountain wheels" in indexed.search_documents("mountian wheels")[0]["snippet"]


def test_bad_arguments_are_value_errors_naming_them(indexed):
    with pytest.raises(ValueError, match="type"):
        indexed.search_documents("bike", type="bogus")
    with pytest.raises(ValueError, match="category"):
        indexed.search_documents("bike", category="no-such-category")
    with pytest.raises(ValueError, match="min_price"):
        indexed.search_documents("bike", min_price=500, max_price=100)
    with pytest.raises(ValueError, match="max_price"):
        indexed.search_documents("bike", max_price="-1")
    assert indexed.search_documents("   ") == []


def test_the_guides_name_search_products_is_search_documents(indexed):
    """`search_products` (the setup guide's name) searches every document type, like `search_documents`."""
    assert indexed.search_products("Skis", limit=20) == indexed.search_documents("Skis", limit=20)
    assert {hit["type"] for hit in indexed.search_products("Skis", limit=20)} - {"product"}


def test_empty_index_answers_nothing(demo, vector_index):
    assert vector_index.search_documents("bike") == []


def test_an_unreachable_vector_store_is_a_transient_error(indexed, settings):
    from apps.ai_assistant.retrieval.vector_store import reset_vector_store

    settings.CHROMA_URL = f"http://127.0.0.1:{free_port()}"
    reset_vector_store()
    with pytest.raises(TransientIndexError):
        indexed.search_documents("bike")
    with pytest.raises(TransientIndexError):
        indexed.build_index()


def test_every_route_of_a_filtered_vector_query_gives_the_same_answer(db, vector_index, monkeypatch):
    """Above PREFETCH documents a filtered vector query is answered by a prefetch, an id list or a `where`."""
    from apps.ai_assistant.retrieval import vector_side
    from apps.catalog.models import Category
    from apps.catalog.services.synthetic_catalog import generate_synthetic_catalog

    generate_synthetic_catalog(products=400, seed=3, categories=4)
    vector_index.build_index()
    category = Category.objects.order_by("pk").first()
    cases = [
        SearchFilters(type="product"),  # broad: the prefetch holds enough
        SearchFilters(type="product", category_id=category.pk, max_price=900.0),  # selective: an id list
        SearchFilters(type="part", in_stock=True),  # very selective
    ]
    for filters in cases:
        answers = []
        routes = ((vector_side.MAX_QUERY_IDS, vector_side.PREFETCH), (0, vector_side.PREFETCH), (0, 1))
        for max_ids, prefetch in routes:
            monkeypatch.setattr(vector_side, "MAX_QUERY_IDS", max_ids)
            monkeypatch.setattr(vector_side, "PREFETCH", prefetch)
            answers.append(ids(hybrid_search("light carbon board for weekends", filters, limit=10, mode="vector")))
        assert answers[0] and answers[0] == answers[1] == answers[2], filters



def test_a_word_only_one_products_description_holds_finds_that_product_first_or_tied(db, vector_index):
    """The keywords rank the only product holding the word first; the vectors' first hit (another family, for
    a made-up word) ties with it. The intent must not follow either one then: with two best matches of
    different families it pushed the product behind the other family (41st of 50 in bench.hosts)."""
    from apps.catalog.services.synthetic_catalog import generate_synthetic_catalog
    from apps.preconfigured_products.models import PreConfiguredProduct

    generate_synthetic_catalog(products=300, seed=7, categories=4)
    words = {}
    for number, product in enumerate(PreConfiguredProduct.objects.order_by("pk")[::10]):
        word = f"zorblex{'qwrtpsdfgh'[number % 10]}{'kmnbvcxzjl'[number // 10 % 10]}"
        PreConfiguredProduct.objects.filter(pk=product.pk).update(description=f"{product.description} {word}")
        words[f"product:{product.pk}"] = word
    vector_index.build_index()
    for doc_id, word in words.items():
        hits = ids(hybrid_search(word, SearchFilters(type="product"), limit=50))
        assert doc_id in hits[:2], (word, hits.index(doc_id) if doc_id in hits else None)
