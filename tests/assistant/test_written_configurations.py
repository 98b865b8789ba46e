"""Configurations as customers write them, read from the catalog's own data (bench/data/dev_written's
catalog, which the engine was not written against): units glued to numbers, a number alone, an option named
by a word of its name and words of its description or part, runs of several names without commas, a part of one
option, a category by its head noun, and yes/no questions without a question word."""

from __future__ import annotations

from pathlib import Path

import pytest

from apps.ai_assistant.assistant.understanding.parser import parse
from apps.ai_assistant.assistant.understanding.vocabulary import Vocabulary
from apps.catalog.services.demo_catalog import load_demo_catalog

CATALOG = Path(__file__).resolve().parents[2] / "bench" / "data" / "dev_written" / "catalog.json"


@pytest.fixture
def vocab(settings, db) -> Vocabulary:
    settings.AI_INDEX_AUTO_UPDATE = False
    load_demo_catalog(CATALOG)
    return Vocabulary.load()


def _read(vocab: Vocabulary, message: str):
    parsed = parse(message, vocab)
    return parsed.kind, sorted(vocab.options[i].name for i in parsed.option_ids)


def test_names_descriptions_numbers_and_a_single_option_part_make_the_configuration(vocab):
    kind, options = _read(vocab, "freestyle rocker, 154, rear-entry, northern lights print and a stomp pad: price?")
    assert kind == "quote"
    assert options == ["154 cm", "Aurora print topsheet", "Diamond stomp pad", "Freestyle rocker board",
                       "Rear-entry bindings"]


def test_another_familys_part_word_does_not_hide_an_option_described_by_it(vocab):
    # Backpacks have a Fabric part; the chair's Graphite fabric is "dark grey woven fabric".
    kind, options = _read(vocab, "executive frame, grey fabric, no arms, aluminium base. total?")
    assert "Graphite fabric" in options and kind == "quote"


def test_names_run_together_are_cut_into_the_options_they_name(vocab):
    kind, options = _read(vocab, "round glass table 110cm on black hairpin legs, matte lacquer")
    assert options == ["Black steel hairpin legs", "Matte lacquer finish", "Round 110 cm", "Tempered glass top"]
    _, options = _read(vocab, "expedition 70l waxed canvas adjustable torso harness")
    assert options == ["Adjustable torso harness", "Expedition body 70 L", "Waxed canvas"]


def test_a_shortened_name_before_another_part_is_that_parts_option(vocab):
    _, options = _read(vocab, "ergonomic frame, navy mesh, fully adjustable armrests, nylon base: how much?")
    assert "4D adjustable armrests" in options and "Adjustable headrest" not in options


def test_a_sentence_with_one_name_word_is_not_cut_into_names(vocab):
    parsed = parse("I have lower back pain and sit at my desk all day", vocab)
    assert parsed.option_ids == []


def test_a_question_without_a_question_word_is_yes_or_no(vocab):
    assert _read(vocab, "mesh task chair in black leather?")[0] == "compatibility"
    assert _read(vocab, "navy mesh in stock?")[0] == "option_stock"
    assert _read(vocab, "what would a mesh task frame with black leather cost?")[0] == "quote"


def test_a_category_is_named_by_its_head_noun(vocab):
    parsed = parse("any backpacks over 400 euro", vocab)
    assert vocab.categories[parsed.category_id].name == "Hiking Backpacks"


def test_a_word_after_a_number_is_counted_not_a_product_name(vocab):
    assert parse("we host dinners for 10 people", vocab).unknown_name == ""
    assert parse("do you have the Zephyr 3000?", vocab).unknown_name == "Zephyr 3000"


def test_adding_a_part_of_one_option_to_the_configuration_just_priced_names_that_option(vocab):
    snowboards = next(c.id for c in vocab.categories.values() if c.name == "Snowboards")
    parsed = parse("ok and if I also add the stomp pad?", vocab, {"kind": "quote", "category_id": snowboards})
    assert [vocab.options[i].name for i in parsed.option_ids] == ["Diamond stomp pad"]
    assert parse("what does a stomp pad do?", vocab).option_ids == []
