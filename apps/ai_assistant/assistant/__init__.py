"""The assistant stage: grounded chat over the live index, the database and the configurator.

One customer message in, one grounded answer out. The engines understand the message (the built-in engine
with its own rules, the OpenAI engine through a model), call the read-only tools for every fact, and answer;
product cards, prices and compatibilities always come from the database and the configurator.

Modules (import them by their full path; nothing is re-exported here):
- `service` — chat(message, session_id, owner): session ownership, engine choice, fallback, storage;
- `context` — the bound of the search words a session carries to its next message;
- `engine` — Answer and the AnswerEngine interface;
- `builtin_engine` — BuiltinEngine: rules over the catalog's own words, no network; its answers in `answers/`;
- `openai_engine` — OpenAIEngine: chat completions with read-only tool calling, within a time budget;
- `tool_runner` — a model's tool calls: arguments parsed and checked, every bad one a tool error;
- `guided_steps`, `guided_reading`, `guided_dialogue`, `guided_tools` — guided configuration ("I'd like to build
  a bike"): the steps over the configurator, the reading of free-word answers, the built-in engine's turns, and
  the OpenAI engine's tools;
- `tools/` — the read-only catalog tools, each with its JSON schema, and their registry;
- `understanding/` — the catalog's vocabulary and the reading of a message (prices, sort, stock, intents).
"""
