"""The question sets of `bench.assistant`: which catalog each loads and which questions it asks.

| set | catalog | questions | tuned on? |
|---|---|---|---|
| demo | the demo catalog | `demo_questions` (hand-written with the engine) | yes |
| dev | `generate_catalog --style rich --seed 11` (6 families, 80 products) | pool A, seed 11 | may be |
| heldout | `generate_catalog --style rich --seed 29` (6 families, 80 products) | pool B, seed 29 | never: only scored |
| written | bench/data/dev_written/catalog.json (4 families, 56 products) | its assistant_questions.json, written
  like a blind set by someone who never read the engine | yes: the development set for generalisation |
| blind:<name> | bench/data/blind_<name>/catalog.json | its assistant_questions.json | never |
| large | `generate_catalog --seed 5` (plain, 10,000 products) | pool A, seed 5 | latency only |
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.assistant_eval.catalog_facts import CatalogFacts

BLIND_ROOT = Path(__file__).resolve().parent.parent / "data"
WRITTEN_DEV = BLIND_ROOT / "dev_written"
DEV = {"seed": 11, "style": "rich", "products": 80, "categories": 6, "pool": "A"}
HELDOUT = {"seed": 29, "style": "rich", "products": 80, "categories": 6, "pool": "B"}
LARGE = {"seed": 5, "style": "plain", "products": 10_000, "categories": 8, "pool": "A"}


@dataclass
class QuestionSet:
    name: str
    column: str  # the table column it counts in
    load_catalog: Callable[[], None]
    questions: Callable[[CatalogFacts], list[dict]]


def _generated(params: dict) -> tuple[Callable[[], None], Callable[[CatalogFacts], list[dict]]]:
    def load() -> None:
        from apps.catalog.services.synthetic_catalog import generate_synthetic_catalog

        generate_synthetic_catalog(
            products=params["products"], seed=params["seed"], categories=params["categories"], style=params["style"]
        )

    def questions(facts: CatalogFacts) -> list[dict]:
        from bench.assistant_eval.generator import generate_questions

        return generate_questions(facts, pool=params["pool"], seed=params["seed"])

    return load, questions


def _demo() -> QuestionSet:
    from bench.assistant_eval.demo_questions import demo_questions

    def load() -> None:
        from apps.catalog.services.demo_catalog import load_demo_catalog

        load_demo_catalog()

    return QuestionSet("demo", "demo", load, lambda facts: demo_questions())


def read_questions(path: Path) -> list[dict]:
    """A question file (docs/benchmarks.md): a list of {id, intent, question, follow_up_of, expect}."""
    questions = json.loads(path.read_text(encoding="utf-8"))
    ids = {q["id"] for q in questions}
    for question in questions:
        missing = {"id", "intent", "question", "expect"} - set(question)
        if missing:
            raise ValueError(f"{path}: question {question.get('id')!r} lacks {sorted(missing)}")
        if question.get("follow_up_of") not in (None, *ids):
            raise ValueError(f"{path}: {question['id']} follows an unknown question {question['follow_up_of']!r}")
    return questions


def folder_set(name: str, column: str, folder: Path) -> QuestionSet:
    """A set kept as a folder of `catalog.json` + `assistant_questions.json` (blind sets, the written dev set)."""

    def load() -> None:
        from apps.catalog.services.demo_catalog import load_demo_catalog

        load_demo_catalog(folder / "catalog.json")

    return QuestionSet(name, column, load, lambda facts: read_questions(folder / "assistant_questions.json"))


def blind_set(folder: Path) -> QuestionSet:
    return folder_set(f"blind:{folder}", "blind", folder)


def blind_folders(root: Path = BLIND_ROOT) -> list[Path]:
    return sorted(p for p in root.glob("blind_*") if (p / "catalog.json").is_file())


def question_set(name: str) -> QuestionSet:
    """"demo", "dev", "heldout", "written", "large" or "blind:<folder>"."""
    if name == "demo":
        return _demo()
    if name == "written":
        return folder_set("written", "written dev", WRITTEN_DEV)
    if name.startswith("blind:"):
        return blind_set(Path(name.split(":", 1)[1]))
    params = {"dev": DEV, "heldout": HELDOUT, "large": LARGE}[name]
    column = {"dev": "dev", "heldout": "held-out", "large": "10k"}[name]
    return QuestionSet(name, column, *_generated(params))
