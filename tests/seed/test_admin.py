"""Django admin: every page renders, lists do not grow queries with rows, configurations are checked."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from apps.catalog.models import Category, IncompatibilityRule, Part, PartOption, PriceAdjustmentRule
from apps.preconfigured_products.models import PreConfiguredProduct

pytestmark = pytest.mark.django_db

MODELS = [Category, Part, PartOption, IncompatibilityRule, PriceAdjustmentRule, PreConfiguredProduct]


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=StringIO())


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_page_renders(admin_client, demo):
    for model in MODELS:
        assert admin_client.get(_url(model, "changelist")).status_code == 200, model
        assert admin_client.get(_url(model, "add")).status_code == 200, model
        obj = model.objects.order_by("pk").first()
        assert admin_client.get(_url(model, "change", obj.pk)).status_code == 200, model
    search = admin_client.get(_url(PartOption, "changelist"), {"q": "wheels", "in_stock__exact": "1"})
    assert b"Fat bike wheels" in search.content


def test_product_list_shows_computed_price_and_keeps_a_fixed_query_count(
    admin_client, demo, django_assert_max_num_queries
):
    url = _url(PreConfiguredProduct, "changelist")
    page = admin_client.get(url, {"q": "Fat Tire Explorer"}).content.decode()
    assert "310.00" in page  # 100 + matte on diamond 35 + 100 + 15 + 60
    call_command("generate_catalog", "--products", "400", "--seed", "5", "--append", stdout=StringIO())
    for model in MODELS:
        with django_assert_max_num_queries(20):
            assert admin_client.get(_url(model, "changelist")).status_code == 200
    # A delete page of a row that hundreds of products use says "cannot delete" without loading them all.
    busy = Category.objects.filter(slug__startswith="gen-").order_by("pk").first()
    with django_assert_max_num_queries(20):
        page = admin_client.get(_url(Category, "delete", busy.pk)).content.decode()
    assert "Cannot delete" in page
    assert "more" in page


def _product_form(category: Category, options: list[str], name: str = "Custom Rider") -> dict:
    ids = [PartOption.objects.get(part__category=category, name=name_).pk for name_ in options]
    data = {
        "category": category.pk,
        "name": name,
        "slug": "custom-rider",
        "description": "A bike built in the admin.",
        "is_active": "on",
        "selections-TOTAL_FORMS": str(len(ids)),
        "selections-INITIAL_FORMS": "0",
        "selections-MIN_NUM_FORMS": "0",
        "selections-MAX_NUM_FORMS": "1000",
    }
    for index, option_id in enumerate(ids):
        data[f"selections-{index}-option"] = str(option_id)
    return data


def test_admin_refuses_an_invalid_configuration_and_saves_a_valid_one(admin_client, demo):
    bikes = Category.objects.get(slug="bicycles")
    url = _url(PreConfiguredProduct, "add")
    bad = _product_form(bikes, ["Diamond", "Matte", "Mountain wheels", "Black", "8-speed chain"])
    response = admin_client.post(url, bad)
    assert response.status_code == 200
    assert "Mountain wheels are only available with a full-suspension frame." in response.content.decode()
    assert not PreConfiguredProduct.objects.filter(slug="custom-rider").exists()

    two_finishes = _product_form(bikes, ["Diamond", "Matte", "Shiny", "Road wheels", "Black", "8-speed chain"])
    assert admin_client.post(url, two_finishes).status_code == 200
    assert not PreConfiguredProduct.objects.filter(slug="custom-rider").exists()

    good = _product_form(bikes, ["Full-suspension", "Matte", "Mountain wheels", "Black", "8-speed chain"])
    assert admin_client.post(url, good).status_code == 302
    product = PreConfiguredProduct.objects.get(slug="custom-rider")
    assert sorted(product.options.values_list("name", flat=True)) == sorted(
        ["Full-suspension", "Matte", "Mountain wheels", "Black", "8-speed chain"]
    )
    page = admin_client.get(_url(PreConfiguredProduct, "change", product.pk)).content.decode()
    assert "345.00" in page  # 130 + matte on full-suspension 50 + 90 + 15 + 60


def test_rule_forms_report_bad_input_instead_of_failing(admin_client, demo):
    response = admin_client.post(_url(IncompatibilityRule, "add"), {"message": "no options"})
    assert response.status_code == 200
    assert IncompatibilityRule.objects.count() == 10

    red, black = PartOption.objects.get(name="Red"), PartOption.objects.get(name="Black")
    response = admin_client.post(
        _url(PriceAdjustmentRule, "add"),
        {"affected_option": red.pk, "condition_options": [black.pk], "adjusted_price": "5.00"},
    )
    assert response.status_code == 200
    assert "on the affected option&#x27;s own part can never be chosen with it" in response.content.decode()
    assert PriceAdjustmentRule.objects.count() == 6


def test_stock_actions_and_guarded_delete(admin_client, demo):
    red = PartOption.objects.get(name="Red")
    response = admin_client.post(
        _url(PartOption, "changelist"), {"action": "mark_out_of_stock", "_selected_action": [red.pk]}
    )
    assert response.status_code == 302
    red.refresh_from_db()
    assert red.in_stock is False

    # Deleting a price rule's condition would widen the rule silently: the admin lists it as protected.
    diamond = PartOption.objects.get(name="Diamond")
    page = admin_client.get(_url(PartOption, "delete", diamond.pk)).content.decode()
    assert "Price rule: Frame finish: Matte at 35.00" in page
    admin_client.post(_url(PartOption, "delete", diamond.pk), {"post": "yes"})
    assert PartOption.objects.filter(pk=diamond.pk).exists()
