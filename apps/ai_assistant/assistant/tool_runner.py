"""Runs the tool calls a model asks for: arguments are parsed and checked here, before any tool sees them.

A model's arguments are untrusted input (a prompt injection in catalog text can steer them), so every bad
argument becomes an error message the model reads in the tool result, never an exception: non-JSON text,
JSON nested deeper than any tool needs (json.loads of 10,000 nested arrays raises RecursionError), numbers
that are not finite (`1e999` parses as inf, `NaN`), out of range or of the wrong type, over-long strings and
lists, unknown tools.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from . import tools
from .parser import Vocabulary
from .tools import ToolError

logger = logging.getLogger(__name__)

# Bounds of a tool call: far above what the tool schemas need, far below what costs time or memory.
MAX_ARGUMENT_CHARS = 20_000
MAX_DEPTH = 4  # {"options": ["..."]} is depth 2
MAX_NUMBER_CHARS = 30
MAX_TEXT_CHARS = 500
MAX_LIST_ITEMS = 30
MAX_PRICE = Decimal("1000000000")
DOC_TYPES = ("product", "part", "category", "incompatibility", "price_rule")
SORTS = ("price_asc", "price_desc")


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_CHARS:
        raise ToolError("a number in the arguments is too large")
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or len(text) > MAX_NUMBER_CHARS:
        raise ToolError("a number in the arguments is not a finite number")
    return value


def _reject_constant(name: str) -> None:
    raise ToolError(f"{name} is not a number; use a finite number")


def _nesting_depth(text: str) -> int:
    """The deepest bracket nesting of JSON text, brackets inside strings ignored (linear, no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _value_depth(value: Any) -> int:
    """Nesting depth of already parsed arguments, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list | tuple):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                break
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def parse_arguments(arguments: str | dict | None) -> dict:
    """The arguments of a tool call as a dict; ToolError says what is wrong with them."""
    if arguments is None or (isinstance(arguments, str) and not arguments.strip()):
        return {}
    if isinstance(arguments, str):
        if len(arguments) > MAX_ARGUMENT_CHARS:
            raise ToolError(f"arguments are longer than {MAX_ARGUMENT_CHARS} characters")
        # Checked before json.loads, whose recursion would hit Python's limit on deep nesting.
        if _nesting_depth(arguments) > MAX_DEPTH:
            raise ToolError(f"arguments are nested deeper than {MAX_DEPTH} levels")
        try:
            arguments = json.loads(
                arguments, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_reject_constant
            )
        except ToolError:
            raise
        except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
            raise ToolError("arguments are not valid JSON") from exc
    if not isinstance(arguments, dict):
        raise ToolError("arguments must be a JSON object")
    if _value_depth(arguments) > MAX_DEPTH:
        raise ToolError(f"arguments are nested deeper than {MAX_DEPTH} levels")
    return arguments


# -- one argument each ---------------------------------------------------------------------------
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


# -- the tools -----------------------------------------------------------------------------------
def _search_catalog(args: dict, vocab: Vocabulary) -> dict:
    filters = {
        "category": text(args.get("category"), "category"),
        "type": choice(args.get("type"), "type", DOC_TYPES),
        "min_price": price(args.get("min_price"), "min_price"),
        "max_price": price(args.get("max_price"), "max_price"),
        "in_stock": boolean(args.get("in_stock"), "in_stock"),
        "limit": integer(args.get("limit"), "limit", default=8, low=1, high=20),
    }
    return tools.search_catalog(text(args.get("query"), "query") or "", filters, vocab=vocab)


def _find_products(args: dict, vocab: Vocabulary) -> dict:
    return tools.find_products(
        category=text(args.get("category"), "category"),
        options=text_list(args.get("options"), "options"),
        min_price=price(args.get("min_price"), "min_price"),
        max_price=price(args.get("max_price"), "max_price"),
        in_stock=boolean(args.get("in_stock"), "in_stock"),
        sort=choice(args.get("sort"), "sort", SORTS),
        limit=integer(args.get("limit"), "limit", default=10, low=1, high=50),
        vocab=vocab,
    )


def _quote_configuration(args: dict, vocab: Vocabulary) -> dict:
    return tools.quote_configuration(
        text(args.get("category"), "category"), text_list(args.get("options"), "options"), vocab=vocab
    )


def _list_part_options(args: dict, vocab: Vocabulary) -> dict:
    return tools.list_part_options(
        text(args.get("category"), "category"), text(args.get("part"), "part"), vocab=vocab
    )


TOOLS: dict[str, Callable[[dict, Vocabulary], dict]] = {
    "search_catalog": _search_catalog,
    "find_products": _find_products,
    "quote_configuration": _quote_configuration,
    "list_part_options": _list_part_options,
}


def run_tool(name: Any, arguments: str | dict | None, vocab: Vocabulary | None = None) -> dict:
    """Run a tool by name with a model's JSON arguments; a bad call comes back as {"error": ...}, never raised."""
    try:
        runner = TOOLS.get(name) if isinstance(name, str) else None
        if runner is None:
            return {"error": f"unknown tool {str(name)[:40]!r}; known: {', '.join(TOOLS)}"}
        args = parse_arguments(arguments)
        return runner(args, vocab or Vocabulary.load())
    except (ToolError, ValueError, TypeError, ArithmeticError) as exc:
        return {"error": str(exc)[:300]}
