"""Did you mean: a misspelt query gets a corrected one from the catalog's vocabulary; a good one gets null."""

from __future__ import annotations

import pytest

from apps.catalog.models import Category
from apps.search.models import VocabularyWord
from apps.search.selectors.spelling import correct_query, correct_word

URL = "/api/ai-assistant/search"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("fat bkie", "fat bike"),
        ("surfbaords", "surfboards"),
        ("powdr skis", "powder skis"),
        ("explroer", "explorer"),
    ],
)
def test_misspelt_words_are_corrected_from_the_vocabulary(demo, query, expected):
    assert correct_query(query) == expected


def test_a_word_far_from_every_catalog_word_gets_no_suggestion(demo):
    assert correct_query("snowmobile") is None


def test_known_words_numbers_and_short_words_are_left_alone(demo):
    assert correct_query("fat bike with black rims") is None
    assert correct_query("bikes under 500") is None  # a plural of a known word is known
    assert correct_query("zz") is None
    assert correct_query("bike") is None and correct_word("bkie") == "bike"


def test_the_vocabulary_follows_catalog_writes(demo, django_capture_on_commit_callbacks):
    assert correct_query("gravelgrinder") is None
    with django_capture_on_commit_callbacks(execute=True):
        Category.objects.create(name="Gravelgrinder", slug="gravelgrinder", description="Bikes for gravel.")
    assert VocabularyWord.objects.filter(word="gravelgrinder").exists()
    assert correct_query("gravelgrindr") == "gravelgrinder"


@pytest.mark.integration
def test_the_search_api_suggests_for_a_misspelt_query_and_not_for_a_good_one(indexed, api_client):
    misspelt = api_client.get(URL, {"q": "fat bkie wheels"}).json()
    assert misspelt["suggestion"] == "fat bike wheels"
    good = api_client.get(URL, {"q": "fat bike wheels"}).json()
    assert good["suggestion"] is None
