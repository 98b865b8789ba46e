"""The list_part_options tool: a part's options with their prices, stock, conditional prices and
incompatibilities, from the database at call time."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from apps.ai_assistant.assistant.tools.arguments import ToolError, names_of, resolve_category, text
from apps.ai_assistant.assistant.tools.money import currency, money
from apps.ai_assistant.assistant.understanding.vocabulary import OptionInfo, Vocabulary
from apps.catalog.models import IncompatibilityRule, PriceAdjustmentRule


def option_brief(opt: OptionInfo, price: Decimal | None = None) -> dict:
    return {"id": opt.id, "name": opt.name, "price": money(price if price is not None else opt.price),
            "in_stock": opt.in_stock}


# -- the list_part_options tool ------------------------------------------------------------------
LIST_PART_OPTIONS_SCHEMA: dict = {
    "type": "function",
    "function": {
        "name": "list_part_options",
        "description": "List the options of one part of a category (e.g. Bicycles / Rim color) with prices, "
        "stock, prices that depend on other choices and incompatibilities.",
        "parameters": {
            "type": "object",
            "properties": {"category": {"type": "string"}, "part": {"type": "string"}},
            "required": ["part"],
        },
    },
}


def list_part_options(category: Any, part: Any, vocab: Vocabulary | None = None) -> dict:
    """A part's options with their prices, stock, conditional prices and incompatibilities."""
    vocab = vocab or Vocabulary.load()
    cat = resolve_category(vocab, category, required=False)
    found = vocab.find_part(cat.id if cat else None, part) if part not in (None, "") else None
    if found is None:
        known = vocab.category_parts(cat.id) if cat else list(vocab.parts.values())
        raise ToolError(f"unknown part {str(part)[:60]!r}; known parts: " + names_of(known))
    options = vocab.part_options(found.id)
    ids = [o.id for o in options]
    price_rules: dict[int, list[dict]] = {}
    rule_ids = []
    for rule in PriceAdjustmentRule.objects.filter(affected_option_id__in=ids).prefetch_related("condition_options"):
        conditions = [c.name for c in rule.condition_options.all()]
        price_rules.setdefault(rule.affected_option_id, []).append(
            {"price": money(rule.adjusted_price), "when_chosen_with": conditions}
        )
        rule_ids.append(rule.id)
    incompatible: dict[int, list[str]] = {}
    incompat_ids = []
    for rule in IncompatibilityRule.objects.filter(part_option_id__in=ids).select_related("incompatible_with_option"):
        incompatible.setdefault(rule.part_option_id, []).append(rule.incompatible_with_option.name)
        incompat_ids.append(rule.id)
    for rule in IncompatibilityRule.objects.filter(incompatible_with_option_id__in=ids).select_related("part_option"):
        incompatible.setdefault(rule.incompatible_with_option_id, []).append(rule.part_option.name)
        incompat_ids.append(rule.id)
    return {
        "category": vocab.categories[found.category_id].name,
        "category_id": found.category_id,
        "part": found.name,
        "part_id": found.id,
        "required": found.required,
        "currency": currency(),
        "options": [
            {
                **option_brief(o),
                "price_rules": price_rules.get(o.id, []),
                "incompatible_with": sorted(set(incompatible.get(o.id, []))),
            }
            for o in options
        ],
        "sources": [f"part:{found.id}", *(f"price_rule:{r}" for r in sorted(set(rule_ids))),
                    *(f"incompatibility:{r}" for r in sorted(set(incompat_ids)))],
    }


def run_list_part_options(args: dict, vocab: Vocabulary) -> dict:
    return list_part_options(
        text(args.get("category"), "category"), text(args.get("part"), "part"), vocab=vocab
    )
