"""How the built-in engine understands a customer's message, in the catalog's own words.

Modules (import them by their full path):
- `words` — normalising, tokenising and stemming a message, and the stop words of a search;
- `vocabulary` — the catalog's names (Vocabulary, CategoryInfo, PartInfo, OptionInfo, ProductInfo), loaded
  from the database, and forgiving matching of a message against them;
- `linking` — words exact matching left: partial names, shortened words, description words, embedding fallback;
- `unknown_names` — names the catalog does not hold ("the Zephyr 3000"): the shop does not sell them;
- `sentences` — which sentences of a message are read (instructions inside a message are data);
- `prices` — price limits and price order ("under 900", "between 1k and 1.5k", "cheapest"), in linear time;
- `parser` — parse(): names, prices, stock, compatibility and price questions, follow-ups, the question's kind.
It never decides a price or a compatibility: the engines ask the configurator and the database for those.
"""
