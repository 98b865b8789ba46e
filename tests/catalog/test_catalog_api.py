"""Catalog CRUD through HTTP: writes, filters, search, ordering, pagination and deletes that are refused (409)."""

from __future__ import annotations

import pytest

from apps.catalog.models import Category, IncompatibilityRule, Part, PartOption, PriceAdjustmentRule
from apps.preconfigured_products.services import create_product

pytestmark = pytest.mark.django_db

CLASSIC = ["full-suspension", "shiny", "road wheels", "red", "single-speed chain"]


def test_create_a_category_with_parts_and_options(staff_client, api_client):
    response = staff_client.post(
        "/api/categories/", {"name": "Roller Skates", "description": "Wheels on boots"}, format="json"
    )
    assert response.status_code == 201, response.content
    category = response.json()
    assert category["slug"] == "roller-skates"
    part = staff_client.post("/api/parts/", {"category": category["id"], "name": "Boot", "step": 1}, format="json")
    assert part.status_code == 201, part.content
    assert part.json()["required"] is True
    option = staff_client.post(
        "/api/part-options/", {"part": part.json()["id"], "name": "leather", "default_price": 79.9}, format="json"
    )
    assert option.status_code == 201, option.content
    assert option.json()["default_price"] == "79.90"
    assert option.json()["category"] == category["id"]
    quote = api_client.post(
        "/api/configurator/quote", {"category": category["id"], "options": [option.json()["id"]]}, format="json"
    )
    assert quote.json()["valid"] is True
    assert quote.json()["price"] == "79.90"


def test_second_category_with_the_same_name_gets_its_own_slug(staff_client):
    Category.objects.create(name="Surf", slug="surfboards")
    response = staff_client.post("/api/categories/", {"name": "Surfboards"}, format="json")
    assert response.status_code == 201
    assert response.json()["slug"] == "surfboards-2"


def test_update_and_partial_update(staff_client, bicycle_catalog):
    option = bicycle_catalog.option("red")
    url = f"/api/part-options/{option.pk}/"
    response = staff_client.patch(url, {"default_price": "22.50", "in_stock": False}, format="json")
    assert response.status_code == 200, response.content
    option.refresh_from_db()
    assert (str(option.default_price), option.in_stock) == ("22.50", False)
    response = staff_client.put(
        url,
        {"part": option.part_id, "name": "crimson", "default_price": "21", "description": "Deep red"},
        format="json",
    )
    assert response.status_code == 200, response.content
    option.refresh_from_db()
    assert (option.name, str(option.default_price), option.description) == ("crimson", "21.00", "Deep red")


def test_price_rule_conditions_can_be_replaced(staff_client, bicycle_catalog):
    cat = bicycle_catalog
    rule = cat.price_rules["diamond"]
    response = staff_client.patch(
        f"/api/price-adjustment-rules/{rule.pk}/",
        {"condition_options": cat.ids("step-through", "8-speed chain")},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert sorted(response.json()["condition_options"]) == sorted(cat.ids("step-through", "8-speed chain"))
    assert set(rule.condition_options.values_list("pk", flat=True)) == set(cat.ids("step-through", "8-speed chain"))


def test_filters_search_ordering_and_pagination(api_client, bicycle_catalog):
    cat = bicycle_catalog
    other = Category.objects.create(name="Skis", slug="skis")
    Part.objects.create(category=other, name="Length")
    parts = api_client.get(f"/api/parts/?category={cat.category.pk}").json()
    assert parts["count"] == 5
    assert [p["name"] for p in parts["results"]] == ["Frame type", "Frame finish", "Wheels", "Rim color", "Chain"]
    wheels = api_client.get(f"/api/part-options/?part={cat.part('Wheels').pk}&ordering=-default_price").json()
    assert [o["name"] for o in wheels["results"]] == ["fat bike wheels", "mountain wheels", "road wheels"]
    cheap = api_client.get(f"/api/part-options/?category={cat.category.pk}&max_price=20").json()
    assert sorted(o["name"] for o in cheap["results"]) == ["black", "blue", "red"]
    found = api_client.get("/api/part-options/?search=chain").json()
    assert sorted(o["name"] for o in found["results"]) == ["8-speed chain", "single-speed chain"]
    rules = api_client.get(f"/api/incompatibility-rules/?option={cat.option('diamond').pk}").json()
    assert [r["message"] for r in rules["results"]] == [cat.incompatibilities[0].message]
    price_rules = api_client.get(f"/api/price-adjustment-rules/?condition_option={cat.option('diamond').pk}").json()
    assert [r["id"] for r in price_rules["results"]] == [cat.price_rules["diamond"].pk]
    page = api_client.get("/api/part-options/?page=1").json()
    assert set(page) == {"count", "next", "previous", "results"}
    assert page["count"] == 13
    assert api_client.get("/api/part-options/?page=99").status_code == 404


def test_delete_unused_rows(staff_client, bicycle_catalog):
    cat = bicycle_catalog
    assert staff_client.delete(f"/api/price-adjustment-rules/{cat.price_rules['diamond'].pk}/").status_code == 204
    assert staff_client.delete(f"/api/incompatibility-rules/{cat.incompatibilities[2].pk}/").status_code == 204
    # An unused option goes, and the incompatibilities naming it go with it.
    assert staff_client.delete(f"/api/part-options/{cat.option('mountain wheels').pk}/").status_code == 204
    assert IncompatibilityRule.objects.count() == 0
    assert staff_client.delete(f"/api/categories/{cat.category.pk}/").status_code == 204
    assert PartOption.objects.count() == 0


@pytest.fixture
def classic(bicycle_catalog):
    return create_product(category=bicycle_catalog.category, name="Classic", options=bicycle_catalog.ids(*CLASSIC))


@pytest.mark.parametrize(
    ("url", "model"),
    [
        (lambda cat: f"/api/categories/{cat.category.pk}/", Category),
        (lambda cat: f"/api/parts/{cat.part('Wheels').pk}/", Part),
        (lambda cat: f"/api/part-options/{cat.option('road wheels').pk}/", PartOption),
    ],
    ids=["category", "part", "option"],
)
def test_deleting_what_a_product_uses_is_409(staff_client, bicycle_catalog, classic, url, model):
    before = model.objects.count()
    response = staff_client.delete(url(bicycle_catalog))
    assert response.status_code == 409, response.content
    assert response.json()["used_by"] == ["Classic"]
    assert model.objects.count() == before
    assert classic.selections.count() == 5


def test_deleting_a_price_rule_condition_is_409(staff_client, bicycle_catalog):
    """Dropping a condition would silently widen the rule (matte at 35 on every frame)."""
    cat = bicycle_catalog
    for url in (f"/api/part-options/{cat.option('diamond').pk}/", f"/api/parts/{cat.part('Frame type').pk}/"):
        response = staff_client.delete(url)
        assert response.status_code == 409, response.content
        assert response.json()["used_by"]
    assert PriceAdjustmentRule.objects.count() == 2
    assert cat.price_rules["diamond"].condition_options.count() == 1
    # The part of the affected option may go: its rules go with it.
    assert staff_client.delete(f"/api/parts/{cat.part('Frame finish').pk}/").status_code == 204
    assert PriceAdjustmentRule.objects.count() == 0


def test_unknown_object_is_404(api_client, staff_client):
    assert api_client.get("/api/parts/987654/").status_code == 404
    assert api_client.get("/api/parts/not-a-number/").status_code == 404
    assert staff_client.patch("/api/part-options/987654/", {"name": "x"}, format="json").status_code == 404
    assert staff_client.delete("/api/categories/987654/").status_code == 404
