"""Question files and blind folders: the format is checked, the sample's labels hold on its catalog, the
runner asks a follow-up in the session of the question it follows."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from apps.catalog.services.configurator import quote
from apps.catalog.services.demo_catalog import load_demo_catalog
from apps.preconfigured_products.models import PreConfiguredProduct
from apps.preconfigured_products.selectors import product_price_and_availability
from bench.assistant_eval import runner
from bench.assistant_eval.catalog_facts import load_catalog_facts
from bench.assistant_eval.question_sets import blind_folders, read_questions
from bench.assistant_eval.scorer import score

SAMPLE = Path(__file__).parent / "sample_blind"


def test_blind_folders_are_those_with_a_catalog(tmp_path):
    shutil.copytree(SAMPLE, tmp_path / "blind_kites")
    (tmp_path / "blind_empty").mkdir()
    (tmp_path / "other").mkdir()
    assert blind_folders(tmp_path) == [tmp_path / "blind_kites"]


def test_a_question_following_an_unknown_one_is_refused(tmp_path):
    questions = read_questions(SAMPLE / "assistant_questions.json")
    questions[1]["follow_up_of"] = "q999"
    (tmp_path / "q.json").write_text(json.dumps(questions))
    with pytest.raises(ValueError, match="q999"):
        read_questions(tmp_path / "q.json")


@pytest.mark.django_db
def test_the_sample_labels_hold_on_its_catalog(settings):
    settings.AI_INDEX_AUTO_UPDATE = False
    load_demo_catalog(SAMPLE / "catalog.json")
    breeze = PreConfiguredProduct.objects.get(name="Breeze Rider")
    storm = PreConfiguredProduct.objects.get(name="Storm Chaser")
    assert product_price_and_availability(breeze).price == Decimal("710.00")
    assert product_price_and_availability(storm).price < Decimal("720.00")
    result = quote(breeze.category_id, list(breeze.options.values_list("pk", flat=True))[:1])
    assert "missing_part" in {e.code for e in result.errors}


@pytest.mark.django_db
def test_the_runner_asks_follow_ups_in_their_session_and_scores_each(settings, monkeypatch):
    settings.AI_INDEX_AUTO_UPDATE = False
    load_demo_catalog(SAMPLE / "catalog.json")
    calls: list[tuple[str, str | None]] = []

    def fake_chat(message: str, session_id=None) -> dict:
        calls.append((message, session_id))
        answer = "Yes, in stock." if session_id else "The Breeze Rider costs 710.00 EUR."
        return {"answer": answer, "products": [{"name": "Breeze Rider", "price": "710.00"}],
                "session_id": session_id or f"s{len(calls)}"}

    from apps.ai_assistant.assistant import service

    monkeypatch.setattr(service, "chat", fake_chat)
    questions = read_questions(SAMPLE / "assistant_questions.json")[:3]
    results = runner.ask_all(questions, load_catalog_facts())
    assert calls[0][1] is None and calls[1][1] == "s1" and calls[2][1] is None
    assert [r["ok"] for r in results] == [True, True, False]  # q003 expects "No"
    assert results[2]["failed"] == ["answer_yes"]


@pytest.mark.django_db
def test_a_price_the_catalog_does_not_hold_is_counted_wrong_on_the_sample(settings):
    settings.AI_INDEX_AUTO_UPDATE = False
    load_demo_catalog(SAMPLE / "catalog.json")
    book = runner.price_book(load_catalog_facts())
    question = read_questions(SAMPLE / "assistant_questions.json")[3]  # missing the control bar
    offer = {"answer": "Choose a control bar: 45 cm bar 150.00 EUR or 55 cm bar 170.00 EUR.", "products": []}
    assert score(question, offer, book).ok
    subtotal = {"answer": "So far 480.00 EUR; choose a control bar.", "products": []}
    assert score(question, subtotal, book).wrong_amounts == [Decimal("480.00")]


def test_the_table_has_a_row_per_intent_and_a_column_per_set_even_without_runs():
    from bench.assistant import summary_table

    def result(intent: str, ok: bool, wrong: list[str]) -> dict:
        return {"intent": intent, "ok": ok, "wrong_amounts": wrong, "ms": 10.0}

    dev = {"column": "dev", "results": [result("find", True, []), result("find", False, ["1.00"]),
                                        result("not_sold", True, [])]}
    lines = summary_table([dev], ["dev", "blind"]).splitlines()
    assert lines[0] == "| intent | dev | blind |"
    assert "| find | 1/2 (50%) | – |" in lines
    assert "| not_sold | 1/1 (100%) | – |" in lines
    assert "| **all** | **2/3 (67%)** | **–** |" in lines
    assert "| wrong prices (answers) | 1 | – |" in lines
