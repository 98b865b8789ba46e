"""Fixtures of the search tests: the demo catalog with its search vocabulary, searches unthrottled."""

from __future__ import annotations

import pytest

from apps.catalog.services.demo_catalog import load_demo_catalog
from apps.search.selectors.synonyms import forget_synonym_groups
from apps.search.services.vocabulary import refresh_all


@pytest.fixture(autouse=True)
def search_test_settings(settings):
    """No outbox rows or Celery messages (the tests build the index themselves); no throttling; no cached
    synonym groups left by another test."""
    settings.AI_INDEX_AUTO_UPDATE = False
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "ai_search": "100000/min",
            "ai_suggest": "100000/min",
        },
    }
    forget_synonym_groups()
    yield settings
    forget_synonym_groups()


@pytest.fixture
def demo(db) -> None:
    """The demo catalog (4 categories, 30 products) and its vocabulary and suggestion names."""
    load_demo_catalog()
    refresh_all()


@pytest.fixture
def indexed(demo, vector_index):
    """The demo catalog indexed in a Chroma collection of this test."""
    vector_index.build_index()
    return vector_index
