"""The configurator service directly: error codes, effective prices, and a fixed number of queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.models import Category, Part, PartOption, PriceAdjustmentRule
from apps.catalog.services.configurator import effective_price, quote, validate_selection

pytestmark = pytest.mark.django_db


def test_structural_errors(bicycle_catalog):
    cat = bicycle_catalog
    other = Category.objects.create(name="Skis", slug="skis")
    ski = PartOption.objects.create(part=Part.objects.create(category=other, name="Length"), name="170 cm")
    errors = validate_selection(
        cat.category.pk, [*cat.ids("diamond", "diamond", "full-suspension", "shiny"), ski.pk, 987654]
    )
    codes = [(e.code, e.options) for e in errors]
    assert ("duplicate_option", cat.ids("diamond")) in codes
    assert ("duplicate_part", cat.ids("diamond", "full-suspension")) in codes
    assert ("wrong_category", [ski.pk]) in codes
    assert ("unknown_option", [987654]) in codes
    assert validate_selection(987654, [])[0].code == "unknown_category"


def test_optional_part_may_be_left_out(bicycle_catalog):
    cat = bicycle_catalog
    bell = Part.objects.create(category=cat.category, name="Bell", step=6, required=False)
    PartOption.objects.create(part=bell, name="brass bell", default_price=Decimal("9.99"))
    names = ["full-suspension", "shiny", "road wheels", "red", "single-speed chain"]
    result = quote(cat.category.pk, cat.ids(*names))
    assert result.valid
    assert result.price == Decimal("303.00")
    assert result.available_options[bell.pk] == [
        {"id": bell.options.get().pk, "name": "brass bell", "price": Decimal("9.99")}
    ]


def test_effective_price_with_and_without_rules_given(bicycle_catalog):
    cat = bicycle_catalog
    matte = cat.option("matte")
    assert effective_price(matte, set(cat.ids("full-suspension"))) == (
        Decimal("50.00"),
        cat.price_rules["full-suspension"],
    )
    assert effective_price(matte, set(cat.ids("diamond"))) == (Decimal("35.00"), cat.price_rules["diamond"])
    assert effective_price(matte, set(cat.ids("step-through"))) == (Decimal("40.00"), None)
    rules = list(PriceAdjustmentRule.objects.prefetch_related("condition_options"))
    assert effective_price(matte, set(cat.ids("diamond")), rules) == (Decimal("35.00"), cat.price_rules["diamond"])


def test_rule_without_conditions_never_applies(bicycle_catalog):
    cat = bicycle_catalog
    PriceAdjustmentRule.objects.create(affected_option=cat.option("shiny"), adjusted_price=Decimal("1"))
    result = quote(cat.category.pk, cat.ids("full-suspension", "shiny", "road wheels", "red", "single-speed chain"))
    assert result.price == Decimal("303.00")


def test_quote_uses_a_fixed_number_of_queries(bicycle_catalog):
    cat = bicycle_catalog
    names = ["full-suspension", "matte", "road wheels", "red", "single-speed chain"]
    with CaptureQueriesContext(connection) as small:
        quote(cat.category.pk, cat.ids(*names))
    # Grow the catalog a lot: the number of queries must not follow.
    for n in range(10):
        part = Part.objects.create(category=cat.category, name=f"Extra {n}", step=10 + n, required=False)
        for m in range(5):
            option = PartOption.objects.create(part=part, name=f"x{m}", default_price=Decimal(m))
            rule = PriceAdjustmentRule.objects.create(affected_option=option, adjusted_price=Decimal("1"))
            rule.condition_options.set(cat.ids("diamond"))
    with CaptureQueriesContext(connection) as big:
        result = quote(cat.category.pk, cat.ids(*names))
    assert result.valid
    assert len(big) == len(small) <= 6
