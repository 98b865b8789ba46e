"""What one run of a customer's words names: the steps of entity linking for a single run.

1. names: the option (or product) whose name words cover the run best — any order, plurals, misspellings
   and shortened words as vocabulary.py scores them; a part named next to the run must be the option's part;
2. the catalog's own text: next to a part's name, a word found in the description of exactly one of its
   options stands for that option ("glossy finish"); only there, so "for snow" stays a search and "take"
   ("the only frame that takes mountain wheels") stays a verb. Alone, a word that only one part's description
   uses names that part ("casing" → Housing: "the casing of the machine");
   A product's name words beside words of its family's or parts' names name that product ("pocketcast kids
   rod");
3. meaning: when a part is named next to the run, the run is compared with that part's options by the
   embedding model; the nearest is taken only when it is clearly nearer than the next one.

Everything here is derived from the catalog's data; nothing is a list of customer phrasings. Where the runs
come from and how a message is cut into them: linking.py.
"""

from __future__ import annotations

import math

from apps.ai_assistant.assistant.understanding.meaning import cosine, vectors
from apps.ai_assistant.assistant.understanding.name_index import (
    best_score,
    candidates,
    catalog_order,
    description_index,
    name_tokens,
    product_tokens,
)
from apps.ai_assistant.assistant.understanding.vocabulary import Term, Vocabulary
from apps.ai_assistant.assistant.understanding.words import STOP_WORDS, tokens_of

# The embedding fallback takes the nearest option only when it is this similar to the words and this much
# nearer than the second (all-MiniLM-L6-v2: "mtb wheels" ~ Mountain wheels 0.79, Road wheels 0.74).
MIN_SIMILARITY = 0.5
MIN_MARGIN = 0.04


def by_names(vocab: Vocabulary, run: list[str], part_ids: set[int], category_ids: set[int]) -> list[Term]:
    """Options (or products) of the named categories (any, when none is named) whose name words explain the
    run best."""
    scored: list[tuple[float, int, int, Term]] = []
    # "sus" for "suspension" only beside another word of the name or a part: alone, a word's start is too weak.
    prefixes = bool(part_ids) or len(run) > 1
    option_words = name_tokens(vocab)
    # Only the options whose name words match every word of the run can explain it; in catalog order.
    for option_id in sorted(candidates(vocab, run, "option"), key=catalog_order(vocab, "option").__getitem__):
        tokens = option_words[option_id]
        opt = vocab.options[option_id]
        if (part_ids and opt.part_id not in part_ids) or (category_ids and opt.category_id not in category_ids):
            continue
        scores = [best_score(vocab, w, tokens, prefixes) for w in run]
        # Every word of the run must be in the name: "15 bar vibe pump" is not the 15 bar rotary pump, and a
        # word's start alone ("pro" of "profile") names nothing.
        if not all(scores) or not any(best_score(vocab, w, tokens, False) for w in run):
            continue
        extra = len(tokens) - sum(1 for s in scores if s)
        bonus = 1.0 if opt.part_id in part_ids else 0.0
        # Among names as long, the one whose other words say least beyond the part ("humbuckers": Humbucker pickup
        # set, whose "pickup set" every pickup set shares, before Active humbucker set).
        own = _distinctive_extra(vocab, option_id, tokens, run)
        scored.append((sum(scores) + bonus, -extra, -own, Term("option", option_id, tuple(sorted(tokens)))))
    # One word that an option's name holds names that option, not a product named after it ("blades": Muscle-back
    # blade irons, not the Eaglecrest 14 Blade, whose configuration holds them).
    if not part_ids and not (len(run) == 1 and scored):
        product_words = product_tokens(vocab)
        product_order = catalog_order(vocab, "product")
        for product_id in sorted(candidates(vocab, run, "product"), key=product_order.__getitem__):
            tokens = product_words[product_id]
            if category_ids and vocab.products[product_id].category_id not in category_ids:
                continue
            scores = [best_score(vocab, w, tokens, prefixes) for w in run]
            # A product needs every word of the run, and more than one short word.
            whole_word = any(best_score(vocab, w, tokens, False) for w in run)
            if all(scores) and whole_word and (len(run) > 1 or len(run[0]) >= 5):
                extra = len(tokens) - len(run)
                scored.append((sum(scores), -extra, 0, Term("product", product_id, tuple(sorted(tokens)))))
    if not scored:
        return []
    best = max((s, e) for s, e, _, _ in scored)
    tied = [(d, t) for s, e, d, t in scored if (s, e) == best]
    # Of tied options, those with the fewest unsaid words of their own; tied products stay beside them.
    fewest = max((d for d, t in tied if t.kind == "option"), default=0)
    return [t for d, t in tied if t.kind != "option" or d == fewest]


def _distinctive_extra(vocab: Vocabulary, option_id: int, tokens: set[str], run: list[str]) -> int:
    """How many words of the option's name the run leaves out that neither its part's name nor another option of
    that part uses: the words that would tell it apart, which the customer did not say."""
    said = set(run)
    return sum(1 for token in tokens if token not in said and token not in _shared_words(vocab)[option_id])


def _shared_words(vocab: Vocabulary) -> dict[int, set[str]]:
    """Each option's name words that its part's name or another option of its part also uses, once per vocabulary."""
    cached = getattr(vocab, "_linking_shared_words", None)
    if cached is None:
        names = name_tokens(vocab)
        by_part: dict[int, list[int]] = {}
        for option in vocab.options.values():
            by_part.setdefault(option.part_id, []).append(option.id)
        cached = {}
        for part_id, option_ids in by_part.items():
            part_words = set(tokens_of(vocab.parts[part_id].name))
            for option_id in option_ids:
                others = {t for other in option_ids if other != option_id for t in names[other]}
                cached[option_id] = names[option_id] & (part_words | others)
        vocab._linking_shared_words = cached
    return cached


def _by_names_and_descriptions(vocab: Vocabulary, run: list[str], part_ids: set[int]) -> list[Term]:
    """The one option of the named part(s) that explains every word of the run by its name or its description
    ("154 cm standard board": "Also known as: 154 cm standard board")."""
    found = [o for part_id in sorted(part_ids) for o in explaining_options(vocab, part_id, run)]
    if len(found) == 1:
        return [Term("option", found[0], tuple(run))]
    return []



def by_names_and_descriptions_anywhere(vocab: Vocabulary, run: list[str], category_ids: set[int]) -> list[Term]:
    """The one option (of the named categories, if any) that a word of the run names and whose name, description
    or part explains every other word ("grey fabric": Graphite fabric, "dark grey woven fabric"; "leather cover":
    Black leather of the Upholstery part, "seat cover material")."""
    if len(run) < 2:
        return []
    named = {ref for word in run for ref in candidates(vocab, [word], "option")}
    parts = {vocab.options[ref].part_id for ref in named
             if not category_ids or vocab.options[ref].category_id in category_ids}
    found = [o for part_id in sorted(parts) for o in explaining_options(vocab, part_id, run) if o in named]
    return [Term("option", found[0], tuple(run))] if len(found) == 1 else []



def _by_descriptions(vocab: Vocabulary, run: list[str], part_ids: set[int]) -> list[Term]:
    index = description_index(vocab)
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
    index = description_index(vocab)
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



def link_run(vocab: Vocabulary, run: list[str], part_ids: set[int], category_ids: set[int]) -> list[Term]:
    """The terms a run of unexplained words names, by the steps of the module's docstring in order."""
    terms = by_names(vocab, run, part_ids, category_ids)
    if not terms and part_ids:
        terms = (_product_beside_part(vocab, run, category_ids)
                 or _by_names_and_descriptions(vocab, run, part_ids)
                 or _by_descriptions(vocab, run, part_ids)
                 or _by_meaning(vocab, run, part_ids))
    if not terms and not part_ids:
        terms = (_product_beside_family_words(vocab, run, category_ids)
                 or by_names_and_descriptions_anywhere(vocab, run, category_ids)
                 or _part_by_description(vocab, run, category_ids))
    return terms


def _product_beside_part(vocab: Vocabulary, run: list[str], category_ids: set[int]) -> list[Term]:
    """The product whose name the run's words (two or more) are words of, beside a part's name no option of which
    they name ("the pocketcast kids rod": the Pocketcast Travel 180 Kids)."""
    if len(run) < 2:
        return []
    return [t for t in by_names(vocab, run, set(), category_ids) if t.kind == "product"]


def _product_beside_family_words(vocab: Vocabulary, run: list[str], category_ids: set[int]) -> list[Term]:
    """The product that the run's other words name, when its words of a family's or a part's name say what kind
    of thing it is ("the pocketcast kids rod": the Pocketcast Travel 180 Kids of the fishing rods' Rod part)."""
    cached = getattr(vocab, "_linking_family_words", None)
    if cached is None:
        cached = {t for term in vocab.terms if term.kind in ("category", "part") for t in term.tokens}
        vocab._linking_family_words = cached
    rest = [w for w in run if w not in cached]
    if len(rest) < 2 or len(rest) == len(run):
        return []
    return [t for t in by_names(vocab, rest, set(), category_ids) if t.kind == "product"]



def explaining_options(vocab: Vocabulary, part_id: int, group_words: list[str]) -> list[int]:
    """The options of a part that explain every word (by name, else by description), best first; only the best."""
    tokens = name_tokens(vocab)
    part_words = set(tokens_of(vocab.parts[part_id].name)) | (
        set(tokens_of(vocab.descriptions.get(("part", part_id), "") or "")) - STOP_WORDS
    )
    scores: dict[int, float] = {}
    for opt in vocab.part_options(part_id):
        described = set(tokens_of(vocab.descriptions.get(("option", opt.id), "") or ""))
        total = 0.0
        for word in group_words:
            by_name = best_score(vocab, word, tokens[opt.id], True)
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
