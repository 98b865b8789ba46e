"""Pre-configured products through HTTP: computed price and availability, configurations refused with a reason."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.models import IncompatibilityRule
from apps.catalog.services.catalog import set_options_stock
from apps.preconfigured_products.models import PreConfiguredProduct, PreConfiguredProductOption
from apps.preconfigured_products.selectors import product_price_and_availability, products_price_and_availability
from apps.preconfigured_products.services import create_product, update_product
from tests.fixtures.api import FAT_BIKE_MESSAGE, MOUNTAIN_MESSAGE

pytestmark = pytest.mark.django_db

URL = "/api/products/"
CLASSIC = ["full-suspension", "shiny", "road wheels", "red", "single-speed chain"]
TRAIL = ["full-suspension", "matte", "mountain wheels", "black", "8-speed chain"]


def create(client, catalog, names, **extra):
    body = {"category": catalog.category.pk, "name": "Classic", "options": catalog.ids(*names), **extra}
    return client.post(URL, body, format="json")


def test_create_product_with_computed_price(staff_client, api_client, bicycle_catalog):
    response = create(staff_client, bicycle_catalog, CLASSIC, description="The everyday bike")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["price"] == "303.00"
    assert body["available"] is True
    assert body["unavailable_reasons"] == []
    assert body["slug"] == "classic"
    assert sorted(body["options"]) == sorted(bicycle_catalog.ids(*CLASSIC))
    assert [(c["part"], c["option"], c["price"]) for c in body["configuration"]] == [
        ("Frame type", "full-suspension", "130.00"),
        ("Frame finish", "shiny", "30.00"),
        ("Wheels", "road wheels", "80.00"),
        ("Rim color", "red", "20.00"),
        ("Chain", "single-speed chain", "43.00"),
    ]
    assert api_client.get(f"{URL}{body['id']}/").json()["price"] == "303.00"


def test_price_follows_price_rules_and_option_prices(staff_client, api_client, bicycle_catalog):
    product_id = create(staff_client, bicycle_catalog, TRAIL).json()["id"]
    # 130 + matte 50 (full suspension) + 90 + 15 + 60
    assert api_client.get(f"{URL}{product_id}/").json()["price"] == "345.00"
    staff_client.patch(
        f"/api/part-options/{bicycle_catalog.option('black').pk}/", {"default_price": "17.50"}, format="json"
    )
    assert api_client.get(f"{URL}{product_id}/").json()["price"] == "347.50"


@pytest.mark.parametrize(
    ("names", "reason"),
    [
        (["diamond", "shiny", "mountain wheels", "black", "8-speed chain"], MOUNTAIN_MESSAGE),
        (["full-suspension", "shiny", "fat bike wheels", "red", "8-speed chain"], FAT_BIKE_MESSAGE),
        (["full-suspension", "shiny", "road wheels", "red"], 'Choose an option for "Chain".'),
    ],
    ids=["mountain wheels on a diamond frame", "fat bike wheels with red rims", "no chain"],
)
def test_invalid_configuration_cannot_be_saved(staff_client, bicycle_catalog, names, reason):
    response = create(staff_client, bicycle_catalog, names)
    assert response.status_code == 400
    assert response.json() == {"options": [reason]}
    assert PreConfiguredProduct.objects.count() == 0
    assert PreConfiguredProductOption.objects.count() == 0


def test_invalid_update_is_refused_and_changes_nothing(staff_client, bicycle_catalog):
    product = create_product(category=bicycle_catalog.category, name="Classic", options=bicycle_catalog.ids(*CLASSIC))
    response = staff_client.patch(
        f"{URL}{product.pk}/",
        {
            "name": "Renamed",
            "options": bicycle_catalog.ids("full-suspension", "shiny", "fat bike wheels", "red", "8-speed chain"),
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"options": [FAT_BIKE_MESSAGE]}
    product.refresh_from_db()
    assert product.name == "Classic"
    assert sorted(product.options.values_list("pk", flat=True)) == sorted(bicycle_catalog.ids(*CLASSIC))


def test_update_options_keeps_one_row_per_part(staff_client, bicycle_catalog):
    product = create_product(category=bicycle_catalog.category, name="Classic", options=bicycle_catalog.ids(*CLASSIC))
    response = staff_client.patch(f"{URL}{product.pk}/", {"options": bicycle_catalog.ids(*TRAIL)}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["price"] == "345.00"
    assert sorted(product.selections.values_list("option_id", flat=True)) == sorted(bicycle_catalog.ids(*TRAIL))
    assert product.selections.count() == 5


def test_option_out_of_stock_makes_product_unavailable(staff_client, api_client, bicycle_catalog):
    product_id = create(staff_client, bicycle_catalog, CLASSIC).json()["id"]
    staff_client.patch(f"/api/part-options/{bicycle_catalog.option('red').pk}/", {"in_stock": False}, format="json")
    body = api_client.get(f"{URL}{product_id}/").json()
    assert body["available"] is False
    assert body["unavailable_reasons"] == ['"red" is temporarily out of stock.']
    assert body["price"] == "303.00"
    listed = api_client.get(f"{URL}?category={bicycle_catalog.category.pk}").json()["results"]
    assert [(p["id"], p["available"]) for p in listed] == [(product_id, False)]
    set_options_stock(bicycle_catalog.ids("red"), True)
    assert api_client.get(f"{URL}{product_id}/").json()["available"] is True


def test_product_may_be_saved_with_an_option_temporarily_out_of_stock(staff_client, bicycle_catalog):
    set_options_stock(bicycle_catalog.ids("red"), False)
    response = create(staff_client, bicycle_catalog, CLASSIC)
    assert response.status_code == 201, response.content
    assert response.json()["available"] is False


def test_inactive_option_cannot_be_chosen(staff_client, bicycle_catalog):
    staff_client.patch(f"/api/part-options/{bicycle_catalog.option('red').pk}/", {"is_active": False}, format="json")
    response = create(staff_client, bicycle_catalog, CLASSIC)
    assert response.status_code == 400
    assert response.json() == {"options": ['"red" is no longer available.']}


def test_new_incompatibility_makes_existing_product_unavailable(api_client, bicycle_catalog):
    cat = bicycle_catalog
    product = create_product(category=cat.category, name="Classic", options=cat.ids(*CLASSIC))
    IncompatibilityRule.objects.create(
        part_option=cat.option("red"), incompatible_with_option=cat.option("road wheels"), message="No red on road."
    )
    assert product_price_and_availability(product) == (Decimal("303.00"), False)
    assert api_client.get(f"{URL}{product.pk}/").json()["unavailable_reasons"] == ["No red on road."]


def test_service_refuses_invalid_configuration_without_writing(bicycle_catalog):
    cat = bicycle_catalog
    with pytest.raises(ValidationError) as info:
        create_product(category=cat.category, name="Bad", options=cat.ids("diamond", "mountain wheels"))
    assert "options" in info.value.message_dict
    assert PreConfiguredProduct.objects.count() == 0
    product = create_product(category=cat.category, name="Good", options=cat.ids(*CLASSIC))
    with pytest.raises(ValidationError):
        update_product(product, options=cat.ids("diamond", "shiny", "mountain wheels", "red", "8-speed chain"))
    product.refresh_from_db()
    assert product_price_and_availability(product) == (Decimal("303.00"), True)


def test_product_list_has_no_n_plus_1(api_client, bicycle_catalog):
    cat = bicycle_catalog
    create_product(category=cat.category, name="P0", options=cat.ids(*CLASSIC))
    with CaptureQueriesContext(connection) as one:
        assert api_client.get(URL).status_code == 200
    for n in range(1, 15):
        create_product(category=cat.category, name=f"P{n}", options=cat.ids(*(TRAIL if n % 2 else CLASSIC)))
    with CaptureQueriesContext(connection) as many:
        body = api_client.get(URL).json()
    assert body["count"] == 15
    assert len(many) == len(one)
    prices = products_price_and_availability(PreConfiguredProduct.objects.all())
    assert {str(p.price) for p in prices.values()} == {"303.00", "345.00"}


def test_filter_search_and_ordering(api_client, bicycle_catalog):
    cat = bicycle_catalog
    create_product(category=cat.category, name="Classic", options=cat.ids(*CLASSIC), description="city")
    create_product(category=cat.category, name="Trail", options=cat.ids(*TRAIL), description="mountain")
    assert [p["name"] for p in api_client.get(f"{URL}?ordering=-name").json()["results"]] == ["Trail", "Classic"]
    assert [p["name"] for p in api_client.get(f"{URL}?search=mountain").json()["results"]] == ["Trail"]
    assert api_client.get(f"{URL}?category=987654").status_code == 400


def test_delete_product(staff_client, bicycle_catalog):
    product = create_product(category=bicycle_catalog.category, name="Classic", options=bicycle_catalog.ids(*CLASSIC))
    assert staff_client.delete(f"{URL}{product.pk}/").status_code == 204
    assert PreConfiguredProductOption.objects.count() == 0
    # With the product gone, its options may be deleted.
    assert staff_client.delete(f"/api/part-options/{bicycle_catalog.option('red').pk}/").status_code == 204


def test_option_deleted_after_the_check_is_a_400_naming_options(bicycle_catalog, monkeypatch):
    """Found by the chaos run: a DELETE committed between the configuration check and the write was a 500."""
    import apps.preconfigured_products.services as services

    o = bicycle_catalog.options
    product = create_product(
        category=bicycle_catalog.category,
        name="Racer",
        options=[o["diamond"], o["shiny"], o["road wheels"], o["black"], o["single-speed chain"]],
    )
    doomed = o["8-speed chain"]
    check = services.check_configuration

    def check_then_concurrent_delete(category_id, option_ids):
        check(category_id, option_ids)
        doomed.delete()  # what another request committed meanwhile

    monkeypatch.setattr(services, "check_configuration", check_then_concurrent_delete)
    new_options = [o["diamond"], o["shiny"], o["road wheels"], o["black"], doomed]
    with pytest.raises(ValidationError) as raised:
        update_product(product, options=new_options)
    assert "options" in raised.value.message_dict
    assert sorted(product.selections.values_list("option_id", flat=True)) == sorted(
        opt.pk for opt in [o["diamond"], o["shiny"], o["road wheels"], o["black"], o["single-speed chain"]]
    )
