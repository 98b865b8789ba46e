"""Answers about what the catalog holds: an option's price or stock, a part's options, what is out of stock,
and a product's price, availability and configuration (all read from the database at answer time)."""

from __future__ import annotations

from apps.ai_assistant.assistant.answers.phrasing import amount, category_words, join_names, option_label
from apps.ai_assistant.assistant.engine import MAX_LISTED, Answer
from apps.ai_assistant.assistant.tools.parts import list_part_options
from apps.ai_assistant.assistant.tools.products import product_facts
from apps.ai_assistant.assistant.understanding.parser import ParsedMessage
from apps.ai_assistant.assistant.understanding.vocabulary import Vocabulary


def _named_option(p: ParsedMessage, vocab: Vocabulary) -> tuple:
    """The first option the message names, its part's options (current prices, stock), its own entry, its label."""
    opt = vocab.options[p.option_ids[0]]
    data = list_part_options(opt.category_id, opt.part_id, vocab=vocab)
    info = next(o for o in data["options"] if o["id"] == opt.id)
    return opt, data, info, option_label(vocab, opt)


def _price_rules_text(rules: list[dict]) -> str:
    return "; ".join(f"{amount(r['price'])} with {join_names(r['when_chosen_with'])}" for r in rules)


def answer_option_price(p: ParsedMessage, vocab: Vocabulary, context: dict) -> Answer:
    opt, data, info, label = _named_option(p, vocab)
    text = f"{label} {'cost' if label.endswith('s') else 'costs'} {amount(info['price'])}"
    beside = {vocab.options[i].name for i in p.option_ids[1:] if i in vocab.options}
    applying = [r for r in info["price_rules"] if beside and set(r["when_chosen_with"]) <= beside]
    if applying:
        # "and if I take it with a carbon-kevlar hull?": the price the configurator applies beside that choice.
        text = (f"With {join_names(applying[0]['when_chosen_with'])}, {label} "
                f"{'cost' if label.endswith('s') else 'costs'} {amount(applying[0]['price'])} "
                f"({amount(info['price'])} on its own)")
    elif info["price_rules"]:
        text += " on its own; " + _price_rules_text(info["price_rules"])
    text += "."
    if not info["in_stock"]:
        text += " It is temporarily out of stock."
    return Answer(text, sources=data["sources"], context={**context, "kind": "option", "category_id": opt.category_id,
                                                          "option_id": opt.id, "option_kind": "option_price"})


def answer_option_stock(p: ParsedMessage, vocab: Vocabulary, context: dict) -> Answer:
    opt, data, info, label = _named_option(p, vocab)
    if info["in_stock"]:
        text = f"Yes, {label} is in stock ({amount(info['price'])})."
    else:
        others = [f"{o['name']} ({amount(o['price'])})" for o in data["options"] if o["in_stock"]]
        text = f"No, {label} is temporarily out of stock."
        if others:
            text += f" In stock for {data['part'].lower()}: {join_names(others)}."
    return Answer(text, sources=data["sources"], context={**context, "kind": "option", "category_id": opt.category_id,
                                                          "option_id": opt.id, "option_kind": "option_stock"})


def answer_part_options(p: ParsedMessage, vocab: Vocabulary, context: dict) -> Answer:
    part = vocab.parts[p.part_ids[0]]
    data = list_part_options(part.category_id, part.id, vocab=vocab)
    where = f"{data['part']} ({category_words(vocab, part.category_id)})"
    out = [o for o in data["options"] if not o["in_stock"]]
    if p.asks_out_of_stock:
        if out:
            text = f"Out of stock for {where}: {join_names([o['name'] for o in out])}."
            available = [o["name"] for o in data["options"] if o["in_stock"]]
            if available:
                text += f" In stock: {join_names(available)}."
        else:
            text = f"All {where} options are in stock: {join_names([o['name'] for o in data['options']])}."
    else:
        lines = [f"{where} options:"]
        for o in data["options"]:
            line = f"- {o['name']}: {amount(o['price'])}"
            if o["price_rules"]:
                line += f" ({_price_rules_text(o['price_rules'])})"
            if o["incompatible_with"]:
                line += f", not with {join_names(o['incompatible_with'])}"
            line += "" if o["in_stock"] else ", temporarily out of stock"
            lines.append(line)
        text = "\n".join(lines)
    return Answer(text, sources=data["sources"], context={**context, "kind": "part", "category_id": part.category_id})


def answer_out_of_stock(p: ParsedMessage, vocab: Vocabulary, context: dict) -> Answer:
    category_id = p.category_id
    if p.category_source == "context" and not p.is_follow_up:
        category_id = None  # "what is out of stock?" asks about the whole shop
    category_ids = [category_id] if category_id else list(vocab.categories)
    lines, sources = [], []
    for cat_id in category_ids:
        for part in vocab.category_parts(cat_id):
            out = [o.name for o in vocab.part_options(part.id) if not o.in_stock]
            if out:
                prefix = f"{vocab.categories[cat_id].name} — " if len(category_ids) > 1 else ""
                lines.append(f"- {prefix}{part.name}: {join_names(out)}")
                sources.append(f"part:{part.id}")
    where = f" for {category_words(vocab, category_id)}" if category_id else ""
    if lines:
        text = f"Temporarily out of stock{where}:\n" + "\n".join(lines)
    else:
        text = f"Every option{where} is in stock right now."
    return Answer(text, sources=sources, context={**context, "kind": "stock", "category_id": category_id})


def answer_product_info(p: ParsedMessage, vocab: Vocabulary, context: dict) -> Answer | None:
    """A product's price, availability (and why not) and configuration; None when none is active."""
    facts = product_facts(p.product_ids)[:MAX_LISTED]
    if not facts:
        return None
    lines = []
    for fact in facts:
        options = [vocab.options[i] for i in fact.option_ids if i in vocab.options]
        config = ", ".join(f"{vocab.parts[o.part_id].name}: {o.name}" for o in options)
        status = "in stock" if fact.available else "currently unavailable"
        line = f"The {fact.name} costs {amount(fact.price)} and is {status}"
        missing_stock = [o.name for o in options if not o.in_stock]
        if not fact.available and missing_stock:
            line += f" ({join_names(missing_stock)} out of stock)"
        line += f". Configuration: {config}." if config else "."
        asked_parts = [vocab.parts[i] for i in p.part_ids if i in vocab.parts]
        if p.is_yes_no and not p.asks_stock and asked_parts and len(facts) == 1:
            # "does the Vesuvio HX Noir have a grinder?": whether its configuration holds an option of that part.
            held = [o for o in options if o.part_id in {part.id for part in asked_parts}]
            said = (f"Yes, it comes with {join_names([o.name for o in held])}. " if held
                    else f"No, it comes without {join_names([part.name.lower() for part in asked_parts])}. ")
            line = said + line
        elif (p.asks_stock or p.is_yes_no) and len(facts) == 1:
            line = ("Yes. " if fact.available else "No. ") + line  # "is the … in stock?" is a yes/no question
        lines.append(line)
    return Answer("\n".join(lines), [f.card() for f in facts], [f"product:{f.id}" for f in facts],
                  context={**context, "kind": "product", "category_id": facts[0].category_id,
                           "product_ids": [f.id for f in facts],
                           # "and the Kestrel Rescue?" after a yes/no question asks it again (product_reading.py).
                           "yes_no": p.is_yes_no or p.asks_stock,
                           # One product's configuration is what a follow-up changes ("swap the rain cover for …").
                           "quote_option_ids": list(facts[0].option_ids) if len(facts) == 1 else []})
