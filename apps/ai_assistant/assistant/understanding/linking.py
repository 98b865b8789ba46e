"""Entity linking of the words that exact name matching (vocabulary.match) left unexplained.

A customer names an option by part of its name, in another order, or in the catalog's other words:
"the fat wheels" (Fat bike wheels), "glossy" (Shiny: "a glossy lacquered finish"), "MTB wheels" (Mountain
wheels). Each run of unexplained words, with the part names next to it, is linked in three steps:

1. names: the option (or product) whose name words cover the run best — any order, plurals, misspellings
   and shortened words as vocabulary.py scores them; a part named next to the run must be the option's part;
2. the catalog's own text: next to a part's name, a word found in the description of exactly one of its
   options stands for that option ("glossy finish"); only there, so "for snow" stays a search and "take"
   ("the only frame that takes mountain wheels") stays a verb;
   Alone, a word that only one part's description uses names that part ("casing" → Housing: "the casing
   of the machine");
3. meaning: when a part is named next to the run, the run is compared with that part's options by the
   embedding model; the nearest is taken only when it is clearly nearer than the next one.

Everything here is derived from the catalog's data; nothing is a list of customer phrasings.
"""

from __future__ import annotations

import math

from apps.ai_assistant.assistant.understanding.meaning import cosine, vectors
from apps.ai_assistant.assistant.understanding.vocabulary import Mention, Term, Vocabulary, token_score
from apps.ai_assistant.assistant.understanding.words import STOP_WORDS, tokens_of

# The embedding fallback takes the nearest option only when it is this similar to the words and this much
# nearer than the second (all-MiniLM-L6-v2: "mtb wheels" ~ Mountain wheels 0.79, Road wheels 0.74).
MIN_SIMILARITY = 0.5
MIN_MARGIN = 0.04
# A run of unexplained words longer than this is not a name (a sentence the catalog does not know).
MAX_RUN = 4

def _name_tokens(vocab: Vocabulary) -> dict[int, set[str]]:
    """Each option's name words, computed once per vocabulary."""
    cached = getattr(vocab, "_linking_option_tokens", None)
    if cached is None:
        cached = {o.id: set(tokens_of(o.name)) - STOP_WORDS for o in vocab.options.values()}
        vocab._linking_option_tokens = cached
    return cached


def _product_tokens(vocab: Vocabulary) -> dict[int, set[str]]:
    cached = getattr(vocab, "_linking_product_tokens", None)
    if cached is None:
        cached = {p.id: set(tokens_of(p.name)) - STOP_WORDS for p in vocab.products.values()}
        vocab._linking_product_tokens = cached
    return cached


def _order(vocab: Vocabulary, kind: str) -> dict[int, int]:
    """Each option's (or product's) position in the catalog, so candidates are tried in the catalog's order."""
    attribute = f"_linking_{kind}_order"
    cached = getattr(vocab, attribute, None)
    if cached is None:
        cached = {ref: n for n, ref in enumerate(vocab.options if kind == "option" else vocab.products)}
        setattr(vocab, attribute, cached)
    return cached


def _description_index(vocab: Vocabulary) -> dict[str, set[tuple[str, int]]]:
    """Word -> the parts and options whose description holds it, computed once per vocabulary."""
    cached = getattr(vocab, "_linking_descriptions", None)
    if cached is None:
        cached = {}
        for (kind, ref), text in vocab.descriptions.items():
            if kind in ("part", "option"):
                for word in set(tokens_of(text or "")) - STOP_WORDS:
                    if len(word) >= 4 and word.isalpha():
                        cached.setdefault(word, set()).add((kind, ref))
        vocab._linking_descriptions = cached
    return cached


# A message has few names; a longer list of unexplained runs (a pasted text, a word repeated thousands of
# times) is not linked beyond this many different runs, so a message's work stays in proportion to its size.
MAX_RUNS_LINKED = 64
# Words whose matches against the catalog's name words are remembered per vocabulary (then forgotten at once).
MAX_WORDS_REMEMBERED = 20_000


def _name_index(vocab: Vocabulary) -> tuple[dict[str, list[str]], dict[str, list[int]], dict[str, list[int]]]:
    """(first letter -> the distinct name words, word -> options, word -> products), once per vocabulary.

    Every score of token_score but an exact match needs the same first letter, so a message word is compared
    with the name words of its first letter only, and a run's candidates are looked up, not scanned.
    """
    cached = getattr(vocab, "_linking_name_index", None)
    if cached is None:
        by_letter: dict[str, list[str]] = {}
        options: dict[str, list[int]] = {}
        products: dict[str, list[int]] = {}
        for option_id, tokens in _name_tokens(vocab).items():
            for token in tokens:
                options.setdefault(token, []).append(option_id)
        for product_id, tokens in _product_tokens(vocab).items():
            for token in tokens:
                products.setdefault(token, []).append(product_id)
        for token in {*options, *products}:
            by_letter.setdefault(token[:1], []).append(token)
        cached = vocab._linking_name_index = (by_letter, options, products)
    return cached


def _word_matches(vocab: Vocabulary, word: str) -> dict[str, float]:
    """The catalog's name words that `word` matches, with token_score's score (remembered per vocabulary)."""
    memo: dict[str, dict[str, float]] | None = getattr(vocab, "_linking_word_matches", None)
    if memo is None or len(memo) > MAX_WORDS_REMEMBERED:
        memo = vocab._linking_word_matches = {}
    found = memo.get(word)
    if found is None:
        by_letter = _name_index(vocab)[0]
        found = {token: score for token in by_letter.get(word[:1], ()) if (score := token_score(word, token))}
        memo[word] = found
    return found


def _candidates(vocab: Vocabulary, run: list[str], kind: str) -> set[int]:
    """Ids of the options (kind "option") or products whose name words match every word of the run."""
    by_token = _name_index(vocab)[1 if kind == "option" else 2]
    found: set[int] | None = None
    for word in run:
        ids = {ref for token in _word_matches(vocab, word) for ref in by_token.get(token, ())}
        found = ids if found is None else found & ids
        if not found:
            return set()
    return found or set()


def _best_score(vocab: Vocabulary, word: str, tokens: set[str], prefixes: bool) -> float:
    """How well `word` matches one of `tokens` (weighted by length); a word's start counts when `prefixes`."""
    best = 0.0
    matches = _word_matches(vocab, word)
    for token in tokens:
        score = matches.get(token, 0.0)
        if score >= 0.8 or (score and prefixes):
            best = max(best, score * len(token))
    return best


def _by_names(vocab: Vocabulary, run: list[str], part_ids: set[int], category_ids: set[int]) -> list[Term]:
    """Options (or products) of the named categories (any, when none is named) whose name words explain the
    run best."""
    scored: list[tuple[float, int, Term]] = []
    # "sus" for "suspension" only beside another word of the name or a part: alone, a word's start is too weak.
    prefixes = bool(part_ids) or len(run) > 1
    name_tokens = _name_tokens(vocab)
    # Only the options whose name words match every word of the run can explain it; in catalog order.
    for option_id in sorted(_candidates(vocab, run, "option"), key=_order(vocab, "option").__getitem__):
        tokens = name_tokens[option_id]
        opt = vocab.options[option_id]
        if (part_ids and opt.part_id not in part_ids) or (category_ids and opt.category_id not in category_ids):
            continue
        scores = [_best_score(vocab, w, tokens, prefixes) for w in run]
        # Every word of the run must be in the name: "15 bar vibe pump" is not the 15 bar rotary pump, and a
        # word's start alone ("pro" of "profile") names nothing.
        if not all(scores) or not any(_best_score(vocab, w, tokens, False) for w in run):
            continue
        extra = len(tokens) - sum(1 for s in scores if s)
        bonus = 1.0 if opt.part_id in part_ids else 0.0
        scored.append((sum(scores) + bonus, -extra, Term("option", option_id, tuple(sorted(tokens)))))
    if not part_ids:
        product_tokens = _product_tokens(vocab)
        for product_id in sorted(_candidates(vocab, run, "product"), key=_order(vocab, "product").__getitem__):
            tokens = product_tokens[product_id]
            if category_ids and vocab.products[product_id].category_id not in category_ids:
                continue
            scores = [_best_score(vocab, w, tokens, prefixes) for w in run]
            # A product needs every word of the run, and more than one short word.
            whole_word = any(_best_score(vocab, w, tokens, False) for w in run)
            if all(scores) and whole_word and (len(run) > 1 or len(run[0]) >= 5):
                extra = len(tokens) - len(run)
                scored.append((sum(scores), -extra, Term("product", product_id, tuple(sorted(tokens)))))
    if not scored:
        return []
    best = max((s, e) for s, e, _ in scored)
    return [t for s, e, t in scored if (s, e) == best]


def _by_names_and_descriptions(vocab: Vocabulary, run: list[str], part_ids: set[int]) -> list[Term]:
    """The one option of the named part(s) that explains every word of the run by its name or its description
    ("154 cm standard board": "Also known as: 154 cm standard board")."""
    found = [o for part_id in sorted(part_ids) for o in _explaining_options(vocab, part_id, run)]
    if len(found) == 1:
        return [Term("option", found[0], tuple(run))]
    return []


def _by_names_and_descriptions_anywhere(vocab: Vocabulary, run: list[str], category_ids: set[int]) -> list[Term]:
    """The one option (of the named categories, if any) that a word of the run names and whose name, description
    or part explains every other word ("grey fabric": Graphite fabric, "dark grey woven fabric"; "leather cover":
    Black leather of the Upholstery part, "seat cover material")."""
    if len(run) < 2:
        return []
    named = {ref for word in run for ref in _candidates(vocab, [word], "option")}
    parts = {vocab.options[ref].part_id for ref in named
             if not category_ids or vocab.options[ref].category_id in category_ids}
    found = [o for part_id in sorted(parts) for o in _explaining_options(vocab, part_id, run) if o in named]
    return [Term("option", found[0], tuple(run))] if len(found) == 1 else []


def _by_descriptions(vocab: Vocabulary, run: list[str], part_ids: set[int]) -> list[Term]:
    index = _description_index(vocab)
    for word in run:
        refs = index.get(word, set())
        option_refs = {ref for kind, ref in refs if kind == "option" and ref in vocab.options}
        if part_ids:
            option_refs = {ref for ref in option_refs if vocab.options[ref].part_id in part_ids}
        if len(option_refs) == 1:
            ref = next(iter(option_refs))
            return [Term("option", ref, (word,))]
        owners = {ref if kind == "part" else vocab.options[ref].part_id for kind, ref in refs
                  if (kind == "part" and ref in vocab.parts) or (kind == "option" and ref in vocab.options)}
        if len(owners) == 1 and not part_ids:
            return [Term("part", next(iter(owners)), (word,))]
    return []


def _part_by_description(vocab: Vocabulary, run: list[str], category_ids: set[int]) -> list[Term]:
    """The one part (of the named categories, if any) whose own description uses every word of `run`
    ("casing" in the Housing part's "The casing of the machine", "anti theft" in the Lock part's)."""
    index = _description_index(vocab)
    refs: set[int] | None = None
    for word in run:
        found = {
            ref for kind, ref in index.get(word, set())
            if kind == "part" and ref in vocab.parts
            and (not category_ids or vocab.parts[ref].category_id in category_ids)
        }
        refs = found if refs is None else refs & found
    return [Term("part", next(iter(refs)), tuple(run))] if refs and len(refs) == 1 else []


def _by_meaning(vocab: Vocabulary, run: list[str], part_ids: set[int]) -> list[Term]:
    """The option of the named part(s) nearest in meaning to the run, when clearly nearest."""
    options = [o for part_id in sorted(part_ids) for o in vocab.part_options(part_id)]
    if len(options) < 2:
        return []
    part_words = tokens_of(vocab.parts[options[0].part_id].name)
    labels = [" ".join(dict.fromkeys(tokens_of(o.name) + tokens_of(vocab.parts[o.part_id].name))) for o in options]
    found = vectors([" ".join(run + part_words), *labels])
    if found is None:
        return []
    query, *option_vectors = found
    sims = sorted(((cosine(query, v), o) for v, o in zip(option_vectors, options, strict=True)), key=lambda p: -p[0])
    (best, opt), (second, _) = sims[0], sims[1]
    if math.isfinite(best) and best >= MIN_SIMILARITY and best - second >= MIN_MARGIN:
        return [Term("option", opt.id, tuple(tokens_of(opt.name)))]
    return []


def _in_categories(vocab: Vocabulary, term: Term, category_ids: set[int]) -> bool:
    if term.kind == "category":
        return True
    if term.kind == "part":
        return vocab.parts[term.ref].category_id in category_ids
    if term.kind == "option":
        return vocab.options[term.ref].category_id in category_ids
    return vocab.products[term.ref].category_id in category_ids


def _link_run(vocab: Vocabulary, run: list[str], part_ids: set[int], category_ids: set[int]) -> list[Term]:
    """The terms a run of unexplained words names, by the steps of the module's docstring in order."""
    terms = _by_names(vocab, run, part_ids, category_ids)
    if not terms and part_ids:
        terms = (_by_names_and_descriptions(vocab, run, part_ids)
                 or _by_descriptions(vocab, run, part_ids)
                 or _by_meaning(vocab, run, part_ids))
    if not terms and not part_ids:
        terms = _by_names_and_descriptions_anywhere(vocab, run, category_ids) or _part_by_description(
            vocab, run, category_ids
        )
    return terms


def link_unexplained(vocab: Vocabulary, words: list[str], mentions: list[Mention]) -> list[Mention]:
    """`mentions` plus mentions for the runs of words they leave unexplained (see the module's docstring)."""
    named_categories = {t.ref for m in mentions for t in m.terms if t.kind == "category"}
    if named_categories:
        # A name of another family than the one asked about explains nothing here ("grip" of the skateboards'
        # Grip tape, in a question about fishing rods).
        mentions = [m for m in mentions if any(_in_categories(vocab, t, named_categories) for t in m.terms)]
    covering: dict[int, Mention] = {i: m for m in mentions for i in range(m.start, m.end)}

    def is_part(i: int) -> bool:
        m = covering.get(i)
        return m is not None and all(t.kind == "part" for t in m.terms)

    new: list[Mention] = []
    absorbed: set[int] = set()
    # The terms found for each different run (with its parts): a run met again is not linked again.
    linked: dict[tuple[tuple[str, ...], frozenset[int]], list[Term]] = {}
    i = 0
    while i < len(words):
        if i in covering or words[i] in STOP_WORDS:
            i += 1
            continue
        end = i
        while end < len(words) and end not in covering and words[end] not in STOP_WORDS:
            end += 1
        numbers_only = all(w.replace(".", "").isdigit() for w in words[i:end])
        if numbers_only and (end - i > 1 or len(words[i]) < 2):
            i = end  # numbers alone are no name ("size 2"); beside words they are ("149 mm")
            continue
        start, stop = i, end
        # The part named right before or after the run ("the fat wheels", "wheels, fat ones").
        if start > 0 and is_part(start - 1):
            start = covering[start - 1].start
        if stop < len(words) and is_part(stop):
            stop = covering[stop].end
        elif stop + 1 < len(words) and words[stop] in STOP_WORDS and is_part(stop + 1):
            stop = covering[stop + 1].end  # "step-in bindings": a short word between the run and its part
        run = words[i:end]
        part_mentions = {covering[j].start: covering[j] for j in range(start, stop) if j in covering}
        part_ids = {t.ref for m in part_mentions.values() for t in m.terms}
        # The whole run, else the word right next to the part ("matte paint, MTB wheels": "mtb").
        tries = [(run, i, end)]
        if part_ids and len(run) > 1:
            if stop > end:
                tries.append((run[-1:], end - 1, end))
            if start < i:
                tries.append((run[:1], i, i + 1))
        if numbers_only:
            # A number alone ("freestyle rocker, 154, ...") names the one option whose name holds it, if one does.
            tries = [(run, i, end)]
        found_one = False
        if part_ids and len(run) <= MAX_RUN:
            # The part named beside the run may be another family's word ("grey fabric" of a chair, where
            # backpacks have a Fabric part): first the run with it, against every option's name and description.
            for first, last in dict.fromkeys([(start, stop), (i, stop), (start, end)]):
                key = (tuple(words[first:last]), frozenset({-1}))
                if key not in linked and len(linked) < MAX_RUNS_LINKED:
                    linked[key] = _by_names_and_descriptions_anywhere(vocab, words[first:last], named_categories)
                if linked.get(key):
                    new.append(Mention(first, last, 0.5 * sum(len(w) for w in words[first:last]), linked[key], True))
                    absorbed.update(id(covering[j]) for j in range(first, last) if j in covering)
                    found_one = True
                    tries = []
                    break
        for words_tried, first, last in tries if len(run) <= MAX_RUN else []:
            key = (tuple(words_tried), frozenset(part_ids))
            terms = linked.get(key)
            if terms is None:
                if len(linked) >= MAX_RUNS_LINKED:
                    break
                terms = linked[key] = _link_run(vocab, words_tried, part_ids, named_categories)
                if numbers_only and not (len(terms) == 1 and terms[0].kind == "option"):
                    terms = linked[key] = []
            if terms and len(words_tried) > 1 and all(t.kind == "product" for t in terms):
                # Words of a product's name that are also whole names of options ("round glass": Round 110 cm
                # and Tempered glass top, not the Lumen Glass Round) are those options.
                pieces = _segments(vocab, words, first, last, named_categories, linked)
                if sum(m.end - m.start for m in pieces) == last - first:
                    new += pieces
                    found_one = True
                    break
            if terms:
                found_one = True
                span_start = start if first == i else first
                span_stop = stop if last == end else last
                new.append(Mention(span_start, span_stop, 0.5 * sum(len(w) for w in words_tried), terms, True))
                absorbed.update(id(m) for m in part_mentions.values())
                break
        if not found_one and not numbers_only:
            new += _segments(vocab, words, i, end, named_categories, linked)
        i = end
    if not new:
        return mentions
    kept = [m for m in mentions if id(m) not in absorbed]
    return sorted(kept + new, key=lambda m: m.start)


def _segments(
    vocab: Vocabulary, words: list[str], i: int, end: int, category_ids: set[int],
    linked: dict[tuple[tuple[str, ...], frozenset[int]], list[Term]],
) -> list[Mention]:
    """Mentions for a run no option explains as a whole, cut into the longest pieces that each name one
    ("reclaimed pine, 220 cm": the commas are gone from the words). Kept only when the pieces explain at least
    half of the run's words: a sentence of the customer's own ("lower back pain ... at my desk") is no list of
    names that happens to hold "back"; one piece alone must explain more than half."""
    pieces: list[Mention] = []
    k = end if end - i < 2 else i
    while k < end:
        for size in range(min(MAX_RUN, end - k), 0, -1):
            piece = words[k : k + size]
            if size == 1 and (piece[0].replace(".", "").isdigit() and len(piece[0]) < 2):
                continue
            key = (tuple(piece), frozenset())
            terms = linked.get(key)
            if terms is None:
                if len(linked) >= MAX_RUNS_LINKED:
                    return []
                terms = linked[key] = _link_run(vocab, piece, set(), category_ids)
            options = [t for t in terms if t.kind == "option"]
            if len(options) == 1:  # a piece names one option ("round": Round 110 cm, not the Round products)
                pieces.append(Mention(k, k + size, 0.5 * sum(len(w) for w in piece), options, True))
                k += size
                break
        else:
            k += 1
    explained = sum(m.end - m.start for m in pieces)
    # One piece must explain most of the run ("22 l daypack" of "22 l daypack take"; not "back" of "back pain").
    enough = 2 * explained >= end - i if len(pieces) > 1 else 2 * explained > end - i
    return pieces if pieces and enough else []


def merge_same_part(vocab: Vocabulary, words: list[str], picked: list[tuple[Mention, int]]) -> list[int]:
    """Option ids of `picked` (mention, option id), where options of one part that come from split mentions
    ("regular board (154 cm)") become the one option of that part whose name, or description, explains every
    word of them, numbers included. When no option or several do, the picked options stay (the answer then
    asks which one: never a price for a guess).

    Two whole names of one part ("red or blue rims") stay two options: the customer named both.
    """
    by_part: dict[int, list[tuple[Mention, int]]] = {}
    for mention, option_id in picked:
        by_part.setdefault(vocab.options[option_id].part_id, []).append((mention, option_id))
    # Whether each part's group is merged, decided once per part (a long message picks many options).
    merged: dict[int, list[int] | None] = {}
    for part_id, group in by_part.items():
        merged[part_id] = None
        if len({o for _, o in group}) > 1 and any(m.linked for m, _ in group):
            group_words = list(dict.fromkeys(w for m, _ in group for w in words[m.start : m.end]))
            explaining = _explaining_options(vocab, part_id, group_words)
            merged[part_id] = explaining if len(explaining) == 1 else list(dict.fromkeys(o for _, o in group))
    result: dict[int, None] = {}
    for _mention, option_id in picked:
        result.update(dict.fromkeys(merged[vocab.options[option_id].part_id] or [option_id]))
    return list(result)


def _explaining_options(vocab: Vocabulary, part_id: int, group_words: list[str]) -> list[int]:
    """The options of a part that explain every word (by name, else by description), best first; only the best."""
    tokens = _name_tokens(vocab)
    part_words = set(tokens_of(vocab.parts[part_id].name)) | (
        set(tokens_of(vocab.descriptions.get(("part", part_id), "") or "")) - STOP_WORDS
    )
    scores: dict[int, float] = {}
    for opt in vocab.part_options(part_id):
        described = set(tokens_of(vocab.descriptions.get(("option", opt.id), "") or ""))
        total = 0.0
        for word in group_words:
            by_name = _best_score(vocab, word, tokens[opt.id], True)
            if by_name:
                total += by_name
            elif word in described or word in part_words:
                total += 0.5 * len(word)
            else:
                break
        else:
            scores[opt.id] = total
    if not scores:
        return []
    best = max(scores.values())
    return [o for o, score in scores.items() if score == best]
