"""Which of a span's terms a message means: the family a term belongs to (owner_category), one term of an
ambiguous span (pick: the option whose part is named beside it, the part other words name, the first step),
and an option known by a shortened name before a part of its own (with_next_part: "adjustable armrests" is the
4D adjustable armrests, not the Adjustable headrest). Moved out of parser.py as they were."""

from __future__ import annotations

from collections.abc import Sequence

from apps.ai_assistant.assistant.understanding.vocabulary import Mention, Term, Vocabulary
from apps.ai_assistant.assistant.understanding.words import tokens_of


def owner_category(vocab: Vocabulary, term: Term) -> int:
    """The category a term is, or belongs to."""
    if term.kind == "category":
        return term.ref
    if term.kind == "part":
        return vocab.parts[term.ref].category_id
    if term.kind == "option":
        return vocab.options[term.ref].category_id
    return vocab.products[term.ref].category_id


def pick(
    vocab: Vocabulary, terms: list[Term], mention: Mention, by_start: dict[int, Mention],
    words: Sequence[str] = (),
) -> Term:
    """One term for an ambiguous span: the option whose part is named next to it, the part other `words` of the
    message name, else the first step.

    `by_start` holds the message's mentions (which never overlap) by their first word.
    """
    if len(terms) == 1:
        return terms[0]
    categories = [t for t in terms if t.kind == "category"]
    if categories:
        return categories[0]  # "skis" is the category before it is the "Ski type" part
    options = [t for t in terms if t.kind == "option"]
    if options:
        # The mentions starting within one word of this one's end (looked up, not scanned: a message can
        # hold thousands of mentions).
        near = (by_start.get(start) for start in (mention.end - 1, mention.end, mention.end + 1))
        neighbours = [m for m in near if m is not None and m is not mention]
        near_parts = {t.ref for m in neighbours for t in m.terms if t.kind == "part"}
        for term in options:
            if vocab.options[term.ref].part_id in near_parts:
                return term
        return min(options, key=lambda t: (vocab.parts[vocab.options[t.ref].part_id].step, t.ref))
    parts = [t for t in terms if t.kind == "part"]
    if parts:
        # "what colours does the desk frame come in": of Frame and Frame colour, the part other words name.
        elsewhere = {t.ref for m in by_start.values() if m is not mention for t in m.terms if t.kind == "part"}
        said = set(words)
        return min(parts, key=lambda t: (t.ref not in elsewhere, -len(said & set(tokens_of(vocab.parts[t.ref].name))),
                                         vocab.parts[t.ref].step, t.ref))
    return terms[0]


def with_next_part(
    vocab: Vocabulary, words: list[str], mention: Mention, term: Term, by_start: dict[int, Mention],
    absorbed: set[int],
) -> Term:
    """The option of the part named right after `mention` whose name holds its words, when `term` (an option of
    another part, known by a shortened name) is not that part's: "adjustable armrests" is 4D adjustable
    armrests, not the Adjustable headrest. The part's mention is then taken in (added to `absorbed`)."""
    following = by_start.get(mention.end)
    if following is None or not all(t.kind == "part" for t in following.terms):
        return term
    part_ids = {t.ref for t in following.terms}
    if vocab.options[term.ref].part_id in part_ids:
        return term
    said = set(words[mention.start : mention.end])
    fitting = [o for part_id in sorted(part_ids) for o in vocab.part_options(part_id) if said <= set(tokens_of(o.name))]
    if len(fitting) != 1:
        return term
    absorbed.add(id(following))
    return Term("option", fitting[0].id, tuple(tokens_of(fitting[0].name)))


def plural_kinds(vocab: Vocabulary, surface: Sequence[str], words: Sequence[str], mention: Mention,
                 term: Term) -> Term:
    """The option's part when every word of a partly-named option is a plural and one of them is a word of that
    part's name: "what keyboard layouts/sizes do you offer" asks for the Layout part's options, not the
    Full-size 104-key layout. A singular word beside it ("the fat wheels") names the option.

    `surface`: the message's words before stemming, `words` after (the same positions)."""
    if term.kind != "option" or not mention.linked:
        return term
    span = range(mention.start, mention.end)
    if not all(surface[k] != words[k] and words[k].isalpha() for k in span):
        return term
    part_id = vocab.options[term.ref].part_id
    if set(tokens_of(vocab.parts[part_id].name)) & {words[k] for k in span}:
        return Term("part", part_id, tuple(tokens_of(vocab.parts[part_id].name)))
    return term
