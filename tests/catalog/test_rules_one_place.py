"""Each catalog rule has one owner that the API and the admin both call: the same input is refused by both,
on the same field with the same message, and a refused write stores nothing."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from apps.catalog.models import IncompatibilityRule, PartOption, PriceAdjustmentRule
from apps.preconfigured_products.models import PreConfiguredProduct
from apps.preconfigured_products.services import create_product
from tests.fixtures.api import BicycleCatalog

pytestmark = pytest.mark.django_db

CLASSIC = ["full-suspension", "shiny", "road wheels", "red", "single-speed chain"]


def _admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _same_refusal(staff_client, admin_client, model, api_url: str, body: dict, field: str) -> str:
    """POST `body` to the API and to the admin add form: both refuse it with one message; returns it."""
    tables = (model.objects.count(), PriceAdjustmentRule.condition_options.through.objects.count())
    response = staff_client.post(api_url, body, format="json")
    assert response.status_code == 400, response.content
    [message] = response.json()[field]
    page = admin_client.post(_admin_url(model, "add"), body)
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert form.errors[field] == [message]
    assert html.escape(message) in page.content.decode()
    assert (model.objects.count(), PriceAdjustmentRule.condition_options.through.objects.count()) == tables
    return message


def test_admin_refuses_a_price_rule_with_the_conditions_of_an_existing_one(
    staff_client, admin_client, bicycle_catalog: BicycleCatalog
):
    """The admin form used to miss this check: a second "matte when full-suspension" rule was stored."""
    cat = bicycle_catalog
    body = {
        "affected_option": cat.option("matte").pk,
        "condition_options": [cat.option("full-suspension").pk],
        "adjusted_price": "45.00",
    }
    message = _same_refusal(
        staff_client, admin_client, PriceAdjustmentRule, "/api/price-adjustment-rules/", body, "condition_options"
    )
    assert message == "A rule with these conditions already exists for this option."
    assert PriceAdjustmentRule.objects.filter(affected_option=cat.option("matte")).count() == 2


@pytest.mark.parametrize(
    ("affected", "conditions"),
    [
        ("shiny", ["shiny"]),  # its own condition
        ("shiny", ["matte"]),  # a condition on its own part
        ("shiny", ["diamond", "step-through"]),  # two conditions on one part
    ],
)
def test_price_rule_checks_are_the_same_in_the_api_and_the_admin(
    staff_client, admin_client, bicycle_catalog, affected, conditions
):
    cat = bicycle_catalog
    body = {
        "affected_option": cat.option(affected).pk,
        "condition_options": cat.ids(*conditions),
        "adjusted_price": "5.00",
    }
    _same_refusal(
        staff_client, admin_client, PriceAdjustmentRule, "/api/price-adjustment-rules/", body, "condition_options"
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("red", "red"),  # with itself
        ("road wheels", "fat bike wheels"),  # one part
        ("diamond", "mountain wheels"),  # an existing rule, the other way round
    ],
)
def test_incompatibility_checks_are_the_same_in_the_api_and_the_admin(
    staff_client, admin_client, bicycle_catalog, a, b
):
    cat = bicycle_catalog
    body = {"part_option": cat.option(a).pk, "incompatible_with_option": cat.option(b).pk, "message": "no"}
    _same_refusal(
        staff_client, admin_client, IncompatibilityRule, "/api/incompatibility-rules/", body, "incompatible_with_option"
    )


def test_admin_and_api_refuse_the_same_deletes(staff_client, admin_client, bicycle_catalog):
    """One delete guard: what the API refuses with 409 `used_by`, the admin's delete page lists as protected."""
    cat = bicycle_catalog
    create_product(category=cat.category, name="Classic", options=cat.ids(*CLASSIC))
    red, diamond = cat.option("red"), cat.option("diamond")
    for option, shown in ((red, "Pre-configured product: Classic"), (diamond, "Price rule: Frame finish: ")):
        response = staff_client.delete(f"/api/part-options/{option.pk}/")
        assert response.status_code == 409, response.content
        page = admin_client.get(_admin_url(PartOption, "delete", option.pk)).content.decode()
        assert "Cannot delete" in page and shown in page
        admin_client.post(_admin_url(PartOption, "delete", option.pk), {"post": "yes"})
        assert PartOption.objects.filter(pk=option.pk).exists()
    assert PreConfiguredProduct.objects.get(name="Classic").selections.count() == 5
