"""How the built-in engine writes names, lists and amounts in its answers."""

from __future__ import annotations

from decimal import Decimal

from apps.ai_assistant.assistant.grammar import singular_name, with_article
from apps.ai_assistant.assistant.tools.money import currency, money
from apps.ai_assistant.assistant.tools.products import ProductFacts
from apps.ai_assistant.assistant.understanding.vocabulary import OptionInfo, Vocabulary
from apps.ai_assistant.assistant.understanding.words import tokens_of


def decimal_or_none(value: object) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def amount(value: object) -> str:
    """"340.00 EUR": an amount as the answer states it."""
    return f"{money(value)} {currency()}"


def option_label(vocab: Vocabulary, opt: OptionInfo) -> str:
    """"Black rim color", "Road wheels", "Matte frame finish": an option with its part when needed."""
    part = vocab.parts[opt.part_id]
    if set(tokens_of(part.name)) & set(tokens_of(opt.name)):
        return opt.name
    return f"{opt.name} {part.name.lower()}"


def category_words(vocab: Vocabulary, category_id: int | None) -> str:
    return vocab.categories[category_id].name.lower() if category_id in vocab.categories else "products"


def category_singular(vocab: Vocabulary, category_id: int) -> str:
    """"bicycle" for Bicycles, "snowboard s5-2" for Snowboards S5-2 (grammar.py)."""
    return singular_name(vocab.categories[category_id].name)


def a_category(vocab: Vocabulary, category_id: int) -> str:
    """"a bicycle", "an electric scooter": one of a family, with its article."""
    return with_article(category_singular(vocab, category_id))


def join_names(names: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def product_lines(facts: list[ProductFacts]) -> list[str]:
    """"- City Glide: 310.00 EUR, in stock", one line per product."""
    return [f"- {f.name}: {amount(f.price)}, {'in stock' if f.available else 'currently unavailable'}"
            for f in facts]
