"""The built-in engine's answers, one module per kind of question, each a function (parsed, vocab, context) ->
Answer that reads the database and the configurator through the tools:

- `phrasing` — how names, lists and amounts are written;
- `follow_ups` — which options a follow-up carries over from the session;
- `search_answers` — products within limits, with options, or found by words;
- `configuration_answers` — compatibility and the price of a configuration;
- `catalog_answers` — an option's price or stock, a part's options, what is out of stock, a product's facts;
- `help_answers` — the help text and "we don't sell that" with the closest real alternatives.
"""
