"""A tool's arguments, checked one at a time: each check returns the value or raises ToolError.

A model's arguments are untrusted input, so each check bounds what it accepts (length, range, type) and says
in its message what is wrong; the tool runner passes that message back to the model as the tool result.
Names of categories and options are resolved here too, through the vocabulary (misspellings forgiven).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from apps.ai_assistant.assistant.understanding.vocabulary import CategoryInfo, OptionInfo, Vocabulary


class ToolError(ValueError):
    """A tool was called with arguments it cannot use; the message says which."""


# Bounds of one argument: far above what the tool schemas need, far below what costs time or memory.
MAX_NUMBER_CHARS = 30
MAX_TEXT_CHARS = 500
MAX_LIST_ITEMS = 30
MAX_PRICE = Decimal("1000000000")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def text(value: Any, name: str, *, required: bool = False) -> str | None:
    """A name or query: a string (an integer id is taken as its digits), at most MAX_TEXT_CHARS long."""
    if value is None or value == "":
        if required:
            raise ToolError(f"{name} is required")
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ToolError(f"{name} must be a string")
    if len(value) > MAX_TEXT_CHARS:
        raise ToolError(f"{name} must be at most {MAX_TEXT_CHARS} characters")
    return value


def text_list(value: Any, name: str) -> list:
    """Option names or ids: a list of strings or integers (one string alone is taken as a list of one)."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    if len(items) > MAX_LIST_ITEMS:
        raise ToolError(f"{name} must have at most {MAX_LIST_ITEMS} items")
    return [text(item, f"each item of {name}") for item in items if item not in (None, "")]


def price(value: Any, name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = value.strip()
        if len(value) > MAX_NUMBER_CHARS:
            raise ToolError(f"{name} must be a number from 0 to {MAX_PRICE}")
    elif not _is_number(value):
        raise ToolError(f"{name} must be a number")
    try:
        number = Decimal(str(value))
    except (ArithmeticError, ValueError) as exc:  # decimal.InvalidOperation is an ArithmeticError
        raise ToolError(f"{name} must be a number") from exc
    if not number.is_finite() or not 0 <= number <= MAX_PRICE:
        raise ToolError(f"{name} must be a number from 0 to {MAX_PRICE}")
    return number


def integer(value: Any, name: str, *, default: int, low: int, high: int) -> int:
    if value is None or value == "":
        return default
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ToolError(f"{name} must be an integer from {low} to {high}")
    return value


def boolean(value: Any, name: str) -> bool | None:
    if value is None:
        return None
    if not isinstance(value, bool):
        raise ToolError(f"{name} must be true or false")
    return value


def choice(value: Any, name: str, allowed: tuple[str, ...]) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value not in allowed:
        raise ToolError(f"{name} must be one of {', '.join(allowed)}")
    return value


# -- names of the catalog ------------------------------------------------------------------------
def non_negative_number(value: Any, name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ToolError(f"{name} must be a number") from exc
    if not number.is_finite() or number < 0:
        raise ToolError(f"{name} must be a number >= 0")
    return number


def resolve_category(vocab: Vocabulary, value: Any, required: bool = True) -> CategoryInfo | None:
    if value in (None, ""):
        if required:
            raise ToolError("category is required; known categories: " + names_of(vocab.categories.values()))
        return None
    cat = vocab.find_category(value)
    if cat is None:
        raise ToolError(f"unknown category {str(value)[:60]!r}; known: " + names_of(vocab.categories.values()))
    return cat


def names_of(items) -> str:
    return ", ".join(i.name for i in items)


def resolve_options(vocab: Vocabulary, category_id: int | None, values: list) -> tuple[list[OptionInfo], list[str]]:
    found, unknown = [], []
    for value in values or []:
        opt = vocab.find_option(category_id, value)
        if opt is None:
            unknown.append(str(value)[:60])
        elif opt not in found:
            found.append(opt)
    return found, unknown
