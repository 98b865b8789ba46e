"""Catalog rows as index documents: text, filter metadata, hashes, what is left out, and the fan-out of changes."""

from __future__ import annotations

from decimal import Decimal

from apps.ai_assistant.indexing.documents.registry import (
    all_doc_ids,
    build_documents,
    iter_all_documents,
    touched_doc_ids,
)
from apps.catalog.models import IncompatibilityRule, Part, PriceAdjustmentRule
from apps.preconfigured_products.models import PreConfiguredProductOption


def test_product_document_has_configuration_price_availability_and_filters(demo):
    product = demo.product("Fat Tire Explorer")
    doc = build_documents([f"product:{product.pk}"])[f"product:{product.pk}"]

    assert doc.id == f"product:{product.pk}" and doc.type == "product" and doc.object_id == product.pk
    for words in ("Fat Tire Explorer", "Bicycles", "Wheels: Fat bike wheels", "Rim color: Black"):
        assert words in doc.text
    # Meaning is embedded, facts are metadata: no price or stock in the embedded text.
    # Name, family, description, then the configuration and its options' descriptions, in that order.
    assert doc.text.startswith(f"Fat Tire Explorer — Bicycles. {product.description.split('.')[0]}")
    assert doc.text.index("Configuration: Frame type: Diamond;") < doc.text.index("Classic black rims")
    assert "310.00" not in doc.text and "in stock" not in doc.text
    assert "Price: 310.00 EUR" in doc.metadata["facts"] and "in stock" in doc.metadata["facts"]
    meta = doc.metadata
    assert meta["type"] == "product" and meta["name"] == "Fat Tire Explorer"
    assert meta["category"] == "Bicycles" and meta["category_id"] == demo.category("bicycles").pk
    # Diamond 100 + matte 35 (rule on a diamond frame) + fat bike wheels 100 + black 15 + 8-speed 60.
    assert meta["price"] == 310.0 and meta["in_stock"] is True
    assert f",{demo.option('Black').pk}," in meta["option_ids"]
    assert all(value is not None for value in meta.values())


def test_out_of_stock_option_makes_the_product_unavailable_with_the_reason(demo):
    doc = build_documents([f"product:{demo.product('Sunset Freerider').pk}"]).popitem()[1]
    assert doc.metadata["in_stock"] is False
    assert "Not available" in doc.metadata["facts"] and "Sunset orange" in doc.metadata["facts"]
    assert "Not available" not in doc.text


def test_part_rule_and_category_documents(demo):
    wheels = Part.objects.get(name="Wheels", category__slug="bicycles")
    fat_red = IncompatibilityRule.objects.get(part_option=demo.option("Fat bike wheels"))
    matte_fs = PriceAdjustmentRule.objects.get(
        affected_option=demo.option("Matte"), condition_options=demo.option("Full-suspension")
    )
    bicycles = demo.category("bicycles")
    docs = build_documents(
        [f"part:{wheels.pk}", f"incompatibility:{fat_red.pk}", f"price_rule:{matte_fs.pk}", f"category:{bicycles.pk}"]
    )

    part = docs[f"part:{wheels.pk}"]
    assert "Fat bike wheels — 100.00 EUR, in stock" in part.metadata["facts"]
    assert "Fat bike wheels" in part.text and "EUR" not in part.text
    assert part.metadata["price"] == 80.0  # the cheapest option: "from" price
    assert part.metadata["options"] == "Road wheels | Mountain wheels | Fat bike wheels"

    rule = docs[f"incompatibility:{fat_red.pk}"]
    assert "Fat bike wheels (Wheels) cannot be combined with Red (Rim color)" in rule.text
    assert "price" not in rule.metadata and "in_stock" not in rule.metadata

    price_rule = docs[f"price_rule:{matte_fs.pk}"]
    assert "Matte (Frame finish) costs 50.00 EUR instead of 40.00 EUR" in price_rule.metadata["facts"]
    assert "Full-suspension" in price_rule.text and "EUR" not in price_rule.text

    category = docs[f"category:{bicycles.pk}"]
    assert "Wheels: Road wheels, Mountain wheels, Fat bike wheels" in category.text


def test_hash_follows_content_and_nothing_else(demo):
    product = demo.product("Fat Tire Explorer")
    key = f"product:{product.pk}"
    first = build_documents([key])[key]
    assert build_documents([key])[key].content_hash == first.content_hash

    black = demo.option("Black")
    black.default_price = Decimal("16.00")
    black.save()
    changed = build_documents([key])[key]
    assert changed.content_hash != first.content_hash
    assert changed.metadata["price"] == 311.0
    # A price is a fact: the embedded text and its hash stay, the metadata hash moves.
    assert (changed.text, changed.text_hash) == (first.text, first.text_hash)
    assert changed.metadata_hash != first.metadata_hash

    black.description = "A deep black, anodised."
    black.save()
    described = build_documents([key])[key]
    assert described.text_hash != first.text_hash and "deep black" in described.text


def test_inactive_and_missing_rows_are_not_indexable(demo):
    product = demo.product("Fat Tire Explorer")
    skis = demo.category("skis")
    product.is_active = False
    product.save()
    skis.is_active = False
    skis.save()

    everything = all_doc_ids()
    assert f"product:{product.pk}" not in everything
    assert f"category:{skis.pk}" not in everything
    assert not any(
        doc.metadata.get("category_id") == skis.pk for batch in iter_all_documents(batch_size=7) for doc in batch
    )
    built = build_documents([f"product:{product.pk}", f"category:{skis.pk}", "product:999999", "bogus", "part:x"])
    assert set(built) == {f"product:{product.pk}", f"category:{skis.pk}", "product:999999", "bogus", "part:x"}
    assert all(doc is None for doc in built.values())


def test_iter_all_documents_covers_every_indexable_row_once(demo):
    seen = [doc.id for batch in iter_all_documents(batch_size=10) for doc in batch]
    assert len(seen) == len(set(seen)) == len(all_doc_ids()) == 4 + 17 + 10 + 6 + 30


def test_building_is_a_fixed_number_of_queries(demo, django_assert_max_num_queries):
    every_id = sorted(all_doc_ids())
    with django_assert_max_num_queries(40):
        docs = build_documents(every_id)
    assert sum(doc is not None for doc in docs.values()) == len(every_id)


def test_an_option_price_change_reaches_part_products_and_rules(demo):
    matte = demo.option("Matte")
    touched = touched_doc_ids(matte)
    users = set(PreConfiguredProductOption.objects.filter(option=matte).values_list("product_id", flat=True))
    rules = set(PriceAdjustmentRule.objects.filter(affected_option=matte).values_list("pk", flat=True))

    assert f"part:{matte.part_id}" in touched
    assert f"category:{matte.part.category_id}" in touched
    assert {f"product:{pk}" for pk in users} <= touched and len(users) >= 5
    assert {f"price_rule:{pk}" for pk in rules} <= touched and len(rules) == 2
    # Nothing of another category.
    assert not any(doc_id.startswith("product:") and int(doc_id[8:]) not in users for doc_id in touched)


def test_fan_out_of_rules_products_and_categories(demo):
    fat_red = IncompatibilityRule.objects.get(part_option=demo.option("Fat bike wheels"))
    # No product holds both options of an incompatibility: only the rule itself.
    assert touched_doc_ids(fat_red) == {f"incompatibility:{fat_red.pk}"}

    matte_diamond = PriceAdjustmentRule.objects.get(
        affected_option=demo.option("Matte"), condition_options=demo.option("Diamond")
    )
    priced = touched_doc_ids(matte_diamond)
    assert f"product:{demo.product('Fat Tire Explorer').pk}" in priced  # diamond + matte
    assert f"product:{demo.product('Trail Blazer FS').pk}" not in priced  # matte, but full-suspension

    selection = PreConfiguredProductOption.objects.filter(product=demo.product("Dune Drifter")).first()
    assert touched_doc_ids(selection) == {f"product:{selection.product_id}"}

    skis = demo.category("skis")
    touched = touched_doc_ids(skis)
    assert f"category:{skis.pk}" in touched
    assert sum(doc_id.startswith("product:") for doc_id in touched) == 6
    assert sum(doc_id.startswith("part:") for doc_id in touched) == 4
