"""A catalog too large to hold its product names in memory (MAX_PRODUCT_NAMES): a product named with its
model number is found in the database by the words the message starts its name with, on a catalog the
engine's code never names (lamps, made up here)."""

from __future__ import annotations

import json

import pytest

from apps.catalog.services.demo_catalog import load_demo_catalog

pytestmark = pytest.mark.django_db

LAMPS = {
    "name": "Lighting L1",
    "slug": "lighting-l1",
    "description": "Lamps for the desk.",
    "parts": [
        {"name": "Shade", "step": 1, "description": "Over the bulb.", "options": [
            {"name": "Linen shade", "price": "30.00", "in_stock": True, "description": "Soft light."},
            {"name": "Brass shade", "price": "55.00", "in_stock": True, "description": "Bright, polished."},
        ]},
    ],
    "incompatibilities": [],
    "price_rules": [],
    "products": [
        # More products starting with the same words than a look-up by the first words would return.
        *({"name": f"Polaris Drift Lamp {n}", "options": ["Linen shade"], "description": "Another lamp."}
          for n in range(100, 140)),
        {"name": "Polaris Drift Lamp 830", "options": ["Brass shade"], "description": "A brass desk lamp."},
        {"name": "Polaris Drift Lamp 83", "options": ["Linen shade"], "description": "A linen desk lamp."},
    ],
}


@pytest.fixture
def lamps(db, settings, tmp_path, monkeypatch):
    settings.AI_INDEX_AUTO_UPDATE = False
    path = tmp_path / "lamps.json"
    path.write_text(json.dumps({"categories": [LAMPS]}))
    load_demo_catalog(path)
    settings.AI_INDEX_AUTO_UPDATE = True
    monkeypatch.setattr("apps.ai_assistant.assistant.understanding.vocabulary.MAX_PRODUCT_NAMES", 1)


def test_a_product_named_with_its_number_is_found_beyond_the_names_held(lamps, chat):
    answer = chat("what's the price of the Polaris Drift Lamp 830")["answer"]
    assert "The Polaris Drift Lamp 830 costs 55.00 EUR" in answer, answer
    assert "Lamp 83 " not in answer and "don't sell" not in answer
    other = chat("how much is the Polaris Drift Lamp 83?", new=True)["answer"]
    assert "The Polaris Drift Lamp 83 costs 30.00 EUR" in other


def test_a_product_named_in_lower_case_is_found_too(lamps, chat):
    answer = chat("polaris drift lamp 830 cost.")["answer"]
    assert "The Polaris Drift Lamp 830 costs 55.00 EUR" in answer and "don't sell" not in answer, answer


def test_a_name_the_shop_does_not_have_is_still_not_sold(lamps, chat):
    assert chat("how much is the Polaris Drift Lamp 999?")["answer"].startswith("We don't sell")
