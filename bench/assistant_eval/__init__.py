"""Evaluation of the shopping assistant that measures generalisation (docs/benchmarks.md, "Assistant accuracy").

- `catalog_facts`: what the database says (names, prices, stock, rules, products), the only source of labels;
- `mentions`: ways a customer names a thing (partial names, other word order, plurals, typos, synonyms taken
  from the catalog's descriptions);
- `phrasings_dev` / `phrasings_heldout`: two disjoint pools of sentence templates per intent;
- `generator`: labelled questions from a catalog in the database and one pool;
- `scorer`: checks an answer against a question's `expect` and counts wrong prices;
- `demo_questions`: the hand-written questions on the demo catalog (the "demo" set);
- `question_sets`: which catalog and questions make each set (demo, dev, held-out, blind, large).

None of it reads the engine's code: the phrasings were written apart from it.
"""
