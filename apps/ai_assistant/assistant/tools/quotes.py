"""Prices and compatibility of a configuration: the configurator's verdict spelled out (quote_ids) and the
quote_configuration tool that takes option names or ids."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from apps.ai_assistant.assistant.tools.arguments import (
    ToolError,
    names_of,
    resolve_category,
    resolve_options,
    text,
    text_list,
)
from apps.ai_assistant.assistant.tools.money import money
from apps.ai_assistant.assistant.tools.parts import option_brief
from apps.ai_assistant.assistant.understanding.vocabulary import Vocabulary
from apps.catalog.models import IncompatibilityRule, PriceAdjustmentRule
from apps.catalog.services import configurator


def quote_ids(category_id: int, option_ids: list[int], vocab: Vocabulary | None = None) -> dict:
    """The configurator's verdict on a selection, with missing parts and conflicts spelled out."""
    vocab = vocab or Vocabulary.load()
    q = configurator.quote(category_id, list(option_ids))
    chosen = [vocab.options[i] for i in option_ids if i in vocab.options]
    chosen_parts = {o.part_id for o in chosen}
    available = {int(k): v for k, v in (q.available_options or {}).items()}

    missing = []
    for part in vocab.category_parts(category_id):
        if part.id in chosen_parts or not part.required:
            continue
        choosable = {int(o["id"]): o for o in available.get(part.id, [])}
        options = []
        for opt in vocab.part_options(part.id):
            brief = option_brief(opt, Decimal(str(choosable[opt.id]["price"])) if opt.id in choosable else None)
            brief["compatible_with_selection"] = opt.id in choosable if available else True
            options.append(brief)
        missing.append({"part_id": part.id, "part": part.name, "options": options})

    conflicts, out_of_stock, other = [], [], []
    for err in q.errors:
        ids = [int(i) for i in err.options]
        names = [vocab.options[i].name for i in ids if i in vocab.options]
        if err.code == "incompatible":
            conflicts.append({"options": names, "option_ids": ids, "message": err.message})
        elif err.code in ("out_of_stock", "inactive"):
            out_of_stock.append({"options": names, "option_ids": ids, "message": err.message})
        elif err.code in ("missing_part", "duplicate_part"):
            continue  # spelled out as missing_parts and several_options_for_one_part
        else:
            other.append({"code": err.code, "message": err.message})

    same_part = [p for p in chosen_parts if sum(1 for o in chosen if o.part_id == p) > 1]
    part_ids = sorted(chosen_parts | {m["part_id"] for m in missing})
    rule_ids = [line.rule for line in q.breakdown if line.rule is not None]
    rule_texts = _price_rule_texts(rule_ids)
    sources = [
        f"category:{category_id}",
        *(f"part:{p}" for p in part_ids),
        *(f"incompatibility:{r}" for r in _rule_ids_between(option_ids)),
        *(f"price_rule:{r}" for r in rule_ids),
    ]
    breakdown = [
        {
            "part": line.part,
            "option": line.option,
            "option_id": line.option_id,
            "price": money(line.price),
            "price_rule": rule_texts.get(line.rule),
        }
        for line in q.breakdown
    ]
    return {
        "category": vocab.categories[category_id].name if category_id in vocab.categories else None,
        "category_id": category_id,
        "valid": bool(q.valid),
        "price": money(q.price),
        "currency": q.currency,
        "breakdown": breakdown,
        "missing_parts": missing,
        "conflicts": conflicts,
        "out_of_stock": out_of_stock,
        "several_options_for_one_part": [vocab.parts[p].name for p in same_part],
        "other_errors": other,
        "sources": list(dict.fromkeys(sources)),
    }


def _rule_ids_between(option_ids: list[int]) -> list[int]:
    ids = list(option_ids)
    return list(
        IncompatibilityRule.objects.filter(part_option_id__in=ids, incompatible_with_option_id__in=ids)
        .order_by("id")
        .values_list("id", flat=True)
    )


def _price_rule_texts(rule_ids: list[int]) -> dict[int, str]:
    """"with Full-suspension" for each price rule id: the condition that set an option's price."""
    texts = {}
    for rule in PriceAdjustmentRule.objects.filter(id__in=rule_ids).prefetch_related("condition_options"):
        texts[rule.id] = "with " + " + ".join(c.name for c in rule.condition_options.all())
    return texts


# -- the quote_configuration tool ----------------------------------------------------------------
QUOTE_CONFIGURATION_SCHEMA: dict = {
    "type": "function",
    "function": {
        "name": "quote_configuration",
        "description": "Check and price a custom configuration: whether the chosen options can be combined, "
        "which are out of stock, which required parts are missing (with their options) and the exact price. "
        "Use it for every compatibility and configuration price question.",
        "parameters": {
            "type": "object",
            "properties": {
                "category": {"type": "string"},
                "options": {"type": "array", "items": {"type": "string"},
                            "description": "option names, e.g. ['Matte', 'Full-suspension', 'Road wheels']"},
            },
            "required": ["options"],
        },
    },
}


def quote_configuration(category: Any, options: list | None, vocab: Vocabulary | None = None) -> dict:
    """Validate and price a configuration given by option names or ids."""
    vocab = vocab or Vocabulary.load()
    cat = resolve_category(vocab, category, required=False)
    if cat is None:
        # Option names alone may say the category ("matte", "fat bike wheels").
        first = next((vocab.find_option(None, v) for v in options or [] if vocab.find_option(None, v)), None)
        if first is None:
            raise ToolError("category is required; known categories: " + names_of(vocab.categories.values()))
        cat = vocab.categories[first.category_id]
    opts, unknown = resolve_options(vocab, cat.id, list(options or []))
    result = quote_ids(cat.id, [o.id for o in opts], vocab)
    result["unknown_options"] = unknown
    return result


def run_quote_configuration(args: dict, vocab: Vocabulary) -> dict:
    return quote_configuration(
        text(args.get("category"), "category"), text_list(args.get("options"), "options"), vocab=vocab
    )
