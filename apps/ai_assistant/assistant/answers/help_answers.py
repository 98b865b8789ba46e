"""Answers when the catalog has no direct answer: a use the customer describes ("for commuting to the office"),
a product or brand the shop does not sell ("the Zephyr 3000 e-bike"), or the help text."""

from __future__ import annotations

from apps.ai_assistant.assistant.answers.phrasing import join_names, product_lines
from apps.ai_assistant.assistant.answers.use_case_ranking import (
    fused,
    products_by_meaning,
    refused_last,
    refused_words,
)
from apps.ai_assistant.assistant.engine import MAX_LISTED, Answer
from apps.ai_assistant.assistant.tools.products import ProductFacts, product_facts, query_products
from apps.ai_assistant.assistant.tools.search import search_index
from apps.ai_assistant.assistant.understanding.families import nearest_categories
from apps.ai_assistant.assistant.understanding.parser import ParsedMessage
from apps.ai_assistant.assistant.understanding.vocabulary import Vocabulary

# How many alternatives follow "we don't sell that".
MAX_ALTERNATIVES = 3
# The nearest family in meaning is taken when it is this much nearer than the next one; closer than that, the
# products the index ranks first on the whole request, of any family, are shown (all-MiniLM-L6-v2 on the
# written dev set: "long gaming sessions" 0.287 snowboards against 0.281 backpacks, the gaming chairs' own
# description found by the index; "a two-week trek through the Andes" 0.47 backpacks against 0.37).
CLEAR_MARGIN = 0.05


def _closest_products(query: str, category_id: int | None, limit: int) -> list[ProductFacts]:
    """Products the index ranks nearest to `query` (by meaning and words), with their prices from the database;
    the cheapest of the category when the index cannot answer."""
    hits = search_index(query, type="product", category_id=category_id, limit=limit) if query.strip() else []
    if hits is None or (not hits and category_id is not None):
        return query_products(category_id=category_id, sort="price_asc").facts[:limit]
    return product_facts([int(h["object_id"]) for h in hits])[:limit]


def answer_use_case(p: ParsedMessage, vocab: Vocabulary, context: dict) -> Answer | None:
    """Products for a use the catalog's names do not spell ("something for commuting to the office"): the family
    whose text is nearest in meaning, its products ranked by the index on the whole request; None when
    nothing is found."""
    request = p.use_case_text or p.free_text
    category_id = p.category_id if p.category_explicit else None
    by_meaning = products_by_meaning(vocab, request, category_id)
    if category_id is None:
        # The family whose own text is nearest in meaning to the request (understanding/families.py), its
        # products' descriptions included.
        best = dict((c, s) for s, c in reversed(nearest_categories(vocab, request)))
        for score, product_id in reversed(by_meaning or []):
            owner = vocab.products[product_id].category_id
            best[owner] = max(best.get(owner, -1.0), score)
        nearest = sorted(((s, c) for c, s in best.items()), reverse=True)
        clear = len(nearest) == 1 or (len(nearest) > 1 and nearest[0][0] - nearest[1][0] >= CLEAR_MARGIN)
        category_id = nearest[0][1] if clear else None
    if by_meaning is not None:
        chosen = [i for _, i in by_meaning if category_id is None or vocab.products[i].category_id == category_id]
        hits = search_index(request, type="product", category_id=category_id, limit=20)
        ranked = fused([[int(h["object_id"]) for h in hits or []], chosen])
        refused = refused_words(request)
        if refused:
            # "can't have gas or open fire, but want pizza": products named with what is refused come last.
            facts = product_facts(ranked[: 3 * MAX_LISTED])
            order = refused_last([f.id for f in facts], refused, vocab, {f.id: f.option_ids for f in facts})
            facts = sorted(facts, key=lambda f: order.index(f.id))[:MAX_LISTED]
        else:
            facts = product_facts(ranked[:MAX_LISTED])
    else:
        facts = _closest_products(request, category_id, MAX_LISTED)
    if not facts:
        return None
    text = "\n".join(["For that, these come closest in the catalog:", *product_lines(facts)])
    new_context = {**context, "kind": "search", "category_id": facts[0].category_id, "option_ids": [],
                   "query": p.free_text, "min_price": None, "max_price": None, "sort": None, "in_stock": None}
    return Answer(text, [f.card() for f in facts], [f"product:{f.id}" for f in facts], context=new_context)


def answer_not_sold(p: ParsedMessage, vocab: Vocabulary, context: dict) -> Answer:
    """"We don't sell the Zephyr 3000 e-bike.", then the closest real products with their prices; for a thing of
    no family of the shop ("ice hockey sticks"), the families it does sell."""
    if p.category_id is None and not p.product_ids:
        help_text = answer_help(p, vocab, context).text
        return Answer(f"We don't sell {p.unknown_name}. {help_text}", context=context)
    near = product_facts(p.product_ids)[:MAX_ALTERNATIVES]
    query = " ".join(x for x in (p.unknown_name, p.free_text) if x)
    others = [f for f in _closest_products(query, p.category_id, MAX_ALTERNATIVES + len(near))
              if f.id not in {n.id for n in near}]
    facts = (near + others)[:MAX_ALTERNATIVES]
    the = "" if p.unknown_name.lower().startswith("the ") else "the "
    text = f"We don't sell {the}{p.unknown_name}."
    if facts:
        text += " The closest we have:\n" + "\n".join(product_lines(facts))
    new_context = {**context, "kind": "search", "category_id": p.category_id}
    return Answer(text, [f.card() for f in facts], [f"product:{f.id}" for f in facts], context=new_context)


def answer_help(p: ParsedMessage, vocab: Vocabulary, context: dict, unknown: bool = False) -> Answer:
    cats = join_names([c.name.lower() for c in vocab.categories.values()]) or "nothing yet"
    text = "I couldn't find anything in the catalog for that. " if unknown else ""
    text += (
        f"I can help you choose: we sell {cats}. Ask me for products within a budget (\"bikes under 900\"), "
        "whether two options can be combined (\"can I have red rims with fat bike wheels?\"), the price of a "
        "configuration, or which options a part has and which are out of stock."
    )
    return Answer(text, context=context)
