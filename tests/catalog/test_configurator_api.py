"""The configurator through HTTP: Marcus's examples, prohibited combinations, stock and price rules."""

from __future__ import annotations

import pytest

from apps.catalog.services.catalog import set_options_stock
from tests.fixtures.api import FAT_BIKE_MESSAGE, MOUNTAIN_MESSAGE

pytestmark = pytest.mark.django_db

QUOTE = "/api/configurator/quote"
CLASSIC = ["full-suspension", "shiny", "road wheels", "red", "single-speed chain"]


def post_quote(client, catalog, names: list[str]) -> dict:
    response = client.post(QUOTE, {"category": catalog.category.pk, "options": catalog.ids(*names)}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def line(body: dict, part: str) -> dict:
    return next(item for item in body["breakdown"] if item["part"] == part)


def test_the_303_eur_bicycle(api_client, bicycle_catalog):
    body = post_quote(api_client, bicycle_catalog, CLASSIC)
    assert body["valid"] is True
    assert body["errors"] == []
    assert body["price"] == "303.00"
    assert body["currency"] == "EUR"
    assert [(item["part"], item["option"], item["price"], item["rule"]) for item in body["breakdown"]] == [
        ("Frame type", "full-suspension", "130.00", None),
        ("Frame finish", "shiny", "30.00", None),
        ("Wheels", "road wheels", "80.00", None),
        ("Rim color", "red", "20.00", None),
        ("Chain", "single-speed chain", "43.00", None),
    ]


@pytest.mark.parametrize(
    ("frame", "matte_price", "total"),
    [("full-suspension", "50.00", "323.00"), ("diamond", "35.00", "278.00"), ("step-through", "40.00", "293.00")],
)
def test_matte_finish_price_depends_on_the_frame(api_client, bicycle_catalog, frame, matte_price, total):
    body = post_quote(api_client, bicycle_catalog, [frame, "matte", "road wheels", "red", "single-speed chain"])
    assert body["valid"] is True
    matte = line(body, "Frame finish")
    assert matte["price"] == matte_price
    expected_rule = bicycle_catalog.price_rules[frame].pk if frame in bicycle_catalog.price_rules else None
    assert matte["rule"] == expected_rule
    assert body["price"] == total


@pytest.mark.parametrize(
    ("names", "message", "pair"),
    [
        (
            ["diamond", "shiny", "mountain wheels", "black", "8-speed chain"],
            MOUNTAIN_MESSAGE,
            ("diamond", "mountain wheels"),
        ),
        (
            ["step-through", "shiny", "mountain wheels", "black", "8-speed chain"],
            MOUNTAIN_MESSAGE,
            ("step-through", "mountain wheels"),
        ),
        (
            ["full-suspension", "shiny", "fat bike wheels", "red", "8-speed chain"],
            FAT_BIKE_MESSAGE,
            ("fat bike wheels", "red"),
        ),
    ],
)
def test_prohibited_combinations_are_rejected_with_their_message(api_client, bicycle_catalog, names, message, pair):
    body = post_quote(api_client, bicycle_catalog, names)
    assert body["valid"] is False
    assert [(e["code"], e["message"]) for e in body["errors"]] == [("incompatible", message)]
    assert sorted(body["errors"][0]["options"]) == sorted(bicycle_catalog.ids(*pair))


def test_allowed_neighbours_of_prohibited_combinations(api_client, bicycle_catalog):
    assert post_quote(
        api_client, bicycle_catalog, ["full-suspension", "shiny", "mountain wheels", "red", "8-speed chain"]
    )["valid"]
    assert post_quote(api_client, bicycle_catalog, ["diamond", "shiny", "fat bike wheels", "black", "8-speed chain"])[
        "valid"
    ]


def test_out_of_stock_option_is_rejected_and_not_offered(api_client, bicycle_catalog):
    set_options_stock(bicycle_catalog.ids("red"), False)
    body = post_quote(api_client, bicycle_catalog, CLASSIC)
    assert body["valid"] is False
    assert [(e["code"], e["options"]) for e in body["errors"]] == [("out_of_stock", bicycle_catalog.ids("red"))]
    rims = body["available_options"][str(bicycle_catalog.part("Rim color").pk)]
    assert [o["name"] for o in rims] == ["black", "blue"]
    # The price is still shown, so a customer sees what the bike would cost.
    assert body["price"] == "303.00"


def test_inactive_option_is_rejected(api_client, bicycle_catalog):
    option = bicycle_catalog.option("shiny")
    option.is_active = False
    option.save()
    body = post_quote(api_client, bicycle_catalog, CLASSIC)
    assert [e["code"] for e in body["errors"]] == ["inactive"]
    finishes = body["available_options"][str(bicycle_catalog.part("Frame finish").pk)]
    assert [o["name"] for o in finishes] == ["matte"]


def test_partial_selection_lists_missing_parts_and_what_is_still_choosable(api_client, bicycle_catalog):
    cat = bicycle_catalog
    body = post_quote(api_client, cat, ["diamond", "red"])
    assert body["valid"] is False
    assert [e["code"] for e in body["errors"]] == ["missing_part"] * 3
    assert {e["message"] for e in body["errors"]} == {
        'Choose an option for "Frame finish".',
        'Choose an option for "Wheels".',
        'Choose an option for "Chain".',
    }
    assert body["price"] == "120.00"
    available = body["available_options"]
    assert set(available) == {str(part.pk) for part in cat.parts.values()}
    # Mountain wheels need full suspension, fat bike wheels exclude red rims.
    assert [o["name"] for o in available[str(cat.part("Wheels").pk)]] == ["road wheels"]
    # Matte is priced for the diamond frame already chosen.
    assert {o["name"]: o["price"] for o in available[str(cat.part("Frame finish").pk)]} == {
        "matte": "35.00",
        "shiny": "30.00",
    }
    # A part's own choice does not restrict its alternatives: every frame is still offered, and with
    # red rims chosen all three frames stay compatible.
    assert [o["name"] for o in available[str(cat.part("Frame type").pk)]] == [
        "full-suspension",
        "diamond",
        "step-through",
    ]
    # Fat bike wheels chosen: red rims disappear from the rim choices.
    body = post_quote(api_client, cat, ["fat bike wheels"])
    assert [o["name"] for o in body["available_options"][str(cat.part("Rim color").pk)]] == ["black", "blue"]


def test_empty_selection_offers_everything(api_client, bicycle_catalog):
    body = post_quote(api_client, bicycle_catalog, [])
    assert body["price"] == "0.00"
    assert len(body["errors"]) == 5
    assert sum(len(v) for v in body["available_options"].values()) == 13


def test_three_condition_price_rule_applies_only_when_all_three_are_chosen(staff_client, api_client, bicycle_catalog):
    cat = bicycle_catalog
    response = staff_client.post(
        "/api/price-adjustment-rules/",
        {
            "affected_option": cat.option("blue").pk,
            "condition_options": cat.ids("full-suspension", "matte", "8-speed chain"),
            "adjusted_price": "5.00",
            "description": "Blue rims at cost on the premium build",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    three = response.json()["id"]
    # A one-condition rule on the same option: the rule with more conditions must win over it.
    response = staff_client.post(
        "/api/price-adjustment-rules/",
        {
            "affected_option": cat.option("blue").pk,
            "condition_options": cat.ids("full-suspension"),
            "adjusted_price": "12",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    one = response.json()["id"]

    def blue(names):
        body = post_quote(api_client, cat, [*names, "road wheels", "blue"])
        return line(body, "Rim color")["price"], line(body, "Rim color")["rule"], body["price"]

    assert blue(["full-suspension", "matte", "8-speed chain"]) == ("5.00", three, "325.00")  # 130+50+80+5+60
    assert blue(["full-suspension", "matte", "single-speed chain"]) == ("12.00", one, "315.00")
    assert blue(["full-suspension", "shiny", "8-speed chain"]) == ("12.00", one, "312.00")
    assert blue(["diamond", "matte", "8-speed chain"]) == ("20.00", None, "295.00")


def test_equal_rules_lowest_id_wins(staff_client, api_client, bicycle_catalog):
    cat = bicycle_catalog
    ids = []
    for price, condition in (("11", "road wheels"), ("7", "8-speed chain")):
        response = staff_client.post(
            "/api/price-adjustment-rules/",
            {
                "affected_option": cat.option("black").pk,
                "condition_options": cat.ids(condition),
                "adjusted_price": price,
            },
            format="json",
        )
        assert response.status_code == 201
        ids.append(response.json()["id"])
    body = post_quote(api_client, cat, ["diamond", "shiny", "road wheels", "black", "8-speed chain"])
    assert line(body, "Rim color")["price"] == "11.00"
    assert line(body, "Rim color")["rule"] == min(ids)


def test_configurator_view_lists_parts_in_step_order_with_rules(api_client, bicycle_catalog):
    cat = bicycle_catalog
    set_options_stock(cat.ids("blue"), False)
    response = api_client.get(f"/api/categories/{cat.category.pk}/configurator/")
    assert response.status_code == 200
    body = response.json()
    assert [p["name"] for p in body["parts"]] == ["Frame type", "Frame finish", "Wheels", "Rim color", "Chain"]
    rims = next(p for p in body["parts"] if p["name"] == "Rim color")
    assert [(o["name"], o["price"], o["in_stock"]) for o in rims["options"]] == [
        ("red", "20.00", True),
        ("black", "15.00", True),
        ("blue", "20.00", False),
    ]
    assert {r["message"] for r in body["incompatibility_rules"]} == {MOUNTAIN_MESSAGE, FAT_BIKE_MESSAGE}
    assert len(body["incompatibility_rules"]) == 3
    assert sorted((r["condition_options"], r["adjusted_price"]) for r in body["price_rules"]) == sorted(
        [(cat.ids("full-suspension"), "50.00"), (cat.ids("diamond"), "35.00")]
    )
    assert api_client.get("/api/categories/999999/configurator/").status_code == 404
