"""Guided configuration on a catalog made in the test, with names the assistant's code never mentions: a whole
telescope built in free words through POST /api/ai-assistant/chat, ending at the total of
POST /api/configurator/quote for the same options; incompatible options left out with the rule's reason,
out-of-stock ones marked and refused, an optional part skipped, a required one not, a question in between."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.catalog.models import Category, IncompatibilityRule, Part, PartOption, PriceAdjustmentRule
from apps.preconfigured_products.models import PreConfiguredProduct, PreConfiguredProductOption

pytestmark = pytest.mark.django_db

PARTS = [
    ("Mount", True, [("Alt-azimuth mount", "120"), ("Equatorial mount", "260"), ("Dobsonian base", "90")]),
    ("Optical tube", True, [("Refractor 80 mm", "300"), ("Newtonian reflector 200 mm", "420"),
                            ("Maksutov 127 mm", "380", False)]),  # the last one out of stock
    ("Tube finish", True, [("Midnight blue", "20"), ("Pearl white", "20")]),
    ("Finder", False, [("Red dot finder", "25"), ("9x50 finder scope", "60")]),
    ("Eyepiece kit", True, [("Basic eyepiece pair", "40"), ("Wide-field eyepiece set", "150")]),
]
DOBSONIAN_RULE = "A Dobsonian base only carries reflector tubes."
DESCRIPTIONS = {
    "Refractor 80 mm": "Sharp views of the moon and planets, no collimation ever.",
    "Newtonian reflector 200 mm": "Gathers six times more light: galaxies and nebulae.",
}


@pytest.fixture
def telescopes(db, settings) -> dict[str, PartOption]:
    """Telescopes (five parts, one optional, a rule, a conditional price, an out-of-stock tube, a product) and
    kites, so that a start has to name what it builds."""
    settings.AI_INDEX_AUTO_UPDATE = False
    scope = Category.objects.create(name="Telescopes", slug="telescopes", description="Telescopes built to order.")
    options: dict[str, PartOption] = {}
    for step, (part_name, required, choices) in enumerate(PARTS, start=1):
        part = Part.objects.create(category=scope, name=part_name, step=step, required=required)
        for name, price, *stock in choices:
            options[name] = PartOption.objects.create(
                part=part, name=name, default_price=Decimal(price), in_stock=stock[0] if stock else True,
                description=DESCRIPTIONS.get(name, ""),
            )
    IncompatibilityRule.objects.create(part_option=options["Dobsonian base"],
                                       incompatible_with_option=options["Refractor 80 mm"], message=DOBSONIAN_RULE)
    rule = PriceAdjustmentRule.objects.create(affected_option=options["Pearl white"], adjusted_price=Decimal("35"))
    rule.condition_options.add(options["Newtonian reflector 200 mm"])
    product = PreConfiguredProduct.objects.create(category=scope, name="Stargazer 200", slug="stargazer-200")
    for name in ("Dobsonian base", "Newtonian reflector 200 mm", "Pearl white", "Red dot finder",
                 "Wide-field eyepiece set"):
        PreConfiguredProductOption.objects.create(product=product, option=options[name])
    kites = Category.objects.create(name="Kites", slug="kites")
    sail = Part.objects.create(category=kites, name="Sail", step=1)
    PartOption.objects.create(part=sail, name="Delta sail", default_price=Decimal("30"))
    settings.AI_INDEX_AUTO_UPDATE = True
    return options


def _total(api_client, options: list[PartOption]) -> str:
    body = {"category": options[0].part.category_id, "options": [o.pk for o in options]}
    response = api_client.post("/api/configurator/quote", body, format="json")
    assert response.status_code == 200 and response.json()["valid"] is True, response.content
    return response.json()["price"]


def test_a_telescope_built_in_free_words(telescopes, chat, api_client):
    which = chat("hello, I'd like to build something")["answer"]
    assert "What would you like to build:" in which and "telescopes" in which and "kites" in which

    mount = chat("a telescope")["answer"]
    assert "Step 1 of 5 — Mount (required)" in mount

    tube = chat("the dobsonian one")["answer"]
    assert "Mount: Dobsonian base." in tube
    assert f"not possible with your choices: Refractor 80 mm ({DOBSONIAN_RULE})" in tube
    assert "- Refractor 80 mm:" not in tube
    assert "- Maksutov 127 mm: 380.00 EUR — temporarily out of stock" in tube

    assert "Maksutov 127 mm is temporarily out of stock" in chat("maksutov please")["answer"]
    refused = chat("refractor")["answer"]
    assert f"Refractor 80 mm isn't possible with your choices: {DOBSONIAN_RULE}" in refused

    aside = chat("is the wide-field eyepiece set in stock?")["answer"]
    assert "Step" not in aside.split("\n")[0]
    assert "still building your telescope: step 2 of 5, Optical tube" in aside

    finish = chat("newtonian")["answer"]
    # The finish priced under the rule for a reflector: the configurator's price given the choices so far.
    assert "Step 3 of 5 — Tube finish" in finish and "- Pearl white: 35.00 EUR" in finish

    finder = chat("pearl")["answer"]
    assert "Step 4 of 5 — Finder (optional" in finder
    eyepieces = chat("skip")["answer"]
    assert "No finder." in eyepieces and "Step 5 of 5 — Eyepiece kit" in eyepieces

    refused = chat("skip this one too")["answer"]
    assert "Eyepiece kit is required, so it can't be skipped" in refused
    assert "Step 5 of 5 — Eyepiece kit" in refused

    done = chat("cheapest")["answer"]
    chosen = [telescopes[n] for n in ("Dobsonian base", "Newtonian reflector 200 mm", "Pearl white",
                                      "Basic eyepiece pair")]
    assert f"Total from the configurator: {_total(api_client, chosen)} EUR" in done
    assert "- Tube finish: Pearl white 35.00 EUR" in done
    # Not a ready-made product: the configurator page with these options, and the cart offer.
    ids = ",".join(str(o.pk) for o in chosen)
    assert f"/shop/families/telescopes/configure/?options={ids}" in done
    assert "Shall I add 1 × " in done


def test_the_ready_made_product_is_linked_when_the_choices_match_it(telescopes, chat, api_client):
    chat("I want to design my own telescope")
    for answer in ("dobsonian", "the reflector", "white", "red dot", "wide field"):
        reply = chat(answer)
    product = PreConfiguredProduct.objects.get(name="Stargazer 200")
    chosen = [telescopes[n] for n in ("Dobsonian base", "Newtonian reflector 200 mm", "Pearl white",
                                      "Red dot finder", "Wide-field eyepiece set")]
    assert f"Total from the configurator: {_total(api_client, chosen)} EUR" in reply["answer"]
    assert f"ready-made Stargazer 200: /shop/products/{product.pk}/" in reply["answer"]
    assert [card["name"] for card in reply["products"]] == ["Stargazer 200"]


def test_answers_by_place_and_most_expensive(telescopes, chat):
    chat("configure a telescope")
    assert "Mount: Equatorial mount." in chat("the second one")["answer"]
    assert "Optical tube: Newtonian reflector 200 mm (420.00 EUR)." in chat("the most expensive")["answer"]


def test_a_choice_the_catalog_no_longer_allows_is_asked_again(telescopes, chat):
    chat("configure a telescope")
    chat("alt-azimuth")
    chat("refractor")
    # The shop sells out of the chosen tube meanwhile: the guide goes back to that step.
    PartOption.objects.filter(pk=telescopes["Refractor 80 mm"].pk).update(in_stock=False)
    answer = chat("blue")["answer"]
    assert "Things changed since your choice: Refractor 80 mm is temporarily out of stock" in answer
    assert "Step 2 of 5 — Optical tube" in answer


def test_options_named_at_the_start_are_taken_at_their_step(telescopes, chat):
    start = chat("I'd like to build a telescope with a pearl white finish")["answer"]
    assert "You asked for Pearl white: I'll take it at its step." in start
    assert "Step 1 of 5 — Mount" in start
    chat("alt azimuth")
    answer = chat("the refractor")["answer"]
    assert "Optical tube: Refractor 80 mm. Tube finish: Pearl white, as you asked." in answer
    assert "Step 4 of 5 — Finder" in answer


def test_questions_about_the_steps_options_and_the_choices_again(telescopes, chat):
    chat("let me configure my own telescope")
    chat("equatorial")
    answer = chat("what's the difference between the refractor and the newtonian?")["answer"]
    assert "Refractor 80 mm: Sharp views of the moon and planets" in answer
    assert "Newtonian reflector 200 mm: Gathers six times more light" in answer
    assert "Step 2 of 5 — Optical tube" in answer
    again = chat("what were the options again?")["answer"]
    assert "Here are the choices again." in again and "Step 2 of 5 — Optical tube" in again


def test_a_question_about_a_configuration_it_describes_starts_no_guide(telescopes, chat):
    answer = chat("can I build a telescope with a dobsonian base and the refractor?")["answer"]
    assert "Step 1" not in answer
    assert DOBSONIAN_RULE in answer  # the engine's compatibility answer, with the rule's message
    # A wish with the same options starts one, the options taken at their steps.
    start = chat("I want to build a telescope with a dobsonian base")["answer"]
    assert "Step 2 of 5 — Optical tube" in start and "Mount: Dobsonian base, as you asked." in start


def test_a_search_after_what_would_you_like_to_build_is_a_search(telescopes, chat):
    assert "What would you like to build:" in chat("I'd like to build my own")["answer"]
    answer = chat("which telescopes do you have under 2000 euros?")["answer"]
    assert "Step" not in answer
    assert "Step" not in chat("telescopes")["answer"]  # the offer is gone: a plain question now
