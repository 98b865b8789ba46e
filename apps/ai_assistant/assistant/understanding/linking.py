"""Entity linking of the words that exact name matching (vocabulary.match) left unexplained: a message cut
into runs of such words, each linked with the part names next to it (run_terms.py says what one run names).

A customer names an option by part of its name, in another order, or in the catalog's other words:
"the fat wheels" (Fat bike wheels), "glossy" (Shiny: "a glossy lacquered finish"), "MTB wheels" (Mountain
wheels). A run is tried whole, then by the word right next to its part ("matte paint, MTB wheels": "mtb"); a
run no option explains whole is cut into the longest pieces that each name one option ("reclaimed pine,
220 cm"). Everything here is derived from the catalog's data; nothing is a list of customer phrasings.
"""

from __future__ import annotations

from apps.ai_assistant.assistant.understanding.part_phrases import described_part, join_described_parts
from apps.ai_assistant.assistant.understanding.run_terms import by_names, by_names_and_descriptions_anywhere, link_run
from apps.ai_assistant.assistant.understanding.vocabulary import Mention, Term, Vocabulary
from apps.ai_assistant.assistant.understanding.words import STOP_WORDS, tokens_of

# A run of unexplained words longer than this is not a name (a sentence the catalog does not know).
MAX_RUN = 4
# A message has few names; a longer list of unexplained runs (a pasted text, a word repeated thousands of
# times) is not linked beyond this many different runs, so a message's work stays in proportion to its size.
MAX_RUNS_LINKED = 64


def _in_categories(vocab: Vocabulary, term: Term, category_ids: set[int]) -> bool:
    if term.kind == "category":
        return True
    if term.kind == "part":
        return vocab.parts[term.ref].category_id in category_ids
    if term.kind == "option":
        return vocab.options[term.ref].category_id in category_ids
    return vocab.products[term.ref].category_id in category_ids


def link_unexplained(
    vocab: Vocabulary, words: list[str], mentions: list[Mention], breaks: frozenset[int] = frozenset()
) -> list[Mention]:
    """`mentions` plus mentions for the runs of words they leave unexplained (see the module's docstring).

    `breaks`: positions k with a list mark between words k-1 and k ("thermoblock, 51mm group"): a run never
    spans one, and a part on the other side of one is not the run's part.
    """
    mentions = join_described_parts(vocab, words, mentions)  # "drum thrones": the Throne part alone
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
        while end < len(words) and end not in covering and words[end] not in STOP_WORDS and (
            end == i or end not in breaks
        ):
            end += 1
        numbers_only = all(w.replace(".", "").isdigit() for w in words[i:end])
        if numbers_only and (end - i > 1 or len(words[i]) < 2):
            i = end  # numbers alone are no name ("size 2"); beside words they are ("149 mm")
            continue
        if _ends_name_before(vocab, new, words, i, end, breaks):
            # "mesh snare pad": "pad" after "mesh snare" (the Mesh electronic snare pad) is that name's last word,
            # not another option's ("Electronic cymbal pads").
            new[-1] = Mention(new[-1].start, end, new[-1].score, new[-1].terms, True)
            i = end
            continue
        start, stop = i, end
        # The part named right before or after the run ("the fat wheels", "wheels, fat ones"), unless a list
        # mark comes between or the part already went with the run before it ("mahogany neck + P90s").
        if start > 0 and start not in breaks and is_part(start - 1) and id(covering[start - 1]) not in absorbed:
            start = covering[start - 1].start
        if stop < len(words) and stop not in breaks and is_part(stop):
            stop = covering[stop].end
        elif (stop + 1 < len(words) and words[stop] in STOP_WORDS and stop not in breaks
              and stop + 1 not in breaks and is_part(stop + 1)):
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
        if not part_ids and 1 < len(run) <= MAX_RUN and not numbers_only:
            # Words no name explains whole but whose pieces each name one option by name are those options
            # ("carbon-kevlar touring": Carbon-Kevlar composite + Touring hull 14 ft), before any description
            # explains the run whole.
            key = (tuple(run), frozenset({-2}))
            if key not in linked and len(linked) < MAX_RUNS_LINKED:
                linked[key] = by_names(vocab, run, set(), named_categories)
            if not linked.get(key):
                pieces = _segments(vocab, words, i, end, named_categories, linked, names_only=True)
                if len(pieces) > 1 and sum(m.end - m.start for m in pieces) == end - i:
                    new += pieces
                    i = end
                    continue
        found_one = False
        described = described_part(vocab, words[i:stop], part_ids) if stop > end and len(run) <= MAX_RUN else None
        if described is not None:
            # "fishing lines": words the part's own description says before its name (Line: "The fishing line").
            part = vocab.parts[described]
            new.append(Mention(i, stop, 0.5 * sum(len(w) for w in words[i:stop]),
                               [Term("part", described, tuple(tokens_of(part.name)))]))
            absorbed.update(id(covering[j]) for j in range(end, stop) if j in covering)
            i = end
            continue
        if part_ids and len(run) <= MAX_RUN:
            # The part named beside the run may be another family's word ("grey fabric" of a chair, where
            # backpacks have a Fabric part): first the run with it, against every option's name and description.
            for first, last in dict.fromkeys([(start, stop), (i, stop), (start, end)]):
                key = (tuple(words[first:last]), frozenset({-1}))
                if key not in linked and len(linked) < MAX_RUNS_LINKED:
                    linked[key] = by_names_and_descriptions_anywhere(vocab, words[first:last], named_categories)
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
                terms = linked[key] = link_run(vocab, words_tried, part_ids, named_categories)
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
        if not found_one and part_ids and len(run) <= MAX_RUN and not numbers_only:
            # No option of the part beside it explains the run: the run on its own may name an option of another
            # part ("... maple neck P90s": the P90 pickup set).
            key = (tuple(run), frozenset())
            if key not in linked and len(linked) < MAX_RUNS_LINKED:
                linked[key] = link_run(vocab, run, set(), named_categories)
            options = [t for t in linked.get(key, []) if t.kind == "option"]
            if options:
                new.append(Mention(i, end, 0.5 * sum(len(w) for w in run), options, True))
                found_one = True
        if not found_one and not numbers_only:
            new += _segments(vocab, words, i, end, named_categories, linked)
        i = end
    if not new:
        return mentions
    kept = [m for m in mentions if id(m) not in absorbed]
    return sorted(kept + new, key=lambda m: m.start)


def _ends_name_before(vocab: Vocabulary, new: list[Mention], words: list[str], i: int, end: int,
                      breaks: frozenset[int]) -> bool:
    """Whether the run words[i:end] are words of the one option the mention right before names (linked, with
    no list mark between; a short word between them must be of the name too: "pull up bar" of Pull-up bar)."""
    if not new or len(new[-1].terms) != 1 or new[-1].terms[0].kind != "option":
        return False
    gap = range(new[-1].end, i)
    name = set(tokens_of(vocab.options[new[-1].terms[0].ref].name))
    if len(gap) > 1 or any(k in breaks for k in (*gap, i)) or not {words[k] for k in gap} <= name:
        return False
    return set(words[i:end]) <= name


def _segments(
    vocab: Vocabulary, words: list[str], i: int, end: int, category_ids: set[int],
    linked: dict[tuple[tuple[str, ...], frozenset[int]], list[Term]], names_only: bool = False,
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
            key = (tuple(piece), frozenset({-2} if names_only else ()))
            terms = linked.get(key)
            if terms is None:
                if len(linked) >= MAX_RUNS_LINKED:
                    return []
                terms = linked[key] = (by_names if names_only else link_run)(vocab, piece, set(), category_ids)
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
