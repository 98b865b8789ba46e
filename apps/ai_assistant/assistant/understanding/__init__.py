"""How the built-in engine understands a customer's message, in the catalog's own words.

Modules (import them by their full path):
- `words` — normalising, tokenising and stemming a message, and the stop words of a search;
- `vocabulary` — the catalog's names (Vocabulary, CategoryInfo, PartInfo, OptionInfo, ProductInfo), loaded
  from the database, and forgiving matching of a message against them;
- `linking` — the runs of words exact matching left, each linked with the part named beside it, or cut into
  pieces that each name one option;
- `run_terms` — what one run names: partial names, shortened words, description words, embedding fallback;
- `name_index` — the catalog's name and description words indexed once per vocabulary, for linking;
- `same_part` — options of one part from split mentions made one again ("regular board (154 cm)");
- `unknown_names` — names the catalog does not hold ("the Zephyr 3000"): the shop does not sell them;
- `sentences` — which sentences of a message are read (instructions inside a message are data);
- `prices` — price limits and price order ("under 900", "between 1k and 1.5k", "cheapest"), in linear time;
- `parser` — parse(): names, prices, stock, compatibility and price questions, follow-ups, the question's kind.
It never decides a price or a compatibility: the engines ask the configurator and the database for those.
"""
