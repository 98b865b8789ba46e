"""Answers that list products: within price limits, with options, in stock, or found by the customer's words."""

from __future__ import annotations

from decimal import Decimal

from apps.ai_assistant.assistant.answers.follow_ups import merge_options
from apps.ai_assistant.assistant.answers.help_answers import answer_help, answer_use_case
from apps.ai_assistant.assistant.answers.phrasing import (
    amount,
    category_words,
    decimal_or_none,
    option_label,
    product_lines,
)
from apps.ai_assistant.assistant.context import cap_query
from apps.ai_assistant.assistant.engine import Answer, shown_count
from apps.ai_assistant.assistant.tools.money import money
from apps.ai_assistant.assistant.tools.products import ProductFacts, product_texts, query_products, strict_bound
from apps.ai_assistant.assistant.tools.search import search_index
from apps.ai_assistant.assistant.understanding.parser import ParsedMessage
from apps.ai_assistant.assistant.understanding.vocabulary import Vocabulary
from apps.ai_assistant.assistant.understanding.words import STOP_WORDS, tokens_of


def _search_state(p: ParsedMessage, vocab: Vocabulary, context: dict) -> dict:
    """The search this message asks for: its own limits, or the previous search's refined by a follow-up."""
    follow_up = context.get("kind") == "search" and (
        p.is_follow_up
        # "under 700?" or "black rims only" continue the previous search; a new topic does not.
        or (p.category_source == "context" and not p.free_text)
        or (p.category_source == "names" and not p.free_text and p.category_id == context.get("category_id"))
    )
    if follow_up and (p.category_id in (None, context.get("category_id"))):
        state = {
            "category_id": context.get("category_id"),
            "option_ids": merge_options(vocab, context.get("option_ids", []), p.option_ids),
            "min_price": p.min_price if p.min_price is not None else decimal_or_none(context.get("min_price")),
            "max_price": p.max_price if p.max_price is not None else decimal_or_none(context.get("max_price")),
            "min_strict": p.min_strict if p.min_price is not None else bool(context.get("min_strict")),
            "max_strict": p.max_strict if p.max_price is not None else bool(context.get("max_strict")),
            "sort": p.sort or context.get("sort"),
            "in_stock": True if (p.asks_stock and not p.asks_out_of_stock) else context.get("in_stock"),
            "query": " ".join(x for x in (context.get("query", ""), p.free_text) if x),
        }
    else:
        state = {
            "category_id": p.category_id if p.category_source != "context" else None,
            "option_ids": list(p.option_ids),
            "min_price": p.min_price, "max_price": p.max_price, "sort": p.sort,
            "min_strict": p.min_strict, "max_strict": p.max_strict,
            "in_stock": True if (p.asks_stock and not p.asks_out_of_stock) else None,
            "query": p.free_text,
        }
    # Follow-ups add their words to the query: bounded, or each one made the answer and the search longer.
    state["query"] = cap_query(state["query"])
    state["option_ids"] = [i for i in state["option_ids"] if i in vocab.options]
    if state["category_id"] is None and state["option_ids"]:
        state["category_id"] = vocab.options[state["option_ids"][0]].category_id
    return state


def _hits(query: str, vocab: Vocabulary, state: dict) -> list[dict] | None:
    """The index's product hits for the customer's words under the search's filters (None: index unavailable)."""
    category_id = state["category_id"]
    return search_index(
        " ".join(x for x in (query, category_words(vocab, category_id)) if x != "products"),
        type="product", category_id=category_id, min_price=strict_bound(state["min_price"], state["min_strict"], +1),
        max_price=strict_bound(state["max_price"], state["max_strict"], -1), in_stock=state["in_stock"], limit=20,
    )


def _rank_by_words(facts: list[ProductFacts], hits: list[dict] | None, query: str) -> tuple[list, list, bool]:
    """(products ranked by the index's `hits`, the index's document ids, whether any shares a word).

    Vector search always finds a nearest neighbour; a product counts as a match by words only when its name
    or description shares a word with what the customer asked for ("snow", "beginners").
    """
    if hits is None:
        ranked = list(facts)  # the index is unavailable: look for the words in the products' own text
    else:
        order = {int(h["object_id"]): n for n, h in enumerate(hits)}
        ranked = sorted((f for f in facts if f.id in order), key=lambda f: order[f.id])
    words = set(tokens_of(query)) - STOP_WORDS
    doc_ids = {int(h["object_id"]): h["id"] for h in hits or []}
    texts = product_texts([f.id for f in ranked])
    relevant = [f for f in ranked if words & set(tokens_of(texts.get(f.id, "")))]
    return (relevant or ranked), [doc_ids[f.id] for f in (relevant or ranked) if f.id in doc_ids], bool(relevant)


def describe(vocab: Vocabulary, category_id: int | None, option_ids: list[int], min_price: Decimal | None,
             max_price: Decimal | None, in_stock: bool | None, strict: tuple[bool, bool] = (False, False)) -> str:
    """"bicycles with Black rim color up to 900.00 EUR in stock": what was searched for, in words; a strict
    limit (`strict`: min, max) is said "under" / "over"."""
    words = category_words(vocab, category_id)
    if option_ids:
        labels = [option_label(vocab, vocab.options[i]) for i in option_ids]
        words += " with " + (", ".join(labels[:-1]) + " and " + labels[-1] if len(labels) > 1 else labels[0])
    if min_price is not None and max_price is not None:
        words += f" between {amount(min_price)} and {amount(max_price)}"
    elif max_price is not None:
        words += f" {'under' if strict[1] else 'up to'} {amount(max_price)}"
    elif min_price is not None:
        words += f" {'over' if strict[0] else 'from'} {amount(min_price)}"
    if in_stock:
        words += " in stock"
    return words


def answer_search(p: ParsedMessage, vocab: Vocabulary, context: dict) -> Answer:
    """Products that fit the message's limits and options, ranked by its words (the search index)."""
    state = _search_state(p, vocab, context)
    category_id, option_ids, query = state["category_id"], state["option_ids"], state["query"]
    min_price, max_price, sort, in_stock = state["min_price"], state["max_price"], state["sort"], state["in_stock"]
    new_context = {**context, **state, "kind": "search", "min_price": money(min_price),
                   "max_price": money(max_price)}

    constraints = {"category_id": category_id, "option_ids": option_ids, "min_price": min_price,
                   "max_price": max_price, "in_stock": in_stock, "sort": sort or "price_asc",
                   "min_strict": state["min_strict"], "max_strict": state["max_strict"]}
    sources: list[str] = []
    structured = bool(category_id or option_ids or min_price is not None or max_price is not None or in_stock)
    closest = False
    contradictory = min_price is not None and max_price is not None and min_price > max_price
    hits = _hits(query, vocab, state) if query and not contradictory else None
    # With the index's hits, only they are priced; else a page of the cheapest (or dearest) and the count.
    listed = query_products(**constraints, product_ids=[int(h["object_id"]) for h in hits] if hits else None)
    facts, total = listed.facts, listed.total
    if query and not contradictory:
        ranked, doc_ids, by_words = _rank_by_words(facts, hits, query)
        if not ranked and structured and hits:
            # No hit fits the constraints: the products that do are listed (the words matched none of them).
            listed = query_products(**constraints)
            facts, total = listed.facts, listed.total
        if by_words:
            facts, total = ranked, len(ranked)
        elif ranked and structured:
            facts, total, closest = ranked, len(ranked), True
        elif not structured:
            # No word of the question is in the catalog's text: a use ("for commuting to the office") is
            # matched by meaning to a family, else the help text.
            return answer_use_case(p, vocab, context) or answer_help(p, vocab, context, unknown=True)
        if sort == "price_asc":
            facts.sort(key=lambda f: (f.price is None, f.price or 0))
        elif sort == "price_desc":
            facts.sort(key=lambda f: (f.price is None, -(f.price or 0)))
        shown_ids = {f.id for f in facts[:shown_count(total, not sort and not closest)]}
        sources += [d for f, d in zip(ranked, doc_ids, strict=False) if f.id in shown_ids]

    what = describe(vocab, category_id, option_ids, min_price, max_price, in_stock,
                    (state["min_strict"], state["max_strict"]))
    if not facts:
        return _nothing_found(what, state, sources, new_context)
    shown = facts[:shown_count(total, not sort and not closest)]
    if sort == "price_asc" and total > 1:
        head = f"The cheapest of {total} {what} is the {shown[0].name} at {amount(shown[0].price)}."
    elif sort == "price_desc" and total > 1:
        head = f"The most expensive of {total} {what} is the {shown[0].name} at {amount(shown[0].price)}."
    elif closest:
        head = f"Nothing matches “{query}” exactly; the closest {what}:"
    else:
        matching = f" matching “{query}”" if query else ""
        head = f"I found {total} {what}{matching}" + (":" if total > 1 else ".")
        if total == 1:
            head = f"I found one match for {what}{matching}: the {shown[0].name} at {amount(shown[0].price)}."
    lines = [head]
    if total > 1 or sort or closest:
        lines += product_lines(shown)
        if total > len(shown):
            lines.append(f"…and {total - len(shown)} more.")
    return Answer("\n".join(lines), [f.card() for f in shown], sources + [f"product:{f.id}" for f in shown],
                  context=new_context)


def _nothing_found(what: str, state: dict, sources: list[str], new_context: dict) -> Answer:
    """No product fits: say so, and the cheapest (or dearest) one without the price limit."""
    text = f"I found no {what}."
    facts: list[ProductFacts] = []
    if state["min_price"] is not None or state["max_price"] is not None:
        facts = query_products(category_id=state["category_id"], option_ids=state["option_ids"],
                               in_stock=state["in_stock"],
                               sort="price_asc" if state["max_price"] is not None else "price_desc").facts[:1]
    if facts:
        best = facts[0]
        word = "cheapest" if state["max_price"] is not None else "most expensive"
        text += (f" Without the price limit, the {word} is the {best.name} at {amount(best.price)}"
                 f"{'' if best.available else ' (currently unavailable)'}.")
    elif state["option_ids"]:
        text += " Try fewer options, or ask me which options a part has."
    return Answer(text, [f.card() for f in facts], sources + [f"product:{f.id}" for f in facts],
                  context=new_context)
