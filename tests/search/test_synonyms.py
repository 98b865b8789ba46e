"""Synonyms edited in the admin: normalised and checked, expanded into queries, live at once, kept in the DB."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from apps.ai_assistant.retrieval.hybrid import SearchDebug, SearchFilters, hybrid_search
from apps.ai_assistant.retrieval.synonyms import MAX_ADDED, alternatives, expand_query
from apps.preconfigured_products.models import PreConfiguredProduct
from apps.search.models import SearchRecord, Synonym

URL = "/api/ai-assistant/search"


def test_a_synonym_is_stored_normalised_and_checked(db):
    synonym = Synonym(term="  MTB ", synonyms="Mountain  Bike, mtb,\nmountain bike, trail bike")
    synonym.full_clean()
    synonym.save()
    assert synonym.term == "mtb" and synonym.synonyms == "mountain bike, trail bike"
    assert synonym.group() == ["mtb", "mountain bike", "trail bike"]
    with pytest.raises(ValidationError) as error:
        Synonym(term="!!", synonyms="x").full_clean()
    assert "term" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        Synonym(term="ebike", synonyms="ebike, ,").full_clean()
    assert "synonyms" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        Synonym(term="many", synonyms=",".join(f"w{n}" for n in range(30))).full_clean()
    assert "synonyms" in error.value.message_dict


def test_expansion_works_both_ways_once_and_bounded(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Synonym.objects.create(term="mtb", synonyms="mountain bike")
        Synonym.objects.create(term="huge", synonyms=",".join(f"word{n}" for n in range(20)))
    assert expand_query("MTB under 500") == "MTB under 500 mountain bike"
    assert expand_query("a mountain bike please") == "a mountain bike please mtb"
    assert expand_query(expand_query("mtb")) == expand_query("mtb")  # applying it twice changes nothing
    assert expand_query("mtbs") == "mtbs"  # whole words only
    assert len(alternatives("huge")) == MAX_ADDED


def test_an_edit_is_live_at_once_and_an_inactive_group_does_nothing(db, django_capture_on_commit_callbacks):
    assert expand_query("mtb") == "mtb"  # now cached: no groups
    with django_capture_on_commit_callbacks(execute=True):
        synonym = Synonym.objects.create(term="mtb", synonyms="mountain bike")
    assert expand_query("mtb") == "mtb mountain bike"
    with django_capture_on_commit_callbacks(execute=True):
        synonym.synonyms = "trail bike"
        synonym.save()
    assert expand_query("mtb") == "mtb trail bike"
    with django_capture_on_commit_callbacks(execute=True):
        synonym.is_active = False
        synonym.save()
    assert expand_query("mtb") == "mtb"


def test_the_admin_edits_synonyms(db, admin_client):
    response = admin_client.post(
        "/admin/search/synonym/add/", {"term": "MTB", "synonyms": "Mountain bike", "is_active": "on"}
    )
    assert response.status_code == 302
    assert Synonym.objects.get().group() == ["mtb", "mountain bike"]


@pytest.mark.integration
def test_a_search_by_a_new_synonym_finds_the_product(indexed, api_client, django_capture_on_commit_callbacks):
    """The product is found by its words (the keyword side), not only guessed by the vector side: before the
    synonym no document has the word; after it the search by that word matches the product by name."""
    product = PreConfiguredProduct.objects.get(name="Dune Drifter")

    def search(query: str) -> tuple[list[str], int]:
        body = api_client.get(URL, {"q": query, "type": "product", "limit": 50}).json()
        debug = SearchDebug(vector=[], keyword=[], exact=[])
        hybrid_search(expand_query(query), SearchFilters(type="product"), limit=50, debug=debug)
        assert SearchRecord.objects.order_by("-id").first().keyword_hits == len(debug.keyword)
        return [hit["name"] for hit in body["results"]], len(debug.keyword), debug.keyword

    _names, keyword_hits, _ids = search("sandcrawler")
    assert keyword_hits == 0  # no document has the word
    with django_capture_on_commit_callbacks(execute=True):
        Synonym.objects.create(term="sandcrawler", synonyms="dune drifter")
    names, keyword_hits, ids = search("sandcrawler")
    assert f"product:{product.pk}" in ids and keyword_hits >= 1
    assert "Dune Drifter" in names
