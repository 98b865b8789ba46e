"""generate_catalog --style rich: realistic names, seeded product lines, valid products; plain is unchanged."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.catalog.models import Category, Part, PartOption, PriceAdjustmentRule
from apps.catalog.services.configurator import quote
from apps.preconfigured_products.models import PreConfiguredProduct
from tests.seed.test_generate_catalog import _digest

pytestmark = pytest.mark.django_db


def _generate(*args: str) -> str:
    out = StringIO()
    call_command("generate_catalog", *args, stdout=out)
    return out.getvalue()


def test_the_plain_style_is_still_the_catalog_benchmarks_were_measured_on():
    # The digest of `--products 300 --seed 7 --categories 4` before styles existed (commit acb7abc).
    _generate("--products", "300", "--seed", "7", "--categories", "4")
    assert _digest() == "506bc9fd16033d3f1ca4169de0738eaf304f855f5fa78af102bc77ffd190bbf9"
    _generate("--products", "300", "--seed", "7", "--categories", "4", "--style", "plain", "--wipe")
    assert _digest() == "506bc9fd16033d3f1ca4169de0738eaf304f855f5fa78af102bc77ffd190bbf9"


def test_rich_names_have_units_synonyms_optional_parts_and_rules():
    _generate("--products", "120", "--seed", "11", "--categories", "6", "--style", "rich")
    names = list(PartOption.objects.values_list("name", flat=True))
    assert sum(bool(re.match(r"^\d+(\.\d+)? (mm|cm|m|L|W|Ah|inch|bar|D) ", n)) for n in names) >= 20
    assert all(len(n.split()) >= 2 for n in names)
    assert all("Also known as:" in d for d in PartOption.objects.values_list("description", flat=True))
    assert Part.objects.filter(required=False).exists()
    assert PartOption.objects.filter(in_stock=False).exists()
    assert PriceAdjustmentRule.objects.exclude(description="").exists()
    for part in Part.objects.all():
        assert part.options.filter(in_stock=True).exists(), part  # every part can be configured
    for product in PreConfiguredProduct.objects.all():
        codes = {e.code for e in quote(product.category_id, list(product.options.values_list("pk", flat=True))).errors}
        assert codes <= {"out_of_stock"}, (product.name, codes)  # complete and compatible, maybe out of stock
    assert PreConfiguredProduct.objects.values("name").distinct().count() == 120


def test_seeds_invent_different_product_lines():
    _generate("--products", "60", "--seed", "11", "--categories", "4", "--style", "rich")
    first = {name.split()[0] for name in PreConfiguredProduct.objects.values_list("name", flat=True)}
    _generate("--products", "60", "--seed", "29", "--categories", "4", "--style", "rich", "--wipe")
    second = {name.split()[0] for name in PreConfiguredProduct.objects.values_list("name", flat=True)}
    assert first and second and not first & second


def test_rich_needs_an_empty_catalog_and_an_unknown_style_is_refused():
    call_command("seed_demo", stdout=StringIO())
    with pytest.raises(CommandError, match="--wipe"):
        _generate("--products", "10", "--seed", "2", "--style", "rich", "--append")
    with pytest.raises(CommandError):
        _generate("--products", "10", "--seed", "2", "--style", "fancy", "--wipe")
    assert Category.objects.filter(slug="bicycles").exists()


def test_the_same_rich_seed_gives_the_same_catalog():
    _generate("--products", "50", "--seed", "11", "--categories", "3", "--style", "rich")
    first = _digest()
    _generate("--products", "50", "--seed", "11", "--categories", "3", "--style", "rich", "--wipe")
    assert _digest() == first
    assert Part.objects.filter(required=False).exclude(description="").exists()  # the digest skips parts
