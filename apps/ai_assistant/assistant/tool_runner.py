"""Runs the tool calls a model asks for: arguments are parsed here and checked (tools/arguments.py) before
any tool sees them.

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
from typing import Any

from apps.ai_assistant.assistant.tools.arguments import MAX_NUMBER_CHARS, ToolError
from apps.ai_assistant.assistant.tools.registry import TOOLS
from apps.ai_assistant.assistant.understanding.vocabulary import Vocabulary

logger = logging.getLogger(__name__)

# Bounds of a tool call: far above what the tool schemas need, far below what costs time or memory (the
# bounds of each argument are in tools/arguments.py).
MAX_ARGUMENT_CHARS = 20_000
MAX_DEPTH = 4  # {"options": ["..."]} is depth 2


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
