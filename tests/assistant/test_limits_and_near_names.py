"""Price limits that exclude their amount, names the shop nearly sells, and follow-ups that refer back, on a
catalog the engine's code never names (telescopes, made up here). Every expected number is worked out by
hand from the catalog below.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.assistant.made_up import option

pytestmark = pytest.mark.django_db



TELESCOPES = {
    "name": "Telescopes",
    "slug": "telescopes",
    "description": "Telescopes for the night sky, assembled to order.",
    "parts": [
        {"name": "Tube", "step": 1, "description": "The optical tube.", "options": [
            option("Refractor 70 mm", "150.00", "A small lens telescope for the moon and planets."),
            option("Refractor 90 mm", "270.00", "A brighter lens telescope."),
            option("Reflector 130 mm", "330.00", "A mirror telescope for faint galaxies."),
        ]},
        {"name": "Mount", "step": 2, "description": "What holds the tube.", "options": [
            option("Alt-az mount", "150.00", "Up-down and left-right, easy to learn."),
            option("Equatorial mount", "240.00", "Follows the stars as the sky turns."),
        ]},
        {"name": "Eyepiece kit", "step": 3, "required": False, "description": "Extra eyepieces.", "options": [
            option("Basic eyepiece kit", "40.00", "Two eyepieces."),
            option("Wide-field eyepiece kit", "120.00", "Three wide eyepieces.", in_stock=False),
        ]},
    ],
    "incompatibilities": [],
    "price_rules": [],
    "products": [
        {"name": "Corvid Scout 70", "options": ["Refractor 70 mm", "Alt-az mount"],
         "description": "A first telescope."},
        {"name": "Corvid Scout 90", "options": ["Refractor 90 mm", "Alt-az mount"],
         "description": "A brighter first telescope."},
        {"name": "Corvid Scout 90 Max", "options": ["Refractor 90 mm", "Equatorial mount", "Basic eyepiece kit"],
         "description": "The brighter one on a tracking mount."},
        {"name": "Heron Deep 130", "options": ["Reflector 130 mm", "Equatorial mount"],
         "description": "For galaxies and nebulae."},
        {"name": "Heron Wide 130", "options": ["Reflector 130 mm", "Equatorial mount", "Wide-field eyepiece kit"],
         "description": "Wide views of star fields."},
    ],
}


LANTERNS = {
    "name": "Lanterns",
    "slug": "lanterns",
    "description": "Camping lanterns.",
    "parts": [
        {"name": "Fuel", "step": 1, "description": "Where the light comes from.", "options": [
            option("Lamp oil", "20.00", "Paraffin in a brass tank."),
            option("Gas cartridge", "25.00", "A screw-on butane cartridge."),
        ]},
    ],
    "incompatibilities": [],
    "price_rules": [],
    "products": [{"name": "Glow Camp", "options": ["Lamp oil"], "description": "A quiet oil lantern."}],
}


@pytest.fixture
def shop(load_made_up):
    load_made_up(TELESCOPES, LANTERNS)


def _names(answer: dict) -> set[str]:
    return {card["name"] for card in answer["products"]}


def test_under_a_price_excludes_a_product_at_exactly_that_price(shop, chat):
    # Corvid Scout 70: 300, Scout 90: 420, Scout 90 Max: 550, Heron Deep 130: 570, Heron Wide 130: 690.
    answer = chat("telescopes under 420?")
    assert _names(answer) == {"Corvid Scout 70"}, answer["answer"]
    assert "under 420.00 EUR" in answer["answer"], answer["answer"]
    assert _names(chat("telescopes up to 420", new=True)) == {"Corvid Scout 70", "Corvid Scout 90"}
    assert _names(chat("telescopes below 420 euros", new=True)) == {"Corvid Scout 70"}
    assert _names(chat("telescopes less than 550", new=True)) == {"Corvid Scout 70", "Corvid Scout 90"}


def test_over_a_price_excludes_a_product_at_exactly_that_price(shop, chat):
    assert _names(chat("telescopes over 570")) == {"Heron Wide 130"}
    assert _names(chat("telescopes from 570", new=True)) == {"Heron Deep 130", "Heron Wide 130"}


def test_a_strict_limit_is_kept_by_a_follow_up(shop, chat):
    chat("telescopes under 570")
    assert _names(chat("with the equatorial mount?")) == {"Corvid Scout 90 Max"}


def test_a_strict_limit_moves_the_inclusive_bound_of_the_index_by_one_cent():
    from apps.ai_assistant.assistant.tools.products import strict_bound

    assert strict_bound(Decimal("500"), True, -1) == Decimal("499.99")
    assert strict_bound(Decimal("500"), True, +1) == Decimal("500.01")
    assert strict_bound(Decimal("500"), False, -1) == Decimal("500")
    assert strict_bound(None, True, -1) is None


@pytest.mark.parametrize("message, name", [
    ("how much is the Corvid Scout 110?", "Corvid Scout 110"),  # another number after a real start
    ("is the Heron Deep 130 Pro in stock?", "Heron Deep 130 Pro"),  # a word after a whole real name
    ("got the Corvid Scout 90 Max Ultra?", "Corvid Scout 90 Max Ultra"),
    ("do you have the heron 200 telescope?", "heron 200"),
])
def test_a_name_that_starts_like_real_products_but_goes_on_otherwise_is_not_sold(shop, chat, message, name):
    answer = chat(message)["answer"]
    assert answer.startswith(f"We don't sell the {name}."), answer
    assert "EUR" in answer  # the closest real products follow, with their prices


@pytest.mark.parametrize("message, price", [
    ("how much is the Corvid Scout 90?", "420.00"),
    ("how much is the Corvid Scout 90 Max?", "550.00"),
    ("what does the Heron Wide 130 cost?", "690.00"),
    ("price of the Corvid Scout 90 with its mount?", "420.00"),  # a part's word after the name: no model
])
def test_a_real_name_or_one_followed_by_words_of_the_catalog_is_the_product(shop, chat, message, price):
    answer = chat(message)["answer"]
    assert "don't sell" not in answer and f"{price} EUR" in answer, answer


def test_a_shortened_name_whose_number_one_product_has_is_no_other_model(shop):
    from apps.ai_assistant.assistant.understanding.near_names import near_miss_name
    from apps.ai_assistant.assistant.understanding.vocabulary import Vocabulary

    assert near_miss_name("is the Corvid 70 any good?", Vocabulary.load()) == ("", [])
    # A name's glued number written apart ("Heron Deep 130 W" would be "130w") starts a word of the name.
    assert near_miss_name("price of the heron deep 13", Vocabulary.load()) == ("", [])


def test_the_words_another_name_adds_to_the_previous_products_name_name_that_product(shop, chat):
    assert "420.00 EUR" in chat("how much is the Corvid Scout 90?")["answer"]
    answer = chat("and the Max version?")["answer"]
    assert answer.startswith("The Corvid Scout 90 Max costs 550.00 EUR"), answer


def test_a_whole_product_name_decides_the_family_over_a_word_linked_by_a_description(shop, chat):
    # "comes" is in the lanterns' Fuel description ("Where the light comes from."): no vote equal to the name.
    answer = chat("what comes with the Heron Deep 130?")["answer"]
    assert answer.startswith("The Heron Deep 130 costs 570.00 EUR") and "Reflector 130 mm" in answer, answer


def test_an_option_of_the_named_products_own_configuration_is_the_product(shop, chat):
    answer = chat("how much for the Heron Deep 130 reflector?")["answer"]
    assert answer.startswith("The Heron Deep 130 costs 570.00 EUR"), answer
    answer = chat("does the Corvid Scout 90 Max have the basic eyepiece kit?", new=True)["answer"]
    assert answer.startswith("Yes, it comes with Basic eyepiece kit"), answer


def test_a_pronoun_after_a_product_asks_about_that_product(shop, chat):
    chat("how much is the Heron Deep 130?")
    answer = chat("what does it come with?")["answer"]
    assert "Reflector 130 mm" in answer and "Equatorial mount" in answer and "don't sell" not in answer, answer


def test_a_yes_no_question_about_a_product_is_asked_again_of_the_next_one(shop, chat):
    assert chat("is the Heron Wide 130 in stock?")["answer"].startswith("No.")  # its wide-field kit is out
    answer = chat("ok, and the Heron Deep 130?")["answer"]
    assert answer.startswith("Yes. The Heron Deep 130"), answer


def test_an_option_chosen_and_another_of_its_part_in_a_follow_up_are_a_swap(shop, chat):
    assert "costs 460.00 EUR" in chat("refractor 90 mm, alt-az mount and the basic eyepiece kit: how much?")["answer"]
    answer = chat("what if I take the wide-field eyepiece kit instead of the basic eyepiece kit?")["answer"]
    assert "costs 540.00 EUR" in answer, answer  # 270 + 150 + 120


def test_a_part_asked_about_by_its_types_lists_its_options(shop, chat):
    # "types" asks for options; it is no word of an option's name to link with "mount".
    answer = chat("what mount types do you offer?")["answer"]
    assert "Alt-az mount: 150.00 EUR" in answer and "Equatorial mount: 240.00 EUR" in answer, answer


def test_a_pronoun_is_the_previous_product_when_the_catalogs_names_are_not_held(shop, chat, monkeypatch):
    from apps.ai_assistant.assistant.understanding import vocabulary

    monkeypatch.setattr(vocabulary, "MAX_PRODUCT_NAMES", 2)  # 5 products: names looked up, not held
    chat("how much is the Heron Deep 130?")
    answer = chat("is it in stock?")["answer"]
    assert answer.startswith("Yes. The Heron Deep 130 costs 570.00 EUR"), answer
