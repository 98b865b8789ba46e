"""Every catalog write path records the documents it touches in the outbox, in its own transaction."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from apps.ai_assistant.models import IndexChange
from apps.catalog.models import IncompatibilityRule, PartOption
from apps.catalog.services.catalog import set_options_stock
from apps.preconfigured_products.models import PreConfiguredProduct, PreConfiguredProductOption
from tests.fixtures.api import build_bicycle_catalog
from tests.fixtures.celery_worker import purge_queues


def pending() -> set[str]:
    return set(IndexChange.objects.values_list("doc_id", flat=True))


@pytest.fixture
def catalog(db):
    catalog = build_bicycle_catalog()
    o = catalog.options
    product = PreConfiguredProduct.objects.create(category=catalog.category, name="Trail King", slug="trail-king")
    for name in ("full-suspension", "matte", "mountain wheels", "black", "8-speed chain"):
        PreConfiguredProductOption.objects.create(product=product, option=o[name])
    catalog.product = product
    IndexChange.objects.all().delete()  # start from an empty outbox
    return catalog


def test_an_option_price_change_reaches_its_part_products_and_rules(catalog):
    matte = catalog.option("matte")
    matte.default_price = Decimal("45")
    matte.save()
    touched = pending()
    assert f"part:{matte.part_id}" in touched
    assert f"product:{catalog.product.pk}" in touched
    assert {f"price_rule:{rule.pk}" for rule in catalog.price_rules.values()} <= touched


def test_a_delete_records_what_the_row_touched_before_it_was_gone(catalog):
    rule = catalog.incompatibilities[-1]  # fat bike wheels x red
    rule_id = rule.pk
    rule.delete()
    assert f"incompatibility:{rule_id}" in pending()

    product_id = catalog.product.pk
    IndexChange.objects.all().delete()
    catalog.product.delete()  # cascades its selection rows (their signals run too)
    assert pending() == {f"product:{product_id}"}


def test_a_cascading_delete_records_rows_that_are_gone_afterwards(catalog):
    red = catalog.option("red")  # no product uses it; the fat bike x red rule goes with it
    rule_id = catalog.incompatibilities[-1].pk
    red.delete()
    assert not IncompatibilityRule.objects.filter(pk=rule_id).exists()
    assert {f"part:{red.part_id}", f"category:{catalog.category.pk}", f"incompatibility:{rule_id}"} <= pending()


def test_changing_rule_conditions_touches_products_of_old_and_new_conditions(catalog):
    rule = catalog.price_rules["full-suspension"]  # matte at 50 with full-suspension: Trail King has both
    rule.condition_options.set([catalog.option("diamond")])
    assert f"product:{catalog.product.pk}" in pending()  # lost the rule it had: its price changes
    assert f"price_rule:{rule.pk}" in pending()

    IndexChange.objects.all().delete()
    catalog.option("full-suspension").conditioned_price_rules.add(rule)  # reverse side of the M2M
    assert f"price_rule:{rule.pk}" in pending()


def test_new_incompatibility_touches_the_products_it_makes_unavailable(catalog):
    o = catalog.options
    rule = IncompatibilityRule.objects.create(part_option=o["black"], incompatible_with_option=o["matte"])
    assert {f"incompatibility:{rule.pk}", f"product:{catalog.product.pk}"} <= pending()


def test_bulk_stock_update_records_like_a_save(catalog):
    black = catalog.option("black")
    assert set_options_stock([black.pk], in_stock=False) == 1
    assert not PartOption.objects.get(pk=black.pk).in_stock
    assert {f"part:{black.part_id}", f"product:{catalog.product.pk}"} <= pending()


def test_nothing_is_recorded_when_the_write_rolls_back(catalog):
    with pytest.raises(RuntimeError), transaction.atomic():
        catalog.option("red").save()
        catalog.category.save()
        raise RuntimeError("rolled back")
    assert pending() == set()


def test_recording_can_be_switched_off_for_bulk_imports(catalog, settings):
    settings.AI_INDEX_AUTO_UPDATE = False
    catalog.option("red").save()
    set_options_stock([catalog.option("red").pk], in_stock=False)
    assert pending() == set()


@pytest.fixture(autouse=True)
def _no_flush_messages_left():
    yield
    purge_queues()
