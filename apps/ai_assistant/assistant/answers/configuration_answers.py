"""Answers about a configuration: whether options can be combined, and what a configuration costs.

Every verdict and amount is the configurator's (tools/quotes.py). A configuration that lacks a required part
is never priced, not even in part: the answer names what is missing and offers its choosable options at
their effective prices given the other choices.
"""

from __future__ import annotations

from apps.ai_assistant.assistant.answers.follow_ups import configuration_options
from apps.ai_assistant.assistant.answers.phrasing import a_category, amount, join_names, option_label
from apps.ai_assistant.assistant.engine import Answer
from apps.ai_assistant.assistant.tools.quotes import quote_ids
from apps.ai_assistant.assistant.understanding.parser import ParsedMessage
from apps.ai_assistant.assistant.understanding.vocabulary import OptionInfo, Vocabulary
from apps.ai_assistant.assistant.understanding.words import tokens_of


def _same_part_answer(vocab: Vocabulary, option_ids: list[int]) -> str | None:
    """"No: a bicycle has exactly one rim color, …" when two chosen options belong to one part."""
    by_part: dict[int, list[OptionInfo]] = {}
    for i in option_ids:
        by_part.setdefault(vocab.options[i].part_id, []).append(vocab.options[i])
    for part_id, opts in by_part.items():
        if len(opts) > 1:
            part = vocab.parts[part_id]
            names = " or ".join(o.name for o in opts)
            return (f"No: {a_category(vocab, part.category_id)} has exactly one {part.name.lower()}, "
                    f"so choose {names}, not both.")
    return None


def _alternatives(vocab: Vocabulary, category_id: int, option_ids: list[int], conflicts: list[dict]) -> str:
    """Which options of the conflicting part do work with the rest of the selection."""
    part_id = vocab.options[conflicts[0]["option_ids"][-1]].part_id
    rest = [i for i in option_ids if vocab.options[i].part_id != part_id]
    q = quote_ids(category_id, rest, vocab)
    for missing in q["missing_parts"]:
        if missing["part_id"] == part_id:
            ok = [o["name"] for o in missing["options"] if o.get("compatible_with_selection")]
            if ok:
                return f"{vocab.parts[part_id].name} options that work: {join_names(ok)}."
    return ""


def _selection(p: ParsedMessage, vocab: Vocabulary, context: dict, kind: str) -> tuple[int, list[int], dict]:
    option_ids = configuration_options(p, vocab, context)
    explicit = kind == "quote" and p.category_explicit and p.category_id in vocab.categories
    category_id = p.category_id if explicit else vocab.options[option_ids[0]].category_id
    option_ids = [i for i in option_ids if vocab.options[i].category_id == category_id]
    return category_id, option_ids, {**context, "kind": kind, "category_id": category_id,
                                     "quote_option_ids": option_ids}


def answer_compatibility(p: ParsedMessage, vocab: Vocabulary, context: dict) -> Answer:
    category_id, option_ids, new_context = _selection(p, vocab, context, "compatibility")
    same = _same_part_answer(vocab, option_ids)
    if same:
        return Answer(same, sources=[f"category:{category_id}"], context=new_context)
    q = quote_ids(category_id, option_ids, vocab)
    conflicts = [c for c in q["conflicts"] if set(c["option_ids"]) <= set(option_ids)]
    if conflicts:
        lines = []
        for conflict in conflicts:
            pair = sorted(conflict["option_ids"][:2], key=option_ids.index)
            a, b = (option_label(vocab, vocab.options[i]) for i in pair)
            reason = f": {conflict['message']}" if conflict.get("message") else "."
            lines.append(f"No, {a} and {b} can't be combined{reason}")
        text = " ".join(lines)
        alternatives = _alternatives(vocab, category_id, option_ids, conflicts)
        return Answer(text + (" " + alternatives if alternatives else ""), sources=q["sources"],
                      context=new_context)
    labels = [option_label(vocab, vocab.options[i]) for i in option_ids]
    text = f"Yes, {join_names(labels)} can be combined."
    for line in q["breakdown"]:
        if line["price_rule"] and line["option_id"] in option_ids:
            text += f" Together, {line['option']} costs {amount(line['price'])} ({line['price_rule']})."
    for item in q["out_of_stock"]:
        names = join_names(item["options"]) or "one of them"
        text += f" Note: {names} {'is' if len(item['options']) <= 1 else 'are'} temporarily out of stock."
    return Answer(text, sources=q["sources"], context=new_context)


def answer_option_with_part(p: ParsedMessage, vocab: Vocabulary, context: dict) -> Answer:
    """"Can I get the inflatable hull with a rudder?": whether any option of the part goes with the option, by
    the configurator's verdict on each pair; which ones do, or why none does."""
    option = vocab.options[p.option_ids[0]]
    part = vocab.parts[next(i for i in p.part_ids if i != option.part_id)]
    working, reasons, sources = [], [], []
    # "a rudder" is what the part's options call a rudder (Foot-controlled rudder, not the Retractable skeg).
    part_words = set(tokens_of(part.name))
    options = vocab.part_options(part.id)
    options = [o for o in options if part_words <= set(tokens_of(o.name))] or options
    for other in options:
        q = quote_ids(option.category_id, [option.id, other.id], vocab)
        sources += q["sources"]
        conflicts = [c for c in q["conflicts"] if set(c["option_ids"]) <= {option.id, other.id}]
        if conflicts:
            reasons += [c["message"] for c in conflicts if c.get("message")]
        else:
            working.append(other.name + ("" if other.in_stock else " (temporarily out of stock)"))
    label = option_label(vocab, option)
    if working:
        text = f"Yes, {label} goes with {join_names(working)} ({part.name.lower()})."
    else:
        reason = f" {' '.join(dict.fromkeys(reasons))}" if reasons else ""
        text = f"No, no {part.name.lower()} option goes with {label}.{reason}"
    return Answer(text, sources=sources, context={**context, "kind": "compatibility", "category_id": option.category_id,
                                                  "quote_option_ids": [option.id]})


def _missing_parts_text(q: dict) -> str:
    """Each missing part with its options at their effective prices given the other choices."""
    return "; ".join(
        f"{m['part']}: " + ", ".join(
            f"{o['name']} {amount(o['price'])}" + ("" if o["in_stock"] else " (out of stock)")
            + ("" if o.get("compatible_with_selection", True) else " (not with your choices)")
            for o in m["options"]
        )
        for m in q["missing_parts"]
    )


def answer_quote(p: ParsedMessage, vocab: Vocabulary, context: dict) -> Answer:
    category_id, option_ids, new_context = _selection(p, vocab, context, "quote")
    same = _same_part_answer(vocab, option_ids)
    if same:
        return Answer(same, sources=[f"category:{category_id}"], context=new_context)
    q = quote_ids(category_id, option_ids, vocab)
    cat = a_category(vocab, category_id)
    chosen = join_names([vocab.options[i].name for i in option_ids])
    if q["conflicts"]:
        text = " ".join(
            f"That configuration isn't possible: {join_names(c['options'])} can't be combined"
            + (f" ({c['message']})." if c.get("message") else ".")
            for c in q["conflicts"]
        )
        alternatives = _alternatives(vocab, category_id, option_ids, q["conflicts"])
        return Answer(text + (" " + alternatives if alternatives else ""), sources=q["sources"],
                      context=new_context)
    if q["missing_parts"]:
        # No amount for the incomplete configuration: a customer reads any sum as its price.
        names = join_names([m["part"] for m in q["missing_parts"]])
        text = (f"To price {cat} with {chosen or 'nothing chosen yet'} I still need: {names}. "
                f"Choose from — {_missing_parts_text(q)}.")
        if q["breakdown"]:
            # Each chosen option at its price with the other choices, never summed.
            text += " Your choices each cost: " + "; ".join(
                f"{line['option']} {amount(line['price'])}" + (f" ({line['price_rule']})" if line["price_rule"] else "")
                for line in q["breakdown"]
            ) + "."
        return Answer(text, sources=q["sources"], context=new_context)
    breakdown = "\n".join(
        f"- {line['part']}: {line['option']} {amount(line['price'])}"
        + (f" ({line['price_rule']})" if line["price_rule"] else "")
        for line in q["breakdown"]
    )
    text = f"{cat[0].upper()}{cat[1:]} with {chosen} costs {amount(q['price'])}:\n{breakdown}"
    for item in q["out_of_stock"]:
        text += (f"\nNote: {join_names(item['options']) or 'one option'} "
                 f"{'is' if len(item['options']) <= 1 else 'are'} temporarily out of stock, so this "
                 "configuration can't be ordered right now.")
    for item in q["other_errors"]:
        text += f"\nNote: {item['message']}"
    return Answer(text, sources=q["sources"], context=new_context)
