"""The guided configuration's reading of free words (no database): which messages start a guide, and what an
answer to a step means, over option names the code never mentions."""

from __future__ import annotations

import pytest

from apps.ai_assistant.assistant.guided_reading import asks_to_build, match_option, read_answer

HULLS = [(1, "Rotomoulded polyethylene hull"), (2, "Carbon-kevlar hull"), (3, "Inflatable drop-stitch hull")]


@pytest.mark.parametrize("message", [
    "I'd like to build a kayak", "can I configure my own canoe?", "help me customise a paddle",
    "I want a custom hammock", "let's put together a tent", "I want to design my own board",
    "build me one", "I'd like to make my own kite", "can you help me spec out a sled?",
])
def test_a_wish_to_build_starts_a_guide(message):
    assert asks_to_build(message)


@pytest.mark.parametrize("message", [
    "what's the build quality like?", "can I build a kayak with a carbon hull and a red seat?",
    "how much to build one with the inflatable hull?", "which kayaks are built for the sea?", "show me kayaks",
])
def test_questions_and_searches_do_not_start_a_guide(message):
    assert not asks_to_build(message)


@pytest.mark.parametrize(("message", "kind", "option"), [
    ("the carbon one", "choose", 2),
    ("carbon kevlar please", "choose", 2),
    ("I'll take the inflatable", "choose", 3),
    ("rotomolded", "choose", 1),  # a small misspelling
    ("polyeth", "choose", 1),  # a prefix
    ("dropstitch", "choose", 3),  # glued
    ("can I have the inflatable one?", "choose", 3),
    ("the second one", "choose", 2),
    ("number 3", "choose", 3),
    ("the last one", "choose", 3),
    ("cheapest", "cheapest", None),
    ("whichever is the cheapest", "cheapest", None),
    ("the most expensive", "priciest", None),
    ("I don't care, you choose", "any", None),
    ("skip", "skip", None),
    ("no thanks", "skip", None),
    ("I don't need one", "skip", None),
    ("go back", "back", None),
    ("start over", "restart", None),
    ("let's start from scratch", "restart", None),
    ("cancel", "cancel", None),
    ("forget it", "cancel", None),
    ("what's the difference between the carbon and the inflatable?", "describe", None),
    ("what were the options again?", "repeat", None),
    ("ok, let's continue", "repeat", None),
    ("how much is shipping to Norway?", "question", None),
    ("do you sell paddles?", "question", None),
    ("add it to my cart", "question", None),
    ("thanks!", "question", None),
    ("hmm", "unclear", None),
])
def test_answers_to_a_step(message, kind, option):
    reading = read_answer(message, HULLS, "Hull")
    assert reading.kind == kind
    if option is not None:
        assert reading.option_id == option


def test_a_part_word_alone_names_no_option_and_equal_fits_are_ambiguous():
    assert match_option("a hull", HULLS, "Hull") == []
    seats = [(7, "Mesh seat high"), (8, "Mesh seat low")]
    assert match_option("mesh", seats, "Seat") == [7, 8]
    assert read_answer("mesh", seats, "Seat").candidates == [7, 8]


def test_an_option_named_with_a_control_word_is_chosen_not_obeyed():
    racks = [(4, "Back rack"), (5, "Front basket")]
    assert read_answer("the back rack", racks, "Carrier").option_id == 4
    assert read_answer("go back", racks, "Carrier").kind == "back"
