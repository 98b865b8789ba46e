"""Run one question set in this process: load its catalog into the (fresh) database, build the index, ask
every question through the assistant service, score each answer. Django must already be set up
(`bench.common.setup_environment`)."""

from __future__ import annotations

import time

from bench.assistant_eval.catalog_facts import CatalogFacts, load_catalog_facts
from bench.assistant_eval.question_sets import QuestionSet
from bench.assistant_eval.scorer import PriceBook, score


def price_book(facts: CatalogFacts) -> PriceBook:
    options = {option.price for option in facts.options.values()} | {rule.price for rule in facts.rules}
    return PriceBook(facts.database_prices(), options)


def prepare(question_set: QuestionSet) -> tuple[CatalogFacts, float]:
    """Replace the catalog with the set's, build the index; returns the facts and the build's seconds."""
    from apps.ai_assistant.services.index_service import get_index_service
    from apps.catalog.services.synthetic_catalog import wipe_catalog

    wipe_catalog()
    question_set.load_catalog()
    started = time.monotonic()
    get_index_service().build_index()
    return load_catalog_facts(), time.monotonic() - started


def ask_all(questions: list[dict], facts: CatalogFacts) -> list[dict]:
    """Ask each question (a follow-up in its parent's session) and score it; one result dict per question."""
    from apps.ai_assistant.assistant.service import chat

    book = price_book(facts)
    sessions: dict[str, str] = {}
    texts: dict[str, str] = {}
    results = []
    for question in questions:
        parent = question.get("follow_up_of")
        asked = f"{texts.get(parent, '')} {question['question']}".strip()
        started = time.perf_counter()
        data = chat(question["question"], sessions.get(parent) if parent else None)
        elapsed_ms = (time.perf_counter() - started) * 1000
        sessions[question["id"]] = data["session_id"]
        texts[question["id"]] = asked
        verdict = score(question, data, book, asked)
        results.append({
            "id": question["id"],
            "intent": question["intent"],
            "question": question["question"],
            "follow_up_of": parent,
            "expect": question["expect"],
            "ok": verdict.ok,
            "failed": verdict.failed,
            "wrong_amounts": [str(a) for a in verdict.wrong_amounts],
            "ms": round(elapsed_ms, 1),
            "answer": data["answer"],
            "cards": [card["name"] for card in data["products"]],
        })
    return results
