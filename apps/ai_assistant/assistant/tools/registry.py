"""The tools a model may call: each one's JSON schema (what the model sees) and its runner (a call's checked
arguments in, JSON-able data out). The OpenAI engine sends TOOL_SCHEMAS; the tool runner looks up TOOLS.

Each schema is declared beside its tool function in the tool's module; this list only says which tools exist
and in which order the model sees them.
"""

from __future__ import annotations

from collections.abc import Callable

from apps.ai_assistant.assistant.tools import cart, parts, products, quotes, search
from apps.ai_assistant.assistant.understanding.vocabulary import Vocabulary

Runner = Callable[[dict, Vocabulary], dict]

_TOOLS: list[tuple[dict, Runner]] = [
    (search.SEARCH_CATALOG_SCHEMA, search.run_search_catalog),
    (products.FIND_PRODUCTS_SCHEMA, products.run_find_products),
    (quotes.QUOTE_CONFIGURATION_SCHEMA, quotes.run_quote_configuration),
    (parts.LIST_PART_OPTIONS_SCHEMA, parts.run_list_part_options),
    (cart.ADD_TO_CART_SCHEMA, cart.run_add_to_cart),  # proposes only; a "yes" adds (cart_dialogue.py)
]

TOOL_SCHEMAS: list[dict] = [schema for schema, _ in _TOOLS]
TOOLS: dict[str, Runner] = {schema["function"]["name"]: runner for schema, runner in _TOOLS}
