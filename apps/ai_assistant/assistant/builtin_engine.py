"""The built-in answer engine: understands the catalog's own words (understanding/) and answers from the
database and the configurator through the tools, with no network."""

from __future__ import annotations

from decimal import Decimal

from apps.ai_assistant.assistant.cart_dialogue import propose_last_shown, wants_to_add
from apps.ai_assistant.assistant.context import cap_query
from apps.ai_assistant.assistant.engine import MAX_LISTED, Answer, AnswerEngine
from apps.ai_assistant.assistant.guided_dialogue import take_turn
from apps.ai_assistant.assistant.tools.money import currency, money
from apps.ai_assistant.assistant.tools.parts import list_part_options
from apps.ai_assistant.assistant.tools.products import product_facts, product_texts, query_products
from apps.ai_assistant.assistant.tools.quotes import quote_ids
from apps.ai_assistant.assistant.tools.search import search_index
from apps.ai_assistant.assistant.understanding.parser import ParsedMessage, parse
from apps.ai_assistant.assistant.understanding.vocabulary import OptionInfo, Vocabulary
from apps.ai_assistant.assistant.understanding.words import STOP_WORDS, tokens_of
from apps.ai_assistant.models import ChatSession


def _dec(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _m(value) -> str:
    return f"{money(value)} {currency()}"


class BuiltinEngine(AnswerEngine):
    """Understands the catalog's own words (parser.py) and answers from the database and the configurator."""

    name = "builtin"

    def answer(self, message: str, session: ChatSession) -> Answer:
        # A guided configuration ("I'd like to build a bike") under way or asked for takes the message first;
        # any other message, a question in the middle of one included, is answered below (guided_dialogue.py).
        answer = take_turn(message, session, self._answer_question)
        answer.engine = self.name
        return answer

    def _answer_question(self, message: str, session: ChatSession) -> Answer:
        vocab = Vocabulary.load()
        context = dict(session.context or {})
        if wants_to_add(message):  # "add that one to my cart": a confirmation question (cart_dialogue.py)
            answer = propose_last_shown(message, session, context)
            answer.engine = self.name
            return answer
        parsed = parse(message, vocab, context)
        handler = getattr(self, f"_answer_{parsed.kind}")
        answer = handler(parsed, vocab, context)
        answer.engine = self.name
        answer.sources = list(dict.fromkeys(answer.sources))
        return answer

    # -- words --------------------------------------------------------------------------------
    @staticmethod
    def _label(vocab: Vocabulary, opt: OptionInfo) -> str:
        """"Black rim color", "Road wheels", "Matte frame finish": an option with its part when needed."""
        part = vocab.parts[opt.part_id]
        part_words = set(tokens_of(part.name))
        if part_words & set(tokens_of(opt.name)):
            return opt.name
        return f"{opt.name} {part.name.lower()}"

    @staticmethod
    def _category_words(vocab: Vocabulary, category_id: int | None) -> str:
        return vocab.categories[category_id].name.lower() if category_id in vocab.categories else "products"

    @staticmethod
    def _singular(vocab: Vocabulary, category_id: int) -> str:
        name = vocab.categories[category_id].name.lower()
        return name[:-1] if name.endswith("s") and not name.endswith("ss") else name

    @staticmethod
    def _merge_options(vocab: Vocabulary, previous: list[int], new: list[int]) -> list[int]:
        """Previous options plus new ones; a new option replaces the previous one of its part."""
        new_parts = {vocab.options[i].part_id for i in new if i in vocab.options}
        kept = [i for i in previous if i in vocab.options and vocab.options[i].part_id not in new_parts]
        return list(dict.fromkeys(kept + new))

    # -- search -------------------------------------------------------------------------------
    def _answer_search(self, p: ParsedMessage, vocab: Vocabulary, context: dict) -> Answer:
        follow_up = context.get("kind") == "search" and (
            p.is_follow_up
            # "under 700?" or "black rims only" continue the previous search; a new topic does not.
            or (p.category_source == "context" and not p.free_text)
            or (p.category_source == "names" and not p.free_text and p.category_id == context.get("category_id"))
        )
        if follow_up and (p.category_id in (None, context.get("category_id"))):
            category_id = context.get("category_id")
            option_ids = self._merge_options(vocab, context.get("option_ids", []), p.option_ids)
            min_price = p.min_price if p.min_price is not None else _dec(context.get("min_price"))
            max_price = p.max_price if p.max_price is not None else _dec(context.get("max_price"))
            sort = p.sort or context.get("sort")
            in_stock = True if (p.asks_stock and not p.asks_out_of_stock) else context.get("in_stock")
            query = " ".join(x for x in (context.get("query", ""), p.free_text) if x)
        else:
            category_id = p.category_id if p.category_source != "context" else None
            option_ids = list(p.option_ids)
            min_price, max_price, sort = p.min_price, p.max_price, p.sort
            in_stock = True if (p.asks_stock and not p.asks_out_of_stock) else None
            query = p.free_text
        # Follow-ups add their words to the query: bounded, or each one made the answer and the search longer.
        query = cap_query(query)
        option_ids = [i for i in option_ids if i in vocab.options]
        if category_id is None and option_ids:
            category_id = vocab.options[option_ids[0]].category_id
        new_context = {
            **context,
            "kind": "search",
            "category_id": category_id,
            "option_ids": option_ids,
            "min_price": money(min_price),
            "max_price": money(max_price),
            "sort": sort,
            "in_stock": in_stock,
            "query": query,
        }

        facts = query_products(
            category_id=category_id, option_ids=option_ids, min_price=min_price, max_price=max_price,
            in_stock=in_stock, sort=sort or "price_asc",
        )
        sources: list[str] = []
        structured = bool(category_id or option_ids or min_price is not None or max_price is not None or in_stock)
        closest = False
        contradictory = min_price is not None and max_price is not None and min_price > max_price
        if query and not contradictory:
            hits = search_index(
                " ".join(x for x in (query, self._category_words(vocab, category_id)) if x != "products"),
                type="product", category_id=category_id, min_price=min_price, max_price=max_price,
                in_stock=in_stock, limit=20,
            )
            if hits is None:
                ranked = list(facts)  # the index is unavailable: look for the words in the products' own text
            else:
                order = {int(h["object_id"]): n for n, h in enumerate(hits)}
                ranked = sorted((f for f in facts if f.id in order), key=lambda f: order[f.id])
            # Vector search always finds a nearest neighbour; a product counts as a match only when its
            # name or description shares a word with what the customer asked for ("snow", "beginners").
            words = set(tokens_of(query)) - STOP_WORDS
            by_id = {int(h["object_id"]): h for h in hits or []}
            texts = product_texts([f.id for f in ranked])
            relevant = [f for f in ranked if words & set(tokens_of(texts.get(f.id, "")))]
            if relevant:
                facts = relevant
            elif ranked and structured:
                facts, closest = ranked, True
            elif not structured:
                # Only words the catalog does not know, and nothing in the index matches them.
                return self._answer_help(p, vocab, context, unknown=True)
            if sort == "price_asc":
                facts.sort(key=lambda f: (f.price is None, f.price or 0))
            elif sort == "price_desc":
                facts.sort(key=lambda f: (f.price is None, -(f.price or 0)))
            sources += [by_id[f.id]["id"] for f in facts[:MAX_LISTED] if f.id in by_id]

        what = self._describe(vocab, category_id, option_ids, min_price, max_price, in_stock)
        if not facts:
            text = f"I found no {what}."
            relaxed = []
            if min_price is not None or max_price is not None:
                relaxed = query_products(category_id=category_id, option_ids=option_ids, in_stock=in_stock,
                                               sort="price_asc" if max_price is not None else "price_desc")
            if relaxed:
                best = relaxed[0]
                word = "cheapest" if max_price is not None else "most expensive"
                text += (f" Without the price limit, the {word} is the {best.name} at {_m(best.price)}"
                         f"{'' if best.available else ' (currently unavailable)'}.")
                facts = relaxed[:1]
            elif option_ids and not relaxed:
                text += " Try fewer options, or ask me which options a part has."
            return Answer(text, [f.card() for f in facts], sources + [f"product:{f.id}" for f in facts],
                          context=new_context)

        shown = facts[:MAX_LISTED]
        if sort == "price_asc" and len(facts) > 1:
            head = f"The cheapest of {len(facts)} {what} is the {shown[0].name} at {_m(shown[0].price)}."
        elif sort == "price_desc" and len(facts) > 1:
            head = f"The most expensive of {len(facts)} {what} is the {shown[0].name} at {_m(shown[0].price)}."
        elif closest:
            head = f"Nothing matches “{query}” exactly; the closest {what}:"
        else:
            matching = f" matching “{query}”" if query else ""
            head = f"I found {len(facts)} {what}{matching}" + (":" if len(facts) > 1 else ".")
            if len(facts) == 1:
                head = f"I found one match for {what}{matching}: the {shown[0].name} at {_m(shown[0].price)}."
        lines = [head]
        if len(facts) > 1 or sort or closest:
            for fact in shown:
                status = "in stock" if fact.available else "currently unavailable"
                lines.append(f"- {fact.name}: {_m(fact.price)}, {status}")
            if len(facts) > len(shown):
                lines.append(f"…and {len(facts) - len(shown)} more.")
        return Answer("\n".join(lines), [f.card() for f in shown], sources + [f"product:{f.id}" for f in shown],
                      context=new_context)

    def _describe(self, vocab, category_id, option_ids, min_price, max_price, in_stock) -> str:
        words = self._category_words(vocab, category_id)
        if option_ids:
            labels = [self._label(vocab, vocab.options[i]) for i in option_ids]
            words += " with " + (", ".join(labels[:-1]) + " and " + labels[-1] if len(labels) > 1 else labels[0])
        if min_price is not None and max_price is not None:
            words += f" between {_m(min_price)} and {_m(max_price)}"
        elif max_price is not None:
            words += f" up to {_m(max_price)}"
        elif min_price is not None:
            words += f" from {_m(min_price)}"
        if in_stock:
            words += " in stock"
        return words

    # -- configurations -----------------------------------------------------------------------
    def _config_options(self, p: ParsedMessage, vocab: Vocabulary, context: dict) -> list[int]:
        if p.is_follow_up and context.get("kind") in {"quote", "compatibility"} and context.get("quote_option_ids"):
            return self._merge_options(vocab, context["quote_option_ids"], p.option_ids)
        return list(p.option_ids)

    def _same_part_answer(self, vocab: Vocabulary, option_ids: list[int]) -> str | None:
        by_part: dict[int, list[OptionInfo]] = {}
        for i in option_ids:
            by_part.setdefault(vocab.options[i].part_id, []).append(vocab.options[i])
        for part_id, opts in by_part.items():
            if len(opts) > 1:
                part = vocab.parts[part_id]
                names = " or ".join(o.name for o in opts)
                cat = self._singular(vocab, part.category_id)
                return f"No: a {cat} has exactly one {part.name.lower()}, so choose {names}, not both."
        return None

    def _answer_compatibility(self, p: ParsedMessage, vocab: Vocabulary, context: dict) -> Answer:
        option_ids = self._config_options(p, vocab, context)
        category_id = vocab.options[option_ids[0]].category_id
        option_ids = [i for i in option_ids if vocab.options[i].category_id == category_id]
        new_context = {**context, "kind": "compatibility", "category_id": category_id, "quote_option_ids": option_ids}
        same = self._same_part_answer(vocab, option_ids)
        if same:
            return Answer(same, sources=[f"category:{category_id}"], context=new_context)
        q = quote_ids(category_id, option_ids, vocab)
        labels = [self._label(vocab, vocab.options[i]) for i in option_ids]
        conflicts = [c for c in q["conflicts"] if set(c["option_ids"]) <= set(option_ids)]
        if conflicts:
            lines = []
            for conflict in conflicts:
                pair = sorted(conflict["option_ids"][:2], key=option_ids.index)
                a, b = (self._label(vocab, vocab.options[i]) for i in pair)
                reason = f": {conflict['message']}" if conflict.get("message") else "."
                lines.append(f"No, {a} and {b} can't be combined{reason}")
            text = " ".join(lines)
            alternatives = self._alternatives(vocab, category_id, option_ids, conflicts)
            if alternatives:
                text += " " + alternatives
            return Answer(text, sources=q["sources"], context=new_context)
        text = f"Yes, {self._join(labels)} can be combined."
        notes = [line for line in q["breakdown"] if line["price_rule"] and line["option_id"] in option_ids]
        for line in notes:
            text += f" Together, {line['option']} costs {_m(line['price'])} ({line['price_rule']})."
        for item in q["out_of_stock"]:
            names = self._join(item["options"]) or "one of them"
            text += f" Note: {names} {'is' if len(item['options']) <= 1 else 'are'} temporarily out of stock."
        return Answer(text, sources=q["sources"], context=new_context)

    def _alternatives(self, vocab: Vocabulary, category_id: int, option_ids: list[int], conflicts: list[dict]) -> str:
        """Which options of the conflicting part do work with the rest of the selection."""
        last = conflicts[0]["option_ids"][-1]
        part_id = vocab.options[last].part_id
        rest = [i for i in option_ids if vocab.options[i].part_id != part_id]
        q = quote_ids(category_id, rest, vocab)
        for missing in q["missing_parts"]:
            if missing["part_id"] == part_id:
                ok = [o["name"] for o in missing["options"] if o.get("compatible_with_selection")]
                if ok:
                    return f"{vocab.parts[part_id].name} options that work: {self._join(ok)}."
        return ""

    @staticmethod
    def _join(names: list[str]) -> str:
        names = [n for n in names if n]
        if len(names) <= 1:
            return "".join(names)
        return ", ".join(names[:-1]) + " and " + names[-1]

    def _answer_quote(self, p: ParsedMessage, vocab: Vocabulary, context: dict) -> Answer:
        option_ids = self._config_options(p, vocab, context)
        category_id = p.category_id if p.category_explicit else vocab.options[option_ids[0]].category_id
        option_ids = [i for i in option_ids if vocab.options[i].category_id == category_id]
        new_context = {**context, "kind": "quote", "category_id": category_id, "quote_option_ids": option_ids}
        same = self._same_part_answer(vocab, option_ids)
        if same:
            return Answer(same, sources=[f"category:{category_id}"], context=new_context)
        q = quote_ids(category_id, option_ids, vocab)
        cat = self._singular(vocab, category_id)
        chosen = self._join([vocab.options[i].name for i in option_ids])
        if q["conflicts"]:
            text = " ".join(
                f"That configuration isn't possible: {self._join(c['options'])} can't be combined"
                + (f" ({c['message']})." if c.get("message") else ".")
                for c in q["conflicts"]
            )
            alternatives = self._alternatives(vocab, category_id, option_ids, q["conflicts"])
            return Answer(text + (" " + alternatives if alternatives else ""), sources=q["sources"],
                          context=new_context)
        breakdown = "\n".join(
            f"- {line['part']}: {line['option']} {_m(line['price'])}"
            + (f" ({line['price_rule']})" if line["price_rule"] else "")
            for line in q["breakdown"]
        )
        if q["missing_parts"]:
            subtotal = sum((Decimal(line["price"]) for line in q["breakdown"]), Decimal("0"))
            needs = "; ".join(
                f"{m['part']}: " + ", ".join(
                    f"{o['name']} {_m(o['price'])}" + ("" if o["in_stock"] else " (out of stock)")
                    + ("" if o.get("compatible_with_selection", True) else " (not with your choices)")
                    for o in m["options"]
                )
                for m in q["missing_parts"]
            )
            names = self._join([m["part"] for m in q["missing_parts"]])
            text = (f"To price a {cat} with {chosen or 'nothing chosen yet'} I still need: {names}. "
                    f"Options — {needs}.")
            if q["breakdown"]:
                text += f"\nSo far it comes to {_m(subtotal)}:\n{breakdown}"
            return Answer(text, sources=q["sources"], context=new_context)
        text = f"A {cat} with {chosen} costs {_m(q['price'])}:\n{breakdown}"
        for item in q["out_of_stock"]:
            text += (f"\nNote: {self._join(item['options']) or 'one option'} "
                     f"{'is' if len(item['options']) <= 1 else 'are'} temporarily out of stock, so this "
                     "configuration can't be ordered right now.")
        for item in q["other_errors"]:
            text += f"\nNote: {item['message']}"
        return Answer(text, sources=q["sources"], context=new_context)

    # -- single options and parts -------------------------------------------------------------
    def _named_option(self, p: ParsedMessage, vocab: Vocabulary) -> tuple:
        """The first option the message names, its part's options (current prices, stock), its own entry, its label."""
        opt = vocab.options[p.option_ids[0]]
        data = list_part_options(opt.category_id, opt.part_id, vocab=vocab)
        info = next(o for o in data["options"] if o["id"] == opt.id)
        return opt, data, info, self._label(vocab, opt)

    def _answer_option_price(self, p: ParsedMessage, vocab: Vocabulary, context: dict) -> Answer:
        opt, data, info, label = self._named_option(p, vocab)
        text = f"{label} {'cost' if label.endswith('s') else 'costs'} {_m(info['price'])}"
        if info["price_rules"]:
            text += " on its own; " + "; ".join(
                f"{_m(r['price'])} with {self._join(r['when_chosen_with'])}" for r in info["price_rules"]
            )
        text += "."
        if not info["in_stock"]:
            text += " It is temporarily out of stock."
        new_context = {**context, "kind": "option", "category_id": opt.category_id}
        return Answer(text, sources=data["sources"], context=new_context)

    def _answer_option_stock(self, p: ParsedMessage, vocab: Vocabulary, context: dict) -> Answer:
        opt, data, info, label = self._named_option(p, vocab)
        if info["in_stock"]:
            text = f"Yes, {label} is in stock ({_m(info['price'])})."
        else:
            others = [f"{o['name']} ({_m(o['price'])})" for o in data["options"] if o["in_stock"]]
            text = f"No, {label} is temporarily out of stock."
            if others:
                text += f" In stock for {data['part'].lower()}: {self._join(others)}."
        new_context = {**context, "kind": "option", "category_id": opt.category_id}
        return Answer(text, sources=data["sources"], context=new_context)

    def _answer_part_options(self, p: ParsedMessage, vocab: Vocabulary, context: dict) -> Answer:
        part = vocab.parts[p.part_ids[0]]
        data = list_part_options(part.category_id, part.id, vocab=vocab)
        where = f"{data['part']} ({self._category_words(vocab, part.category_id)})"
        out = [o for o in data["options"] if not o["in_stock"]]
        if p.asks_out_of_stock:
            if out:
                text = f"Out of stock for {where}: {self._join([o['name'] for o in out])}."
                available = [o["name"] for o in data["options"] if o["in_stock"]]
                if available:
                    text += f" In stock: {self._join(available)}."
            else:
                text = f"All {where} options are in stock: {self._join([o['name'] for o in data['options']])}."
        else:
            lines = [f"{where} options:"]
            for o in data["options"]:
                line = f"- {o['name']}: {_m(o['price'])}"
                if o["price_rules"]:
                    line += " (" + "; ".join(
                        f"{_m(r['price'])} with {self._join(r['when_chosen_with'])}" for r in o["price_rules"]
                    ) + ")"
                if o["incompatible_with"]:
                    line += f", not with {self._join(o['incompatible_with'])}"
                line += "" if o["in_stock"] else ", temporarily out of stock"
                lines.append(line)
            text = "\n".join(lines)
        new_context = {**context, "kind": "part", "category_id": part.category_id}
        return Answer(text, sources=data["sources"], context=new_context)

    def _answer_out_of_stock(self, p: ParsedMessage, vocab: Vocabulary, context: dict) -> Answer:
        if p.category_source == "context" and not p.is_follow_up:
            p.category_id = None  # "what is out of stock?" asks about the whole shop
        category_ids = [p.category_id] if p.category_id else list(vocab.categories)
        lines, sources = [], []
        for category_id in category_ids:
            for part in vocab.category_parts(category_id):
                out = [o.name for o in vocab.part_options(part.id) if not o.in_stock]
                if out:
                    prefix = f"{vocab.categories[category_id].name} — " if len(category_ids) > 1 else ""
                    lines.append(f"- {prefix}{part.name}: {self._join(out)}")
                    sources.append(f"part:{part.id}")
        where = f" for {self._category_words(vocab, p.category_id)}" if p.category_id else ""
        if lines:
            text = f"Temporarily out of stock{where}:\n" + "\n".join(lines)
        else:
            text = f"Every option{where} is in stock right now."
        return Answer(text, sources=sources, context={**context, "kind": "stock", "category_id": p.category_id})

    def _answer_product_info(self, p: ParsedMessage, vocab: Vocabulary, context: dict) -> Answer:
        facts = product_facts(p.product_ids)
        if not facts:
            return self._answer_help(p, vocab, context)
        lines = []
        for fact in facts[:MAX_LISTED]:
            options = [vocab.options[i] for i in fact.option_ids if i in vocab.options]
            config = ", ".join(f"{vocab.parts[o.part_id].name}: {o.name}" for o in options)
            status = "in stock" if fact.available else "currently unavailable"
            line = f"The {fact.name} costs {_m(fact.price)} and is {status}"
            missing_stock = [o.name for o in options if not o.in_stock]
            if not fact.available and missing_stock:
                line += f" ({self._join(missing_stock)} out of stock)"
            line += f". Configuration: {config}." if config else "."
            lines.append(line)
        new_context = {**context, "kind": "product", "category_id": facts[0].category_id}
        return Answer("\n".join(lines), [f.card() for f in facts[:MAX_LISTED]],
                      [f"product:{f.id}" for f in facts[:MAX_LISTED]], context=new_context)

    def _answer_help(self, p: ParsedMessage, vocab: Vocabulary, context: dict, unknown: bool = False) -> Answer:
        cats = self._join([c.name.lower() for c in vocab.categories.values()]) or "nothing yet"
        text = "I couldn't find anything in the catalog for that. " if unknown else ""
        text += (
            f"I can help you choose: we sell {cats}. Ask me for products within a budget (\"bikes under 900\"), "
            "whether two options can be combined (\"can I have red rims with fat bike wheels?\"), the price of a "
            "configuration, or which options a part has and which are out of stock."
        )
        return Answer(text, context=context)
