"""Guided configuration as tools for a model (the OpenAI engine): start_configuration, next_configuration_step
and choose_option, backed by the same steps as the built-in engine's guide (guided_steps.py) and reading the
same free words (guided_reading.py). Unlike the read-only catalog tools (tools/registry.py) they change the
chat session's guide, so the engine runs them with the session's GuideCursor and stores it afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apps.ai_assistant.assistant.guided_reading import category_named, read_answer
from apps.ai_assistant.assistant.guided_steps import (
    GUIDE,
    Guide,
    GuideRefusal,
    GuideState,
    Step,
    configurator_page,
    product_page,
)
from apps.ai_assistant.assistant.tool_runner import parse_arguments
from apps.ai_assistant.assistant.tools.arguments import ToolError, resolve_options, text, text_list
from apps.ai_assistant.assistant.tools.money import money
from apps.ai_assistant.assistant.tools.products import product_facts
from apps.ai_assistant.assistant.understanding.vocabulary import Vocabulary

ANSWER_WORDS = "'cheapest', 'most expensive', 'skip', 'back', 'start over' or 'cancel'"

START_CONFIGURATION_SCHEMA: dict = {
    "type": "function",
    "function": {
        "name": "start_configuration",
        "description": "Start a guided configuration when the customer wants to build, configure or customise a "
        "product of a category step by step. Returns the first part with its options (price given the choices so "
        "far, in_stock) and the options left out with the reason. Options the customer already named are taken "
        "when their part comes. Starting again discards the one under way.",
        "parameters": {
            "type": "object",
            "properties": {
                "category": {"type": "string", "description": "the category, e.g. 'bikes'"},
                "options": {"type": "array", "items": {"type": "string"},
                            "description": "option names the customer already asked for, e.g. ['red rims']"},
            },
            "required": ["category"],
        },
    },
}
NEXT_CONFIGURATION_STEP_SCHEMA: dict = {
    "type": "function",
    "function": {
        "name": "next_configuration_step",
        "description": "Where the guided configuration under way stands: the current part and its options, or, "
        "when every part is chosen, the configurator's total, breakdown and product or quote page.",
        "parameters": {"type": "object", "properties": {}},
    },
}
CHOOSE_OPTION_SCHEMA: dict = {
    "type": "function",
    "function": {
        "name": "choose_option",
        "description": "Answer the current step of the guided configuration with the customer's words: an option "
        f"name (part of it is enough) or id, or {ANSWER_WORDS}. Returns the next step, or the configurator's "
        "total when every part is chosen; a refused answer comes back with the reason and the same step.",
        "parameters": {
            "type": "object",
            "properties": {"answer": {"type": "string"}},
            "required": ["answer"],
        },
    },
}
GUIDED_TOOL_SCHEMAS: list[dict] = [START_CONFIGURATION_SCHEMA, NEXT_CONFIGURATION_STEP_SCHEMA, CHOOSE_OPTION_SCHEMA]
GUIDED_TOOL_NAMES = frozenset(schema["function"]["name"] for schema in GUIDED_TOOL_SCHEMAS)


@dataclass
class GuideCursor:
    """A session's guide while a model answers: what the tools read and change, stored by the engine after."""

    state: GuideState | None
    changed: bool = False

    @classmethod
    def of(cls, context: dict | None) -> GuideCursor:
        return cls(GuideState.from_context(context))

    def context(self, context: dict | None) -> dict:
        rest = {key: value for key, value in (context or {}).items() if key != GUIDE}
        return rest if self.state is None else {**rest, GUIDE: self.state.to_context()}


def _step_data(guide: Guide, step: Step) -> dict:
    return {
        "status": "choosing",
        "category": guide.category,
        "step": step.number,
        "of": step.total,
        "part": step.part,
        "required": step.required,
        "options": [{"id": o.id, "name": o.name, "price": money(o.price), "in_stock": o.in_stock}
                    for o in step.options],
        "left_out": [{"name": o.name, "reasons": o.reasons} for o in step.left_out],
        "chosen": [{"part": part, "option": option or "(skipped)"} for part, option in guide.chosen()],
        "how_to_answer": f"call choose_option with an option name or {ANSWER_WORDS}",
    }


def _where(guide: Guide) -> dict:
    """The current step, or the finished configuration; what changed on the way (options named in advance
    taken, a stored choice the catalog no longer allows) under "notes"."""
    notes = [note for note in (guide.dropped, *guide.take_presets()) if note]
    step = guide.step()
    if step is not None:
        return {**_step_data(guide, step), "notes": notes}
    done = guide.finish()
    cards = [f.card() for f in product_facts([done.product_id])] if done.product_id is not None else []
    return {
        "status": "complete",
        "category": done.category,
        "valid": done.valid,
        "problems": done.problems,
        "total": money(done.price),
        "currency": done.currency,
        "breakdown": [{"part": line.part, "option": line.option, "price": money(line.price)}
                      for line in done.breakdown],
        "product": cards[0] if cards else None,
        "product_page": product_page(done.product_id) if cards else None,
        "quote_page": configurator_page(guide.catalog.category.slug, done.option_ids),
        "options": done.option_ids,
        "products": [card["id"] for card in cards],  # the engine's cards (taken out of what the model sees)
        "sources": done.sources,
        "notes": notes,
    }


def _open(cursor: GuideCursor) -> Guide:
    guide = Guide.open(cursor.state) if cursor.state is not None else None
    if guide is None:
        raise ToolError("no guided configuration is under way; call start_configuration first")
    return guide


def start_configuration(args: dict, cursor: GuideCursor, vocab: Vocabulary) -> dict:
    name = text(args.get("category"), "category", required=True)
    category_id = category_named(name, vocab)
    if category_id is None:
        known = ", ".join(c.name for c in vocab.categories.values())
        raise ToolError(f"unknown category {name[:60]!r}; known: {known}")
    named, unknown = resolve_options(vocab, category_id, text_list(args.get("options"), "options"))
    presets: dict[int, int] = {}
    for option in named:
        presets.setdefault(option.part_id, option.id)  # the first one named for a part
    cursor.state, cursor.changed = GuideState(category_id, presets=presets), True
    result = _where(_open(cursor))
    return {**result, "unknown_options": unknown} if unknown else result


def next_configuration_step(args: dict, cursor: GuideCursor, vocab: Vocabulary) -> dict:
    return _where(_open(cursor))


def choose_option(args: dict, cursor: GuideCursor, vocab: Vocabulary) -> dict:
    said = text(args.get("answer"), "answer", required=True)
    guide = _open(cursor)
    step = guide.step()
    if step is None:
        return _where(guide)
    options = [(o.id, o.name) for o in step.options + step.left_out]
    reading = read_answer(said, options, step.part)
    if said.strip().isdecimal() and int(said) in dict(options):
        reading.kind, reading.option_id = "choose", int(said)
    refused = None
    try:
        if reading.kind == "cancel":
            cursor.state, cursor.changed = None, True
            return {"status": "cancelled"}
        if reading.kind in {"cheapest", "priciest", "any"}:
            guide.choose_by_price(highest=reading.kind == "priciest")
        elif reading.kind == "choose":
            guide.choose(reading.option_id)
        elif reading.kind == "skip":
            guide.skip()
        elif reading.kind == "back":
            guide.back()
        elif reading.kind == "restart":
            guide.restart()
        else:
            names = ", ".join(o.name for o in step.options)
            raise GuideRefusal(f"{said[:60]!r} names no single option of {step.part}; its options: {names}")
    except GuideRefusal as refusal:
        refused = str(refusal)
    cursor.state, cursor.changed = guide.state, True
    result = _where(guide)
    return {"refused": refused, **result} if refused else result


RUNNERS = {
    "start_configuration": start_configuration,
    "next_configuration_step": next_configuration_step,
    "choose_option": choose_option,
}


def run_guided_tool(name: str, arguments: Any, cursor: GuideCursor, vocab: Vocabulary) -> dict:
    """Run one guided tool call; a bad call comes back as {"error": ...}, never raised."""
    try:
        result = RUNNERS[name](parse_arguments(arguments), cursor, vocab)
    except (ToolError, ValueError, TypeError) as exc:
        return {"error": str(exc)[:300]}
    if result.get("status") == "complete":
        cursor.state, cursor.changed = None, True  # done: the session's next messages are not for the guide
    return result


def describe(cursor: GuideCursor, vocab: Vocabulary) -> str:
    """A line for the model's instructions: the guide under way, if any (from data, never from text)."""
    if cursor.state is None or cursor.state.category_id not in vocab.categories:
        return "No guided configuration is under way."
    return (f"A guided configuration of {vocab.categories[cursor.state.category_id].name} is under way, "
            f"{len(cursor.state.choices)} part(s) answered: call next_configuration_step to see where it stands, "
            "and choose_option with the customer's answer unless they ask something else.")
