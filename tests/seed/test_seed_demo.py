"""seed_demo: idempotent, Marcus's bicycles exactly as in the exercise, every demo product a valid configuration."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.catalog.models import Category, IncompatibilityRule, Part, PartOption, PriceAdjustmentRule
from apps.catalog.services import demo_data
from apps.catalog.services.demo_catalog import (
    DemoCatalogError,
    load_demo_catalog,
    read_demo_catalog,
    validate_demo_catalog,
)
from apps.preconfigured_products.models import PreConfiguredProduct, PreConfiguredProductOption

pytestmark = pytest.mark.django_db

MODELS = [
    Category,
    Part,
    PartOption,
    IncompatibilityRule,
    PriceAdjustmentRule,
    PriceAdjustmentRule.condition_options.through,
    PreConfiguredProduct,
    PreConfiguredProductOption,
]


def _db_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_twice_changes_nothing():
    first = _seed()
    counts = _db_counts()
    stamps = sorted(PartOption.objects.values_list("id", "updated_at"))
    second = _seed()
    assert _db_counts() == counts
    assert sorted(PartOption.objects.values_list("id", "updated_at")) == stamps
    assert "0 rows created, 0 updated" in second
    assert "0 rows created" not in first
    assert counts["Category"] == 4
    assert 28 <= counts["PreConfiguredProduct"] <= 34


def test_seed_demo_restores_a_changed_demo_value():
    _seed()
    PartOption.objects.filter(name="Matte").update(default_price=Decimal("99.00"))
    assert "0 rows created, 1 updated" in _seed()
    assert PartOption.objects.get(name="Matte").default_price == Decimal("40.00")


def test_seed_demo_restores_a_changed_product_configuration():
    _seed()
    fat = PreConfiguredProduct.objects.get(slug="fat-tire-explorer")
    black = fat.selections.get(option__name="Black")
    black.option = PartOption.objects.get(name="Blue")
    black.save()
    assert "0 rows created, 1 updated" in _seed()
    assert set(fat.options.values_list("name", flat=True)) == {
        "Diamond",
        "Matte",
        "Fat bike wheels",
        "Black",
        "8-speed chain",
    }


def test_bicycles_are_exactly_as_in_the_exercise():
    _seed()
    bikes = Category.objects.get(slug="bicycles")
    assert bikes.name == "Bicycles"
    catalog = {
        (part.step, part.name): {o.name: o.default_price for o in part.options.all()}
        for part in bikes.parts.prefetch_related("options")
    }
    assert catalog == {
        (1, "Frame type"): {"Full-suspension": 130, "Diamond": 100, "Step-through": 110},
        (2, "Frame finish"): {"Matte": 40, "Shiny": 30},
        (3, "Wheels"): {"Road wheels": 80, "Mountain wheels": 90, "Fat bike wheels": 100},
        (4, "Rim color"): {"Red": 20, "Black": 15, "Blue": 20},
        (5, "Chain"): {"Single-speed chain": 43, "8-speed chain": 60},
    }
    options = PartOption.objects.filter(part__category=bikes)
    assert all(o.in_stock and o.is_active and o.description for o in options)
    assert all(p.required for p in bikes.parts.all())

    rules = {
        frozenset((r.part_option.name, r.incompatible_with_option.name)): r.message
        for r in IncompatibilityRule.objects.filter(part_option__part__category=bikes).select_related(
            "part_option", "incompatible_with_option"
        )
    }
    full_suspension_only = "Mountain wheels are only available with a full-suspension frame."
    assert rules == {
        frozenset({"Mountain wheels", "Diamond"}): full_suspension_only,
        frozenset({"Mountain wheels", "Step-through"}): full_suspension_only,
        frozenset({"Fat bike wheels", "Red"}): "Fat bike wheels are not available with red rims.",
    }

    price_rules = {
        (r.affected_option.name, frozenset(o.name for o in r.condition_options.all())): r.adjusted_price
        for r in PriceAdjustmentRule.objects.filter(affected_option__part__category=bikes)
        .select_related("affected_option")
        .prefetch_related("condition_options")
    }
    assert price_rules == {
        ("Matte", frozenset({"Full-suspension"})): Decimal("50.00"),
        ("Matte", frozenset({"Diamond"})): Decimal("35.00"),
    }


def test_other_categories_have_rules_stock_gaps_and_a_three_condition_rule():
    _seed()
    for slug in ("skis", "surfboards", "roller-skates"):
        category = Category.objects.get(slug=slug)
        assert 3 <= category.parts.count() <= 5
        assert IncompatibilityRule.objects.filter(part_option__part__category=category).exists()
        assert PriceAdjustmentRule.objects.filter(affected_option__part__category=category).exists()
        assert PartOption.objects.filter(part__category=category, in_stock=False).count() == 1
        assert PreConfiguredProduct.objects.filter(category=category).count() == 6
    assert any(rule.condition_options.count() == 3 for rule in PriceAdjustmentRule.objects.all())
    assert PreConfiguredProduct.objects.filter(category__slug="bicycles").count() >= 10
    fat = PreConfiguredProduct.objects.get(name="Fat Tire Explorer")
    assert {"Fat bike wheels", "Black"} <= set(fat.options.values_list("name", flat=True))


def test_every_demo_product_is_a_valid_configuration():
    """Checked against the database rows, independently of the loader's own validation."""
    _seed()
    forbidden = {
        frozenset((a, b)) for a, b in IncompatibilityRule.objects.values_list("part_option", "incompatible_with_option")
    }
    unavailable = []
    for product in PreConfiguredProduct.objects.prefetch_related("selections__option__part"):
        required = set(Part.objects.filter(category=product.category_id, required=True).values_list("id", flat=True))
        chosen = [s.option for s in product.selections.all()]
        assert sorted(o.part_id for o in chosen) == sorted(required), product.name
        assert all(o.part.category_id == product.category_id for o in chosen), product.name
        ids = [o.pk for o in chosen]
        pairs = {frozenset((a, b)) for i, a in enumerate(ids) for b in ids[i + 1 :]}
        assert not pairs & forbidden, product.name
        assert len(product.description.split(".")) >= 3, product.name  # two sentences or more
        if not all(o.in_stock for o in chosen):
            unavailable.append(product.name)
    assert 2 <= len(unavailable) <= 4
    assert len(set(PreConfiguredProduct.objects.values_list("description", flat=True))) == 30


def _copy_of_the_data_file(tmp_path: Path) -> tuple[Path, dict]:
    copy = tmp_path / "demo_catalog.json"
    shutil.copyfile(demo_data.DEMO_CATALOG_FILE, copy)
    return copy, json.loads(copy.read_text(encoding="utf-8"))


def _write(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


def test_invalid_demo_data_fails_loudly_and_writes_nothing(tmp_path, monkeypatch):
    path, data = _copy_of_the_data_file(tmp_path)
    bikes = data["categories"][0]
    bikes["products"][0]["options"] = ["Diamond", "Matte", "Mountain wheels", "Black", "Shiny"]
    _write(path, data)
    with pytest.raises(DemoCatalogError) as excinfo:
        validate_demo_catalog(read_demo_catalog(path))
    message = str(excinfo.value)
    assert "Fat Tire Explorer" in message
    assert "more than one option for ['Frame finish']" in message
    assert "no option for required parts ['Chain']" in message
    assert "incompatible options Mountain wheels ✗ Diamond" in message

    monkeypatch.setattr(demo_data, "DEMO_CATALOG_FILE", path)
    with pytest.raises(CommandError, match="Fat Tire Explorer"):
        call_command("seed_demo", stdout=StringIO())
    assert Category.objects.count() == 0


def test_the_shipped_data_file_is_valid():
    catalog = read_demo_catalog()
    validate_demo_catalog(catalog)
    assert [c["slug"] for c in catalog] == ["bicycles", "skis", "surfboards", "roller-skates"]
    matte = next(o for o in catalog[0]["parts"][1]["options"] if o["name"] == "Matte")
    assert matte == {"name": "Matte", "price": Decimal("40.00"), "description": matte["description"], "in_stock": True}


def test_the_loader_reads_the_data_file(tmp_path, monkeypatch):
    """A value changed in (a copy of) the data file is what seed_demo writes, and only that row changes."""
    _seed()
    path, data = _copy_of_the_data_file(tmp_path)
    matte = next(o for o in data["categories"][0]["parts"][1]["options"] if o["name"] == "Matte")
    matte["price"] = "42.50"
    data["categories"][0]["products"][0]["description"] += " Now with a new sentence."
    _write(path, data)

    counts = load_demo_catalog(path)
    assert (counts["created"], counts["updated"]) == (0, 2)
    assert PartOption.objects.get(name="Matte").default_price == Decimal("42.50")
    assert PreConfiguredProduct.objects.get(name="Fat Tire Explorer").description.endswith("a new sentence.")

    monkeypatch.setattr(demo_data, "DEMO_CATALOG_FILE", path)
    assert "0 rows created, 0 updated" in _seed()
    monkeypatch.undo()
    assert "0 rows created, 2 updated" in _seed()
    assert PartOption.objects.get(name="Matte").default_price == Decimal("40.00")


@pytest.mark.parametrize(
    "break_it, says",
    [
        (
            lambda d: d["categories"][0]["parts"][1]["options"][0].update(price=40.0),
            "categories[0] ('Bicycles') / parts[1] ('Frame finish') / options[0] ('Matte'): "
            "'price' must be a decimal string such as \"40.00\", got 40.0",
        ),
        (
            lambda d: d["categories"][2]["products"][3].pop("description"),
            "categories[2] ('Surfboards') / products[3] (",
        ),
        (
            lambda d: d["categories"][1]["parts"][0]["options"][1].update(in_stok=False),
            "categories[1] ('Skis') / parts[0] ('Ski type') / options[1] (",
        ),
        (
            lambda d: d["categories"][0]["incompatibilities"].__setitem__(2, ["Fat bike wheels", "Red"]),
            'categories[0] (\'Bicycles\') / incompatibilities[2]: must be an object, got ["Fat bike wheels", "Red"]',
        ),
        (lambda d: d.update(categories={}), "the file: 'categories' must be a list, got {}"),
    ],
)
def test_a_malformed_entry_is_named_in_the_error(tmp_path, monkeypatch, break_it, says):
    path, data = _copy_of_the_data_file(tmp_path)
    break_it(data)
    _write(path, data)
    with pytest.raises(DemoCatalogError) as excinfo:
        read_demo_catalog(path)
    assert str(path) in str(excinfo.value)
    assert says in str(excinfo.value)

    monkeypatch.setattr(demo_data, "DEMO_CATALOG_FILE", path)
    with pytest.raises(CommandError, match="Invalid demo catalog file"):
        call_command("seed_demo", stdout=StringIO())
    assert Category.objects.count() == 0


def test_a_broken_json_file_is_a_clear_error(tmp_path):
    path = tmp_path / "demo_catalog.json"
    path.write_text('{"categories": [', encoding="utf-8")
    with pytest.raises(DemoCatalogError, match=r"is not valid JSON: .*line 1 column 17"):
        load_demo_catalog(path)
    with pytest.raises(DemoCatalogError, match="Cannot read the demo catalog"):
        load_demo_catalog(tmp_path / "missing.json")
