"""The question generator: labels agree with the database and the configurator; dev and held-out are apart."""

from __future__ import annotations

import string
from collections import Counter
from decimal import Decimal

import pytest

from apps.catalog.models import PartOption
from apps.catalog.services.configurator import effective_price, quote
from apps.catalog.services.synthetic_catalog import generate_synthetic_catalog, wipe_catalog
from apps.preconfigured_products.models import PreConfiguredProduct
from apps.preconfigured_products.selectors import product_price_and_availability
from bench.assistant_eval import phrasings_dev, phrasings_heldout
from bench.assistant_eval.catalog_facts import load_catalog_facts
from bench.assistant_eval.generator import INTENTS, generate_questions
from bench.assistant_eval.question_sets import DEV, HELDOUT

pytestmark = pytest.mark.django_db


def _questions(params: dict) -> list[dict]:
    wipe_catalog()
    generate_synthetic_catalog(
        products=params["products"], seed=params["seed"], categories=params["categories"], style=params["style"]
    )
    return generate_questions(load_catalog_facts(), pool=params["pool"], seed=params["seed"])


@pytest.fixture
def dev_questions() -> list[dict]:
    return _questions(DEV)


def test_every_intent_is_asked_several_times(dev_questions):
    counts = Counter(q["intent"] for q in dev_questions)
    assert set(counts) == set(INTENTS)
    assert min(counts.values()) >= 5, counts
    assert len({q["question"] for q in dev_questions}) == len(dev_questions)


def test_prices_are_the_configurators(dev_questions):
    checked = Counter()
    for q in dev_questions:
        meta, expect = q["meta"], q["expect"]
        if q["intent"] in ("config_price", "follow_up") and "options" in meta:
            result = quote(meta["category"], meta["options"])
            assert result.valid, q
            assert str(result.price) == expect["amount"], q
            checked["config"] += 1
        elif q["intent"] == "missing_part":
            result = quote(meta["category"], meta["options"])
            assert {e.code for e in result.errors} == {"missing_part"}, q
            named = {e.message.split('"')[1] for e in result.errors}
            assert named == set(expect["missing_parts"]), q
            checked["missing"] += 1
        elif q["intent"] in ("product_price", "injection"):
            product = PreConfiguredProduct.objects.get(pk=meta["product"])
            assert str(product_price_and_availability(product).price) == expect["amount"], q
            checked["product"] += 1
        elif q["intent"] == "option_price":
            option = PartOption.objects.get(pk=meta["option"])
            price, _ = effective_price(option, {option.pk, *meta["conditions"]})
            assert str(price) == expect["amount"], q
            checked["option"] += 1
    assert min(checked.values()) >= 5 and len(checked) == 4, checked


def test_yes_no_labels_are_the_catalogs(dev_questions):
    seen = Counter()
    for q in dev_questions:
        if q["intent"] == "compatibility":
            a, b = q["meta"]["options"]
            result = quote(PartOption.objects.get(pk=a).part.category_id, [a, b])
            assert ("incompatible" not in {e.code for e in result.errors}) == q["expect"]["answer_yes"], q
            seen[q["expect"]["answer_yes"]] += 1
        elif q["intent"] == "stock" and "option" in q["meta"]:
            assert PartOption.objects.get(pk=q["meta"]["option"]).in_stock == q["expect"]["answer_yes"], q
        elif "product" in q["meta"] and "answer_yes" in q["expect"]:
            product = PreConfiguredProduct.objects.get(pk=q["meta"]["product"])
            assert product_price_and_availability(product).available == q["expect"]["answer_yes"], q
    assert seen[True] and seen[False], seen  # both answers occur


def test_the_dev_and_held_out_sets_share_no_phrasing_no_question_and_no_product(dev_questions):
    def skeleton(template: str) -> str:
        return " ".join(w for w in template.lower().split() if "{" not in w).strip(string.punctuation + " ")

    for key, templates in phrasings_dev.TEMPLATES.items():
        others = phrasings_heldout.TEMPLATES[key]
        assert not set(templates) & set(others), key
        assert not {skeleton(t) for t in templates} & {skeleton(t) for t in others}, key
    assert not set(phrasings_dev.USES.values()) & set(phrasings_heldout.USES.values())
    dev_products = set(PreConfiguredProduct.objects.values_list("name", flat=True))
    heldout = _questions(HELDOUT)
    assert not {q["question"] for q in dev_questions} & {q["question"] for q in heldout}
    assert not dev_products & set(PreConfiguredProduct.objects.values_list("name", flat=True))


def test_the_same_catalog_and_seed_give_the_same_questions(dev_questions):
    again = generate_questions(load_catalog_facts(), pool="A", seed=DEV["seed"])
    assert [q["question"] for q in again] == [q["question"] for q in dev_questions]
    other = generate_questions(load_catalog_facts(), pool="A", seed=DEV["seed"] + 1)
    assert [q["question"] for q in other] != [q["question"] for q in dev_questions]


def test_amount_labels_are_money_strings(dev_questions):
    for q in dev_questions:
        if "amount" in q["expect"]:
            assert Decimal(q["expect"]["amount"]).as_tuple().exponent == -2, q
