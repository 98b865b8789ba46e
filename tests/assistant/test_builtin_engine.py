"""The built-in engine on the demo catalog: compatibility, configuration prices, stock, price limits, follow-ups.

Every expected number here is worked out by hand from the demo catalog (apps/catalog/demo/demo_catalog.json),
not read back from the code under test.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.ai_assistant.assistant.understanding.parser import parse
from apps.ai_assistant.assistant.understanding.vocabulary import Vocabulary
from apps.ai_assistant.models import ChatSession
from apps.catalog.models import PartOption
from apps.preconfigured_products.models import PreConfiguredProduct

pytestmark = pytest.mark.django_db


def _product_names(data: dict) -> set[str]:
    return {card["name"] for card in data["products"]}


@pytest.mark.parametrize(
    ("question", "verdict", "reason"),
    [
        ("can I have red rims with fat bike wheels?", "No", "Fat bike wheels are not available with red rims."),
        ("Can I get fat bike wheels and blue rims?", "Yes", None),
        ("do mountain wheels work with a diamond frame?", "No", "only available with a full-suspension frame"),
        ("can i get a step thru frame with mountian wheels?", "No", "only available with a full-suspension frame"),
        ("are mountain wheels compatible with a full suspension frame?", "Yes", None),
        ("Can I combine a touring binding with a carving ski?", "No", "not carvers"),
    ],
)
def test_compatibility_yes_no(demo_catalog, chat, question, verdict, reason):
    data = chat(question)
    assert data["answer"].startswith(verdict), data["answer"]
    if reason:
        assert reason in data["answer"]
    if verdict == "No":
        assert any(s.startswith("incompatibility:") for s in data["sources"])


def test_compatibility_says_which_options_do_work(demo_catalog, chat):
    data = chat("can I have red rims with fat bike wheels?")
    assert "Black and Blue" in data["answer"]


def test_compatibility_mentions_the_price_rule(demo_catalog, chat):
    data = chat("can I have a matte finish with a diamond frame?")
    assert data["answer"].startswith("Yes")
    assert "35.00" in data["answer"]


def test_configuration_price_from_the_configurator(demo_catalog, chat):
    data = chat("how much is a matte full-suspension bike with road wheels, blue rims and an 8-speed chain?")
    # 50 (matte on full-suspension) + 130 + 80 + 20 + 60
    assert "340.00 EUR" in data["answer"]
    assert "Matte 50.00 EUR (with Full-suspension)" in data["answer"]
    assert any(s.startswith("price_rule:") for s in data["sources"])


def test_configuration_with_missing_parts_names_them_with_their_options(demo_catalog, chat):
    data = chat("how much is a matte bike with road wheels?")
    answer = data["answer"]
    assert "Frame type, Rim color and Chain" in answer
    assert "Full-suspension 130.00 EUR" in answer and "Single-speed chain 43.00 EUR" in answer
    assert "340" not in answer

    # The follow-up completes the configuration: diamond makes matte 35.
    data = chat("and with blue rims, an 8 speed chain and a diamond frame?")
    assert "295.00 EUR" in data["answer"]  # 100 + 35 + 80 + 20 + 60


def test_impossible_configuration_is_not_priced(demo_catalog, chat):
    data = chat("how much is a shiny diamond bike with mountain wheels, black rims and a single-speed chain?")
    assert "isn't possible" in data["answer"]
    assert "EUR" not in data["answer"].split("isn't possible")[0]


def test_options_of_a_part_with_prices_and_stock(demo_catalog, chat):
    PartOption.objects.filter(name="Blue").update(in_stock=False)
    data = chat("what options does the rim color have?")
    answer = data["answer"]
    assert "Red: 20.00 EUR, not with Fat bike wheels" in answer
    assert "Black: 15.00 EUR" in answer
    assert "Blue: 20.00 EUR, temporarily out of stock" in answer


def test_which_options_are_out_of_stock(demo_catalog, chat):
    PartOption.objects.filter(name="Blue").update(in_stock=False)
    data = chat("which rim colours are out of stock?")
    assert data["answer"].startswith("Out of stock for Rim color")
    assert "Blue" in data["answer"].split("In stock")[0]
    assert "Red and Black" in data["answer"]

    data = chat("is the blue rim in stock?", new=True)
    assert data["answer"].startswith("No, Blue")

    data = chat("what is out of stock right now?", new=True)
    for name in ("Blue", "Sunset orange", "Carbon-reinforced epoxy", "Outdoor wheels (78A)"):
        assert name in data["answer"]


def test_price_limit_lists_only_products_within_it(demo_catalog, chat):
    data = chat("show me bikes up to 300")
    # Fixie Classic 273, Velocity Road 290, Urban Step 293, Weekend Tourer 295, Dune Drifter 298, City Glide 300
    assert data["answer"].startswith("I found 6 bicycles up to 300.00 EUR")
    # Six matches are few enough to list them all (engine.MAX_WHOLE_LIST).
    assert _product_names(data) == {"Fixie Classic", "Velocity Road", "Urban Step", "Weekend Tourer", "Dune Drifter",
                                    "City Glide"}
    assert all(Decimal(card["price"]) <= 300 for card in data["products"])
    # "under 300" excludes the City Glide at exactly 300.
    assert chat("show me bikes under 300", new=True)["answer"].startswith("I found 5 bicycles under 300.00 EUR")


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("bikes between 300 and 320", {"City Glide", "Fat Tire Explorer"}),
        ("skis up to 540", {"First Tracks Junior", "Resort All-Rounder"}),
        ("roller skates max 210€", {"Jam Skater"}),
    ],
)
def test_price_ranges(demo_catalog, chat, question, names):
    assert _product_names(chat(question)) == names


def test_cheapest(demo_catalog, chat):
    data = chat("what is the cheapest surfboard?")
    assert "Wave Ripper at 510.00 EUR" in data["answer"]
    assert data["products"][0]["name"] == "Wave Ripper"


def test_follow_up_keeps_category_and_price_limit(demo_catalog, chat):
    first = chat("show me mountain bikes under 900")
    assert _product_names(first) == {"Enduro Pro", "Ridge Runner", "Summit Single", "Trail Blazer FS"}

    second = chat("and with black rims?")
    assert second["session_id"] == first["session_id"]
    assert _product_names(second) == {"Enduro Pro", "Trail Blazer FS"}
    context = ChatSession.objects.get(id=second["session_id"]).context
    assert context["max_price"] == "900.00"
    assert len(context["option_ids"]) == 2

    third = chat("under 330?")
    assert _product_names(third) == {"Enduro Pro"}  # 325; Trail Blazer FS is 345


def test_a_new_session_does_not_inherit_the_context(demo_catalog, chat):
    chat("show me mountain bikes under 900")
    data = chat("and with black rims?", new=True)
    # Without the earlier question: every black-rimmed bicycle, at any price.
    assert _product_names(data) >= {"Fixie Classic", "Dune Drifter", "Fat Tire Explorer", "Enduro Pro"}


def test_no_match_offers_the_nearest_product(demo_catalog, chat):
    data = chat("mountain bikes under 300")
    assert data["answer"].startswith("I found no bicycles with Mountain wheels under 300.00 EUR")
    assert "Enduro Pro at 325.00 EUR" in data["answer"]


def test_product_price_and_availability_come_from_the_database(demo_catalog, chat):
    data = chat("is the Sunset Freerider available?")
    assert "680.00 EUR" in data["answer"] and "unavailable" in data["answer"]
    assert data["products"] == [
        {
            "id": PreConfiguredProduct.objects.get(name="Sunset Freerider").pk,
            "name": "Sunset Freerider",
            "price": "680.00",
            "available": False,
            "url": f"/api/products/{PreConfiguredProduct.objects.get(name='Sunset Freerider').pk}/",
        }
    ]


def test_option_price_with_its_conditional_prices(demo_catalog, chat):
    data = chat("how much is the matt finish?")  # misspelt on purpose
    assert data["answer"] == (
        "Matte frame finish costs 40.00 EUR on its own; 50.00 EUR with Full-suspension; 35.00 EUR with Diamond."
    )


def test_unknown_words_get_help_not_invented_products(demo_catalog, chat):
    data = chat("do you sell pizza?")
    assert data["products"] == []
    assert "bicycles" in data["answer"]


def test_parser_reads_names_from_the_database(demo_catalog):
    # A name the code has never seen works as soon as it is in the catalog.
    PartOption.objects.filter(name="Blue").update(name="Ultramarine")
    vocab = Vocabulary.load()
    parsed = parse("can I have ultramarin rims with fat bike wheels?", vocab)
    assert parsed.kind == "compatibility"
    assert {vocab.options[i].name for i in parsed.option_ids} == {"Ultramarine", "Fat bike wheels"}
