"""The assistant's read-only catalog tools, shared by the built-in and the OpenAI engine.

Every tool returns plain JSON-able data. Prices, stock and compatibility come from the database and the
configurator at call time; the search index only finds and ranks. Categories, parts and options may be given
by id or by name (misspellings forgiven). None of these functions writes anything.

Modules (import them by their full path):
- `arguments` — ToolError and the checks of one argument each (text, price, integer, ...), catalog names resolved;
- `money` — prices as strings with two decimals, the shop's currency;
- `products` — product facts from the database (price, availability, cards) and the find_products tool;
- `search` — search_index over the live index and the search_catalog tool;
- `quotes` — a configuration's price and compatibility (quote_ids) and the quote_configuration tool;
- `parts` — the list_part_options tool;
- `registry` — which tools a model may call: their schemas (TOOL_SCHEMAS) and runners (TOOLS).
Each tool module declares the tool's JSON schema beside its function.
"""
