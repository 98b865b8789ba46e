"""Fixtures of the AI index tests: the demo catalog without the auto-indexing pipeline, lookups by name."""

from __future__ import annotations

import pytest

from apps.catalog.models import Category, PartOption
from apps.catalog.services.demo_catalog import load_demo_catalog
from apps.preconfigured_products.models import PreConfiguredProduct


@pytest.fixture(autouse=True)
def index_test_settings(settings):
    """These tests drive the index service directly: no outbox rows, no Celery messages; searches unthrottled."""
    settings.AI_INDEX_AUTO_UPDATE = False
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "ai_search": "100000/min"},
    }
    return settings


class Demo:
    """The demo catalog (4 categories, 30 products) with lookups by name."""

    def product(self, name: str) -> PreConfiguredProduct:
        return PreConfiguredProduct.objects.get(name=name)

    def option(self, name: str, category: str = "bicycles") -> PartOption:
        return PartOption.objects.get(name=name, part__category__slug=category)

    def category(self, slug: str) -> Category:
        return Category.objects.get(slug=slug)


@pytest.fixture
def demo(db) -> Demo:
    load_demo_catalog()
    return Demo()


@pytest.fixture
def demo_committed(transactional_db) -> Demo:
    """The demo catalog committed, for tests whose other threads must see it."""
    load_demo_catalog()
    return Demo()


def ids(results: list[dict]) -> list[str]:
    return [hit["id"] for hit in results]
