"""Guided configuration on the demo catalog, through POST /api/ai-assistant/chat (built-in engine): a bike built
in free words, the final total equal to POST /api/configurator/quote for the same options."""

from __future__ import annotations

import re

import pytest

from apps.catalog.models import PartOption
from apps.preconfigured_products.models import PreConfiguredProduct

pytestmark = pytest.mark.django_db


def _option(name: str) -> int:
    return PartOption.objects.get(name=name).pk


def _quote(api_client, category: int, options: list[int]) -> dict:
    response = api_client.post("/api/configurator/quote", {"category": category, "options": options}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_bike_built_in_free_words_ends_with_the_configurators_total(demo_catalog, chat, api_client):
    first = chat("Hi! I'd like to build a bike")
    assert "Step 1 of 5 — Frame type" in first["answer"]
    assert "- Diamond: 100.00 EUR" in first["answer"]

    finish = chat("the diamond one please")
    # The finish's price under the price rule for a diamond frame, from the configurator.
    assert "Step 2 of 5 — Frame finish" in finish["answer"]
    assert "- Matte: 35.00 EUR" in finish["answer"]

    wheels = chat("matte")
    assert "Step 3 of 5 — Wheels" in wheels["answer"]
    assert "not possible with your choices: Mountain wheels (Mountain wheels are only available with a " \
           "full-suspension frame.)" in wheels["answer"]
    assert "- Mountain wheels:" not in wheels["answer"]

    rims = chat("I'll take the fat ones")
    assert "Step 4 of 5 — Rim color" in rims["answer"]
    assert "Red (Fat bike wheels are not available with red rims.)" in rims["answer"]

    refused = chat("red")
    assert "Red isn't possible with your choices: Fat bike wheels are not available with red rims." \
        in refused["answer"]
    assert "Step 4 of 5 — Rim color" in refused["answer"]

    chain = chat("black then")
    assert "Step 5 of 5 — Chain" in chain["answer"]
    # No running total before the last step: only each option's own price.
    for answer in (first, finish, wheels, rims, refused, chain):
        assert "total" not in answer["answer"].lower() and "so far" not in answer["answer"].lower()

    done = chat("the 8 speed")
    ids = [_option(n) for n in ("Diamond", "Matte", "Fat bike wheels", "Black", "8-speed chain")]
    quote = _quote(api_client, PartOption.objects.get(pk=ids[0]).part.category_id, ids)
    assert quote["valid"] is True
    assert f"Total from the configurator: {quote['price']} EUR" in done["answer"]
    for line in quote["breakdown"]:
        assert f"- {line['part']}: {line['option']} {line['price']} EUR" in done["answer"]
    # Exactly the Fat Tire Explorer: its page, its card, and an offer to put it in the cart.
    explorer = PreConfiguredProduct.objects.get(name="Fat Tire Explorer")
    assert f"/shop/products/{explorer.pk}/" in done["answer"]
    assert [card["id"] for card in done["products"]] == [explorer.pk]
    assert "Shall I add 1 × Fat Tire Explorer" in done["answer"]
    # "yes" puts it in this browser's cart at the configurator's price.
    added = chat("yes")["answer"]
    assert f"Added 1 × Fat Tire Explorer to your cart. Your cart now comes to {quote['price']} EUR" in added


def test_every_price_in_a_step_is_an_effective_price(demo_catalog, chat):
    chat("can you help me configure my own bicycle?")
    answer = chat("full suspension")["answer"]
    assert "Frame type: Full-suspension." in answer
    # 50.00 with a full-suspension frame (the rule), not the default 40.00.
    assert re.search(r"- Matte: 50\.00 EUR", answer)


def test_out_of_stock_options_are_marked_and_refused(demo_catalog, chat):
    answer = chat("I want to customise a surfboard")["answer"]
    assert "Step 1 of 4 — Board shape" in answer
    answer = chat("fish")["answer"]
    assert "- Carbon-reinforced epoxy: 180.00 EUR — temporarily out of stock" in answer
    refused = chat("carbon")["answer"]
    assert "Carbon-reinforced epoxy is temporarily out of stock" in refused
    assert "Step 2 of 4 — Construction" in refused


def test_an_interleaved_question_is_answered_and_the_guide_stays(demo_catalog, chat):
    chat("let's build a bike")
    chat("step-through")
    aside = chat("what skis do you sell?")
    assert "Step" not in aside["answer"].split("\n")[0]
    assert "still building your bicycle: step 2 of 5, Frame finish" in aside["answer"]
    answer = chat("shiny")["answer"]
    assert "Frame finish: Shiny." in answer and "Step 3 of 5 — Wheels" in answer


def test_back_start_over_and_cancel(demo_catalog, chat):
    chat("I'd like to build a bike")
    chat("diamond")
    assert "Step 1 of 5 — Frame type" in chat("go back")["answer"]
    chat("diamond")
    chat("shiny")
    assert "Starting over." in chat("start over")["answer"]
    cancelled = chat("cancel")["answer"]
    assert "cancelled" in cancelled
    # The guide is gone: "diamond" is an ordinary question now.
    assert "Step" not in chat("diamond")["answer"]


def test_an_unclear_answer_repeats_the_choices(demo_catalog, chat):
    chat("I'd like to build a bike")
    answer = chat("hmm")["answer"]
    assert "didn't understand" in answer and "Step 1 of 5 — Frame type" in answer
    later = chat("black")["answer"]
    assert "rim color option, which comes at step 4" in later


def test_an_answer_in_the_catalogs_other_words_is_linked_within_the_step(demo_catalog, chat):
    chat("I'd like to build a bike")
    chat("diamond")
    # "glossy" is in no option's name; Shiny's description says "a glossy lacquered finish".
    assert "Frame finish: Shiny." in chat("glossy")["answer"]
