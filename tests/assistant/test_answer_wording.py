"""How answers name a family and a cart line, on a catalog the engine's code never names (electric scooters,
made up here): the article follows the word's sound ("an electric scooter"), the family's name is made
singular ("a custom electric scooter"), and "no thanks" to the cart offer declines it."""

from __future__ import annotations

import json

import pytest

from apps.ai_assistant.assistant.grammar import article, singular_name, with_article
from apps.catalog.services.demo_catalog import load_demo_catalog
from apps.orders.models import CartLine

pytestmark = pytest.mark.django_db

SCOOTERS = {
    "name": "Electric scooters",
    "slug": "electric-scooters",
    "description": "Folding electric scooters for the city.",
    "parts": [
        {"name": "Deck", "step": 1, "description": "Where you stand.", "options": [
            {"name": "Bamboo deck", "price": "120.00", "in_stock": True, "description": "Light and springy."},
            {"name": "Steel deck", "price": "90.00", "in_stock": True, "description": "Heavy and stiff."},
        ]},
        {"name": "Motor", "step": 2, "description": "What drives the rear wheel.", "options": [
            {"name": "Hub motor", "price": "210.00", "in_stock": True, "description": "Quiet, in the wheel."},
            {"name": "Chain motor", "price": "180.00", "in_stock": True, "description": "Strong on hills."},
        ]},
    ],
    "incompatibilities": [],
    "price_rules": [],
    "products": [
        {"name": "Volta Commuter", "options": ["Bamboo deck", "Hub motor"], "description": "A city scooter."},
    ],
}


@pytest.fixture
def scooters(db, settings, tmp_path):
    settings.AI_INDEX_AUTO_UPDATE = False
    path = tmp_path / "scooters.json"
    path.write_text(json.dumps({"categories": [SCOOTERS]}))
    load_demo_catalog(path)
    settings.AI_INDEX_AUTO_UPDATE = True


def test_a_priced_configuration_takes_an_before_a_vowel_sound(scooters, chat):
    answer = chat("how much is a bamboo deck with a hub motor?")["answer"]
    assert answer.startswith("An electric scooter with Bamboo deck and Hub motor costs 330.00 EUR")


def test_a_configuration_missing_a_part_takes_an_before_a_vowel_sound(scooters, chat):
    answer = chat("how much is an electric scooter with a steel deck?")["answer"]
    assert answer.startswith("To price an electric scooter with Steel deck I still need: Motor.")


def test_a_custom_line_names_one_of_the_family(scooters, chat):
    chat("how much is a bamboo deck with a hub motor?")
    proposal = chat("add that one to my cart")["answer"]
    assert proposal.startswith("Shall I add 1 × a custom electric scooter (Bamboo deck, Hub motor) at 330.00 EUR")


@pytest.mark.parametrize("refusal", ["no thanks", "No, thank you.", "not now", "nope"])
def test_no_thanks_declines_the_cart_offer(scooters, chat, refusal):
    chat("how much is a bamboo deck with a hub motor?")
    chat("add that one to my cart")
    declined = chat(refusal)
    assert declined["engine"] == "cart" and declined["products"] == []
    assert "haven't added" in declined["answer"]
    assert chat("yes")["engine"] != "cart"  # the offer is gone: a later yes adds nothing
    assert not CartLine.objects.exists()


def test_a_no_with_a_new_question_is_answered_as_that_question(scooters, chat):
    chat("how much is a bamboo deck with a hub motor?")
    chat("add that one to my cart")
    answer = chat("no, how much is the chain motor?")
    assert answer["engine"] != "cart" and "180.00 EUR" in answer["answer"]


@pytest.mark.parametrize(
    ("family", "one"),
    [
        ("Bicycles", "a bicycle"),
        ("Electric scooters", "an electric scooter"),
        ("Snowboards S5-2", "a snowboard s5-2"),
        ("Accessories", "an accessory"),
        ("Skis", "a ski"),
        ("Unicycles", "a unicycle"),
        ("Glasses", "a glass"),
        ("Boxes", "a box"),
        ("Hour glasses", "an hour glass"),
        ("Fishing gear", "a fishing gear"),
    ],
)
def test_one_of_a_family(family, one):
    assert with_article(singular_name(family)) == one


@pytest.mark.parametrize(("phrase", "expected"), [("8-speed chain", "an"), ("11 speed", "an"), ("1 speed", "a"),
                                                  ("110 mm", "a"), ("umbrella", "an"), ("one-piece", "a")])
def test_the_article_follows_the_first_sound(phrase, expected):
    assert article(phrase) == expected
