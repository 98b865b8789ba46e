"""generate_catalog: deterministic, fast, valid products, refuses to mix into a catalog by accident."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.catalog.models import Category, IncompatibilityRule, Part, PartOption, PriceAdjustmentRule
from apps.preconfigured_products.models import PreConfiguredProduct, PreConfiguredProductOption

pytestmark = pytest.mark.django_db


def _generate(*args: str) -> str:
    out = StringIO()
    call_command("generate_catalog", *args, stdout=out)
    return out.getvalue()


def _digest() -> str:
    """Hash of the catalog's content (names, prices, stock, rules, products), without ids or timestamps."""
    h = hashlib.sha256()
    for row in Category.objects.order_by("slug").values_list("slug", "name", "description"):
        h.update(repr(row).encode())
    for row in PartOption.objects.order_by("part__category__slug", "part__step", "name").values_list(
        "part__category__slug", "part__name", "part__step", "name", "description", "default_price", "in_stock"
    ):
        h.update(repr(row).encode())
    for row in sorted(
        IncompatibilityRule.objects.values_list("part_option__name", "incompatible_with_option__name", "message")
    ):
        h.update(repr(row).encode())
    for rule in PriceAdjustmentRule.objects.prefetch_related("condition_options").select_related("affected_option"):
        conditions = sorted(option.name for option in rule.condition_options.all())
        h.update(repr((rule.affected_option.name, conditions, rule.adjusted_price)).encode())
    products = PreConfiguredProduct.objects.order_by("slug")
    for row in products.values_list("slug", "name", "description", "category__slug"):
        h.update(repr(row).encode())
    for row in PreConfiguredProductOption.objects.order_by("product__slug", "part__step").values_list(
        "product__slug", "option__name"
    ):
        h.update(repr(row).encode())
    return h.hexdigest()


def test_same_seed_gives_the_same_catalog_and_another_seed_does_not():
    _generate("--products", "300", "--seed", "7", "--categories", "4")
    first = _digest()
    _generate("--products", "300", "--seed", "7", "--categories", "4", "--wipe")
    assert _digest() == first
    _generate("--products", "300", "--seed", "8", "--categories", "4", "--wipe")
    assert _digest() != first


def test_two_thousand_valid_products_in_seconds():
    output = _generate("--products", "2000", "--seed", "3")
    seconds = float(output.rsplit(" in ", 1)[1].split()[0])
    assert seconds < 8, output
    assert "2000 products" in output
    assert PreConfiguredProduct.objects.count() == 2000
    assert Category.objects.count() == 8

    required = {}
    for category_id, part_id in Part.objects.filter(required=True).values_list("category_id", "id"):
        required.setdefault(category_id, set()).add(part_id)
    forbidden = {
        frozenset(pair) for pair in IncompatibilityRule.objects.values_list("part_option", "incompatible_with_option")
    }
    assert forbidden, "the generator should make some incompatibilities"
    assert PriceAdjustmentRule.objects.exists()
    chosen: dict[int, list[tuple[int, int]]] = {}
    for product_id, part_id, option_id in PreConfiguredProductOption.objects.values_list(
        "product_id", "part_id", "option__id"
    ):
        chosen.setdefault(product_id, []).append((part_id, option_id))
    option_part = dict(PartOption.objects.values_list("id", "part_id"))
    for product_id, category_id in PreConfiguredProduct.objects.values_list("id", "category_id"):
        rows = chosen[product_id]
        assert {part for part, _ in rows} == required[category_id]
        assert all(option_part[option] == part for part, option in rows)
        ids = [option for _, option in rows]
        assert not {frozenset((a, b)) for i, a in enumerate(ids) for b in ids[i + 1 :]} & forbidden
    descriptions = set(PreConfiguredProduct.objects.values_list("description", flat=True))
    assert len(descriptions) > 1500  # varied text for search to find


def test_refuses_a_catalog_with_products_unless_append_or_wipe():
    call_command("seed_demo", stdout=StringIO())
    with pytest.raises(CommandError, match="--append"):
        _generate("--products", "10", "--seed", "1")
    _generate("--products", "10", "--seed", "1", "--append")
    assert PreConfiguredProduct.objects.count() == 40
    with pytest.raises(CommandError, match="--seed 1 is already here"):
        _generate("--products", "10", "--seed", "1", "--append")
    _generate("--products", "10", "--seed", "1", "--wipe")
    assert PreConfiguredProduct.objects.count() == 10
    assert not Category.objects.filter(slug="bicycles").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--products", "0"],
        ["--products", "ten"],
        ["--products", "5", "--categories", "0"],
        ["--products", "5", "--categories", "5000"],
        ["--products", "5", "--append", "--wipe"],
        [],
    ],
)
def test_bad_arguments_are_refused_and_write_nothing(args):
    with pytest.raises(CommandError):
        _generate(*args)
    assert Category.objects.count() == 0
