"""How much a message's words say of the names they were linked to: how many of a name's own words a linked
mention holds (one word of a long name, "paddle", names it weakly), and the words that choose a part's option
saying it has none: "no speakers" / "without speakers" ("No built-in speakers"), "armless" ("No armrests")."""

from __future__ import annotations

from apps.ai_assistant.assistant.understanding.vocabulary import Mention, Term, Vocabulary
from apps.ai_assistant.assistant.understanding.words import STOP_WORDS, tokens_of

_NONE_WORDS = frozenset({"no", "without", "none"})


def name_words_said(mention: Mention, words: list[str]) -> int:
    """How many words of the message's `mention` are words of the names it links to (the most for one term)."""
    said = set(words[mention.start : mention.end]) - STOP_WORDS
    return max((len(said & set(t.tokens)) for t in mention.terms), default=0)


def names_weakly(mention: Mention, words: list[str], vocab: Vocabulary | None = None) -> bool:
    """Whether `mention` names its terms by one word only: one word of a longer name, linked ("paddle" for
    the Aluminium paddle 220 cm), one word misspelled into a name ("bank" for the Blank part), or one word of
    a longer part's name ("drums" of the Snare drum part, given `vocab`)."""
    if (vocab is not None and mention.end - mention.start == 1 and mention.terms
            and all(t.kind == "part" and len(tokens_of(vocab.parts[t.ref].name)) > 1 for t in mention.terms)):
        return True
    if mention.linked:
        return name_words_said(mention, words) <= 1
    exact = max((sum(len(token) for token in t.tokens) for t in mention.terms), default=0)
    return mention.end - mention.start == 1 and mention.score < exact - 1e-9


def none_option(vocab: Vocabulary, part_id: int) -> int | None:
    """The part's one option whose name says it has none ("No built-in speakers"), if it has one."""
    nones = [o.id for o in vocab.part_options(part_id) if _NONE_WORDS & set(tokens_of(o.name))]
    return nones[0] if len(nones) == 1 else None


def option_saying_none(vocab: Vocabulary, words: list[str], mention: Mention, term: Term) -> Term:
    """"no speakers" / "without speakers" (`term`, a part, after "no"): the part's option saying it has none,
    when it has one; else `term`."""
    if mention.start == 0 or words[mention.start - 1] not in _NONE_WORDS:
        return term
    option_id = none_option(vocab, term.ref)
    return term if option_id is None else Term("option", option_id, tuple(tokens_of(vocab.options[option_id].name)))


def options_said_absent(words: list[str], vocab: Vocabulary, category_id: int | None) -> list[int]:
    """"armless": the option saying none ("No armrests") of the family's part whose name starts with the word
    before "-less" ("arm" of Armrests), for each such word of the message."""
    if category_id is None:
        return []
    found = []
    for word in words:
        base = word[:-4] if word.endswith("less") else ""
        if len(base) < 3:
            continue
        for part in vocab.category_parts(category_id):
            option_id = none_option(vocab, part.id) if any(t.startswith(base) for t in tokens_of(part.name)) else None
            if option_id is not None and option_id not in found:
                found.append(option_id)
    return found
