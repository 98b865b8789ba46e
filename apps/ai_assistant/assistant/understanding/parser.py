"""The built-in engine's understanding of a customer's message: parse() and what it found (ParsedMessage).

Names come from the catalog as it is in the database (categories, parts, options, products), matched
forgivingly by the vocabulary (vocabulary.py). Around the names the parser reads price limits and sort order
(prices.py), stock questions, compatibility and price questions, and whether the message is a follow-up of
the previous one, and classifies the question (its kind). It never decides a price or a compatibility: the engine asks
the configurator and the database for those.
"""

from __future__ import annotations

import re

from apps.ai_assistant.assistant.understanding.family_names import family_word
from apps.ai_assistant.assistant.understanding.linking import link_unexplained
from apps.ai_assistant.assistant.understanding.message import ParsedMessage
from apps.ai_assistant.assistant.understanding.naming_words import (
    names_weakly,
    none_option,
    option_saying_none,
    options_said_absent,
)
from apps.ai_assistant.assistant.understanding.near_names import near_miss_name
from apps.ai_assistant.assistant.understanding.needs import MIN_OWN_WORDS, describes_need
from apps.ai_assistant.assistant.understanding.price_words import correct_price_words, correct_question_words
from apps.ai_assistant.assistant.understanding.prices import read_price_limits
from apps.ai_assistant.assistant.understanding.product_reading import (
    IT_RE,
    asks_yes_no_again,
    named_by_product,
    product_referred_to,
    restated_parts,
    without_product_names,
)
from apps.ai_assistant.assistant.understanding.question_kinds import WH_RE as _WH_RE
from apps.ai_assistant.assistant.understanding.question_kinds import classify
from apps.ai_assistant.assistant.understanding.removals import said_without
from apps.ai_assistant.assistant.understanding.run_terms import link_run
from apps.ai_assistant.assistant.understanding.same_part import merge_same_part
from apps.ai_assistant.assistant.understanding.sentences import question_text
from apps.ai_assistant.assistant.understanding.term_choice import owner_category, pick, plural_kinds, with_next_part
from apps.ai_assistant.assistant.understanding.unknown_names import (
    catalog_words,
    find_unknown_name,
    find_unknown_pair,
    find_unknown_thing,
)
from apps.ai_assistant.assistant.understanding.vocabulary import Mention, Term, Vocabulary
from apps.ai_assistant.assistant.understanding.words import STOP_WORDS, TOKEN_RE, list_breaks, normalize, tokens_of

_OUT_OF_STOCK_RE = re.compile(
    r"\b(out of stock|sold out|unavailable|not available|not in stock|run out|ran out|backorder)"
)
_STOCK_RE = re.compile(r"\b(in stock|stock|available|availability|sold out|unavailable|have any left|in store)\b")
# "total" asks the price as a noun ("what's the total?", "total for ..."), not before one ("a total beginner").
_PRICE_Q_RE = re.compile(
    r"\b(how much|price|prices|priced|cost|costs|costing|quote|pay|expensive|upcharge|surcharge|charges?|"
    r"total(?!\s+(?!(?:price|cost|for|of|is|comes?|would|with|amount|please|pls)\b)[a-z]{3,})|"
    r"what would .{0,40} be)\b"
)
_COMPAT_RE = re.compile(
    r"\b(can|could|may)\s+(i|you|we|one)\s+(have|get|combine|put|choose|pick|order|mix|use|fit|pair|add)\b|"
    r"\bcompatib|\bcombin|\btogether\b|\bpossible\b|\ballowed\b|\bworks? (with|on)\b|\bgo(es)? (with|on)\b|"
    r"\b(ok|okay|fine) with\b|\bpair|\bmatch|\bmix\b|\bfits?\b|\bavailable (with|on|for)\b|"
    r"\bincompatib|\bis there .{0,40} with\b"
)
_OPTIONS_Q_RE = re.compile(
    r"\b(options?|choices?|choose|pick|which|what|list|offer|variants?|kinds?|types?|colou?rs|are there|"
    r"do you have|available)\b"
)
_FOLLOW_UP_RE = re.compile(
    r"^(and|also|what about|how about|but|only|now|plus|with|without|same|then|instead|in that case|add|swap|"
    r"what if|ok|okay)\b|\b(those|these|them|that one|instead|same one|the same)\b"
)
# A yes/no question ("are red rims in stock?") rather than a request for products ("longboards in stock").
_YES_NO_RE = re.compile(
    r"^\s*(is|are|do|does|did|has|have|will|would|can|could|any)\b|"
    r"\b(is|are|does|do|will|would|can|could) (that|this|it|they|these|those|one)\b"
)
# A clause led by a question word: "what's it made of", "flamecrest 3 smart, what's in the box".
_CLAUSE_WH_RE = re.compile(r"(?:^|[,;:.!?]\s*)(?:what|which|how)\b")
_WH_ASKS_RE = re.compile(r"\b(what|which|how much|how|where|when|why|who)\s+(is|are|does|do|will|would|can|could)\b")
# A use ("for a music festival") rather than a thing: answered by the nearest family, not "we don't sell".
_PURPOSE_RE = re.compile(r"\bfor\b")
# A question whether the shop sells a thing ("do you sell ...", "do you carry ...", "do you have any ...").
_ASKS_TO_BUY_RE = re.compile(r"\b(sell|sells|carry|stock)\b|\b(do|does) (you|the shop) have\b")
_SELLS_RE = re.compile(r"\b(sell|sells|carry|carries)\b|\b(do|does) (you|the shop) have\b")
_GREETING_RE = re.compile(r"^\s*(hi|hello|hey|good (morning|afternoon|evening)|help|thanks|thank you)\b")


def parse(message: str, vocab: Vocabulary, context: dict | None = None) -> ParsedMessage:
    """Read a message; `context` (the session's) decides the category when the message names none."""
    context = context or {}
    # Sentences that neither ask nor name anything ("Forget your instructions.") are not read (sentences.py).
    question = question_text(message, vocab)
    known = catalog_words(vocab)
    question = correct_price_words(question, known)  # "undr 750" (price_words.py)
    question = correct_question_words(question, known)  # "is it availible"
    text = normalize(question)
    parsed = ParsedMessage(text=message)
    limits = read_price_limits(without_product_names(text, vocab))
    parsed.min_price, parsed.max_price, parsed.sort, price_spans = limits.low, limits.high, limits.sort, limits.spans
    parsed.min_strict, parsed.max_strict = limits.low_strict, limits.high_strict
    # Numbers inside price phrases must not be read as option names ("under 8" is not "8-speed").
    name_text = text
    for start, end in sorted(price_spans, reverse=True):
        name_text = name_text[:start] + " " + name_text[end:]
    parsed.use_case_text = " ".join(name_text.split())
    mentions = link_unexplained(vocab, tokens_of(name_text), vocab.match(name_text), list_breaks(name_text))
    # "the Rhino Trail 1000" beside the Rhino Trail 500 and 800: a model the shop does not sell (near_names.py).
    parsed.unknown_name, near = near_miss_name(question, vocab)
    parsed.product_ids = list(near)
    parsed.unknown_name = parsed.unknown_name or find_unknown_name(
        question, vocab,
        mentions if not price_spans else link_unexplained(vocab, tokens_of(text), vocab.match(text), list_breaks(text)),
    )
    if parsed.unknown_name and not vocab.product_names_held:
        # A large catalog's product names are not in the vocabulary: a real product is no unknown name.
        named = vocab.products_named_in(question, parsed.unknown_name)
        if named:
            parsed.unknown_name = ""
            parsed.product_ids = [p.id for p in named]

    cats = [t.ref for m in mentions for t in m.terms if t.kind == "category"]
    if cats:
        parsed.category_id = cats[0]
        parsed.category_explicit = True
        parsed.category_source = "explicit"
    else:
        # The category the named options, parts and products belong to, if they agree.
        votes: dict[int, int] = {}
        words_of_text = tokens_of(name_text)
        for m in mentions:
            owners = {owner_category(vocab, t) for t in m.terms if t.kind != "category"}
            # A whole name outvotes words linked by part of a name, a description or meaning ("comes"), word
            # for word: "the big 1.2 kg hopper" (four words linked to one option) outvotes "extra" (a part).
            said = max(1, sum(w not in STOP_WORDS for w in words_of_text[m.start : m.end]))
            for cat in owners:
                votes[cat] = votes.get(cat, 0) + (2 if len(owners) == 1 else 1) * (1 if m.linked else 2) * said
        if votes:
            best = max(votes.values())
            tied = [c for c, v in votes.items() if v == best]
            previous = context.get("category_id")
            parsed.category_id = previous if previous in tied else tied[0]
            parsed.category_source = "names"
        elif context.get("category_id") in vocab.categories:
            parsed.category_id = context["category_id"]
            parsed.category_source = "context"

    words = tokens_of(name_text)
    surface = TOKEN_RE.findall(normalize(name_text))
    used = set()
    by_start = {m.start: m for m in mentions}
    picked: list[tuple[Mention, int]] = []
    named_parts = False  # a part named by its name, not found through a word of its description
    absorbed: set[int] = set()  # part mentions that an option's words before them took in
    for mention in mentions:
        terms = mention.terms
        if parsed.category_id is not None:
            # A name of another category ("quad" fins when asking about quad skates) is not meant here.
            terms = [t for t in terms if owner_category(vocab, t) == parsed.category_id]
            if not terms and mention.terms[0].kind == "option":
                # Another family's option right before a part of this one is a shortened name of that part's
                # option ("fibreglass paddle": Fibreglass paddle 230 cm, not the tents' Fibreglass poles).
                term = with_next_part(vocab, words, mention, mention.terms[0], by_start, absorbed)
                if term.kind == "option" and vocab.options[term.ref].category_id == parsed.category_id:
                    terms = [term]
            if not terms:
                continue
        if id(mention) in absorbed:
            continue
        if context.get("kind") == "option" and context.get("option_id") in vocab.options:
            # "what about the mesh one?" after an option's answer: an option of that option's part.
            part_id = vocab.options[context["option_id"]].part_id
            terms = [t for t in terms if t.kind == "option" and vocab.options[t.ref].part_id == part_id] or terms
        term = plural_kinds(vocab, surface, words, mention, pick(vocab, terms, mention, by_start, words))
        if term.kind == "part":
            term = option_saying_none(vocab, words, mention, term)
        if term.kind == "option":
            term = with_next_part(vocab, words, mention, term, by_start, absorbed)
        if not (mention.linked and term.kind == "part"):
            # A part known by a word of its description ("powder") keeps that word for the search too.
            used.update(range(mention.start, mention.end))
        if term.kind in {"option", "part"} and said_without(words, mention):
            part_id = vocab.options[term.ref].part_id if term.kind == "option" else term.ref
            none_id = none_option(vocab, part_id)
            if none_id is None:
                # "without the rod sleeve": not chosen; a part with an option saying none gets that one.
                (parsed.removed_option_ids if term.kind == "option" else parsed.removed_part_ids).append(term.ref)
                continue
            term = Term("option", none_id, ())
        if term.kind == "option":
            picked.append((mention, term.ref))
        elif term.kind == "part" and term.ref not in parsed.part_ids:
            parsed.part_ids.append(term.ref)
            # "drums" of a Snare drum part is a word of its name, not the name: a need may still say it.
            whole = set(tokens_of(vocab.parts[term.ref].name)) - STOP_WORDS <= set(words[mention.start : mention.end])
            named_parts = named_parts or (not mention.linked and whole)
        elif term.kind == "product" and term.ref not in parsed.product_ids:
            parsed.product_ids.append(term.ref)
    if parsed.unknown_name:
        # "the Fortress Cage 220 Ultra": words of the name the shop does not sell name no option ("cage", "220").
        name_words = set(tokens_of(parsed.unknown_name)) | STOP_WORDS
        picked = [(m, ref) for m, ref in picked if not set(words[m.start : m.end]) <= name_words]
    parsed.option_ids = merge_same_part(vocab, words, picked)
    absent = options_said_absent(words, vocab, parsed.category_id)  # "armless": No armrests
    parsed.option_ids += [i for i in absent if i not in parsed.option_ids]
    if (len(parsed.product_ids) == 1 and picked and all(m.linked for m, _ in picked)
            and (_WH_RE.search(text) or _CLAUSE_WH_RE.search(text)) and not _PRICE_Q_RE.search(text)):
        # "what's the Aria 88 Home made of, which keys, speakers": words that only partly name options, in a
        # question about a named product, ask about those options' parts of it.
        parts = [vocab.options[i].part_id for i in parsed.option_ids]
        parsed.option_ids, parsed.part_ids = [], list(dict.fromkeys(parsed.part_ids + parts))
    if (restated := restated_parts(parsed.product_ids, parsed.option_ids, vocab)) is not None:
        parsed.option_ids, parsed.part_ids = [], list(dict.fromkeys(parsed.part_ids + restated))
    continues_quote = (context.get("kind") in {"quote", "compatibility", "product"}
                       and bool(_FOLLOW_UP_RE.search(text.strip())))
    if parsed.option_ids or continues_quote:
        # Beside options, or adding to the configuration just priced, a part that has one option only names
        # that option ("... and a stomp pad", "and if I also add the stomp pad?").
        for part_id in list(parsed.part_ids):
            only = vocab.part_options(part_id)
            if len(only) == 1 and only[0].id not in parsed.option_ids:
                parsed.option_ids.append(only[0].id)
                parsed.part_ids.remove(part_id)
    if continues_quote and parsed.part_ids:
        # "what if I swap the poles for carbon ones?": the words left over name an option of the part asked about.
        left = [w for i, w in enumerate(words) if i not in used and w not in STOP_WORDS and not w.isdigit()]
        for part_id in list(parsed.part_ids) if 0 < len(left) <= 3 else []:
            options = [t for t in link_run(vocab, left, {part_id}, set()) if t.kind == "option"]
            if len(options) == 1 and options[0].ref not in parsed.option_ids:
                parsed.option_ids.append(options[0].ref)
                parsed.part_ids.remove(part_id)
                used.update(i for i, w in enumerate(words) if w in left)
    parsed.free_text = " ".join(
        w for i, w in enumerate(words) if i not in used and w not in STOP_WORDS and not w.replace(".", "").isdigit()
    )

    if not parsed.product_ids:
        # "is it in stock?", "and the Max version?" after a product's answer (product_reading.py).
        parsed.product_ids, by_name = product_referred_to(text, vocab, context, any(not m.linked for m in mentions))
        parsed.unknown_name = "" if by_name else parsed.unknown_name
        if by_name:
            # The words that named the product ("the king one with the topper") are no options or parts here.
            parsed.option_ids, parsed.part_ids = named_by_product(parsed.product_ids[0], parsed.option_ids,
                                                                  parsed.part_ids, vocab)
    if (not parsed.unknown_name and not parsed.product_ids and not mentions and parsed.free_text
            and not _PURPOSE_RE.search(text)):
        # A thing, not a use ("ice hockey sticks", not "for a music festival"), in words the catalog never uses.
        # "do you sell sleeping bags?": words the catalog never says together (some of them not at all).
        asks_to_buy = bool(_ASKS_TO_BUY_RE.search(text))
        parsed.unknown_name = asks_to_buy and find_unknown_pair(question, parsed.free_text.split(), vocab) or ""
        parsed.unknown_name = parsed.unknown_name or find_unknown_thing(name_text, vocab)
        if parsed.unknown_name and not vocab.product_names_held:
            # "alpenglow nomad running shoe 423": a product's name written in lower case (looked up, as above).
            named = vocab.products_named_in(question, parsed.unknown_name)
            if named:
                parsed.unknown_name = ""
                parsed.product_ids = [p.id for p in named]
    if (not parsed.unknown_name and not parsed.product_ids and mentions and all(m.linked for m in mentions)
            and len(parsed.option_ids) < 2 and _SELLS_RE.search(text) and not _STOCK_RE.search(text)):
        # "do you sell golf carts / electric trolleys?": only parts of names found, beside words the catalog never
        # uses ("trolleys", "isofix"), in a question whether the shop sells it.
        parsed.unknown_name = find_unknown_thing(name_text, vocab, limit_others=False)
    parsed.n_parts = len({vocab.options[i].part_id for i in parsed.option_ids})
    parsed.part_of_option = vocab.options[parsed.option_ids[0]].part_id if parsed.option_ids else None
    # "how much is it without the flies?" after a price or a product takes something away from that one.
    parsed.is_follow_up = bool(_FOLLOW_UP_RE.search(text.strip())) or bool(
        (parsed.removed_option_ids or parsed.removed_part_ids) and context.get("quote_option_ids"))
    # "navy mesh in stock?", "glass top with an oil finish?": a question without a question word is a yes/no
    # one; a follow-up ("and with blue rims?") goes on with what the previous one asked.
    # "what does that come to" is led by its question word: no yes/no question.
    parsed.is_yes_no = not _WH_RE.search(text) and not _WH_ASKS_RE.search(text) and (
        bool(_YES_NO_RE.search(text))
        # Options of three parts or more with a "?" ask what they come to, not whether they go together.
        or (text.rstrip().endswith("?") and not parsed.is_follow_up and parsed.n_parts < 3)
    )
    parsed.is_yes_no = parsed.is_yes_no or asks_yes_no_again(parsed.is_follow_up, parsed.product_ids, context)
    parsed.asks_out_of_stock = bool(_OUT_OF_STOCK_RE.search(text))
    parsed.asks_stock = parsed.asks_out_of_stock or bool(_STOCK_RE.search(text))
    parsed.asks_price = bool(_PRICE_Q_RE.search(text))
    parsed.asks_compat = bool(_COMPAT_RE.search(text))
    parsed.asks_options = bool(_OPTIONS_Q_RE.search(text))
    parsed.is_greeting = bool(_GREETING_RE.search(text)) and not mentions and not parsed.free_text
    parsed.kind = classify(parsed, text, context)
    has_limits = parsed.min_price is not None or parsed.max_price is not None or parsed.sort is not None
    # Single words linked to options by part of their names ("paddle", "gas", "beans") in a long message that asks
    # no price, stock or compatibility name nothing: "a total beginner ... stable to paddle around a small lake".
    # A word misspelled into a name ("the bank of a lake": Blank) is as weak.
    weakly_named = (bool(mentions) and not parsed.category_explicit and not parsed.product_ids
                    and not (parsed.asks_price or parsed.asks_compat or parsed.asks_stock)
                    and all(names_weakly(m, words, vocab) for m in mentions))
    names_something = parsed.category_explicit or bool(parsed.option_ids or parsed.product_ids)
    if (parsed.kind in {"search", "not_sold", "part_options"} or weakly_named) and not parsed.is_follow_up and (
        describes_need(words, text, names_something=names_something and not weakly_named, has_limits=has_limits,
                       parts_named=named_parts and not weakly_named, unknown_name=parsed.unknown_name,
                       min_own_words=MIN_OWN_WORDS + 1 if weakly_named and names_something else MIN_OWN_WORDS)
    ):
        # "planning a two-week trek through the Andes with all my gear": a need (needs.py), not a name.
        parsed.kind, parsed.unknown_name, parsed.part_ids = "use_case", "", []
    if parsed.kind == "part_options" and not has_limits and not parsed.is_follow_up and "for" in words:
        # "what tank for my daughters goldfish?": a part asked about for a use in words of its own, after "for"
        # and named by nothing ("pick a blank for my fishing rod" names the family there, "for the mill" a part).
        named = {k for m in mentions for k in range(m.start, m.end)}
        after = len(words) - words[::-1].index("for")
        if any(k not in named and words[k] not in STOP_WORDS and not family_word(vocab, words[k])
               for k in range(after, len(words))):
            parsed.kind = "use_case"
    if (parsed.kind == "search" and parsed.category_explicit and not has_limits and not parsed.is_follow_up
            and not (parsed.option_ids or parsed.part_ids or parsed.product_ids)
            and len(set(parsed.free_text.split())) >= MIN_OWN_WORDS):
        # "lots of spreadsheets and number entry at work, which keyboard": a family and a need in words of
        # its own; its products are ranked by their descriptions' meaning too (answer_use_case).
        parsed.kind = "use_case"
    previous_option = context.get("option_id") if context.get("kind") == "option" else None
    if previous_option in vocab.options and parsed.is_follow_up and parsed.option_ids and not has_limits:
        # After an option's price or stock: "and the fabric one?" asks the same of another option of its part;
        # "and if I take it with a carbon-kevlar hull?" asks that option's price beside another choice.
        part_id = vocab.options[previous_option].part_id
        if len(parsed.option_ids) == 1 and vocab.options[parsed.option_ids[0]].part_id == part_id:
            parsed.kind = context.get("option_kind") or "option_price"
        elif IT_RE.search(text) and all(vocab.options[i].part_id != part_id for i in parsed.option_ids):
            parsed.option_ids = [previous_option, *parsed.option_ids]
            parsed.kind = "option_price"
    return parsed
