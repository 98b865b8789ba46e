"""The written development set (bench/data/dev_written): its questions load, its catalog loads, and
`--set written` names it in its own column."""

from __future__ import annotations

from collections import Counter

import pytest

from apps.catalog.models import Category
from apps.preconfigured_products.models import PreConfiguredProduct
from bench.assistant_eval.question_sets import WRITTEN_DEV, blind_folders, question_set


def test_the_written_set_is_not_taken_for_a_blind_folder():
    assert WRITTEN_DEV not in blind_folders()


def test_the_written_questions_load_with_every_intent_of_the_table():
    from bench.assistant import ROWS

    chosen = question_set("written")
    questions = chosen.questions(None)
    intents = Counter(q["intent"] for q in questions)
    assert (chosen.name, chosen.column) == ("written", "written dev")
    assert len(questions) == 141
    assert set(intents) == set(ROWS)
    assert all(q["follow_up_of"] for q in questions if q["intent"] == "follow_up")


@pytest.mark.django_db
def test_the_written_catalog_loads(settings):
    settings.AI_INDEX_AUTO_UPDATE = False
    question_set("written").load_catalog()
    assert Category.objects.count() == 4
    assert PreConfiguredProduct.objects.count() == 56
    assert PreConfiguredProduct.objects.filter(name="Parkrat 154").exists()
