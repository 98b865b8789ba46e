"""check_consistency(): the chaos run's yardstick, on a real Chroma server. Each kind of drift is made on
purpose (a change the index never saw, a vector store that lost or garbled a vector) and must be counted."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.ai_assistant.indexing.consistency import check_consistency
from apps.catalog.models import PartOption
from apps.preconfigured_products.models import PreConfiguredProduct, PreConfiguredProductOption
from tests.fixtures.api import build_bicycle_catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(vector_index, settings):
    settings.AI_INDEX_AUTO_UPDATE = False  # the index sees only what the test syncs
    catalog = build_bicycle_catalog()
    product = PreConfiguredProduct.objects.create(category=catalog.category, name="Trail One", slug="trail-one")
    for name in ("full-suspension", "matte", "mountain wheels", "black", "8-speed chain"):
        PreConfiguredProductOption.objects.create(product=product, option=catalog.option(name))
    vector_index.build_index()
    catalog.product = product
    catalog.index = vector_index
    return catalog


def test_an_index_in_sync_is_ok(indexed):
    report = check_consistency()
    assert report["ok"] is True
    assert report["documents"] == report["ledger"] == report["vectors"] > 10
    assert (report["missing"], report["stale"], report["ghosts"]) == (0, 0, 0)
    assert report["vectors_compared"] is True


def test_changes_the_index_never_saw_are_missing_stale_and_ghosts(indexed):
    PartOption.objects.filter(pk=indexed.option("black").pk).update(default_price=Decimal("17.00"))
    new = PreConfiguredProduct.objects.create(category=indexed.category, name="Road Two", slug="road-two")
    gone = f"incompatibility:{indexed.incompatibilities[0].pk}"
    indexed.incompatibilities[0].delete()

    report = check_consistency()
    assert report["ok"] is False
    assert report["examples"]["missing_in_ledger"] == report["examples"]["missing_in_store"] == [f"product:{new.pk}"]
    # The price is in the part's text and in the product that uses the option.
    assert {f"product:{indexed.product.pk}", f"part:{indexed.part('Rim color').pk}"} <= set(
        report["examples"]["stale_in_ledger"]
    )
    assert report["examples"]["ghosts_in_ledger"] == report["examples"]["ghosts_in_store"] == [gone]

    indexed.index.build_index()
    assert check_consistency()["ok"] is True


def test_a_vector_store_that_lost_or_garbled_vectors_is_caught_though_the_ledger_is_right(indexed):
    store = indexed.index.store
    collection = check_consistency()["collection"]
    lost, garbled, relabelled = (f"part:{indexed.part(name).pk}" for name in ("Wheels", "Chain", "Rim color"))
    records = store.records(collection)
    store.delete(collection, [lost])
    other_vector = records[f"part:{indexed.part('Frame type').pk}"][1]
    store.upsert(collection, [garbled], [other_vector], [records[garbled][0]])  # right metadata, wrong text
    store.upsert(collection, [relabelled], [records[relabelled][1]], [{**records[relabelled][0], "name": "x"}])

    report = check_consistency()
    assert (report["missing_in_ledger"], report["stale_in_ledger"], report["ghosts"]) == (0, 0, 0)
    assert report["examples"]["missing_in_store"] == [lost]
    assert report["examples"]["stale_in_store"] == sorted([garbled, relabelled])
    assert check_consistency(compare_vectors=False)["examples"]["stale_in_store"] == [relabelled]


def test_no_active_collection_is_not_ok(db, settings, vector_index):
    settings.AI_INDEX_AUTO_UPDATE = False
    build_bicycle_catalog()
    report = check_consistency()
    assert report["ok"] is False
    assert report["documents"] > 0 and report["ledger"] == report["vectors"] == 0
