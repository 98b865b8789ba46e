"""Other names of a family that the catalog gives in its own text: "Configurable drum kits (drum sets)" names
the Drum Kits "drum sets" too, and "Fishing Rod Combos" are "fishing rods" (two words of the name, in order).

A name in brackets in the family's description (a few words, no number; a list of them, "(pushchairs, prams,
buggies)", gives each, and one word is enough: "(BBQs)") and each two words in order of the family's name of
three words or more that end with its last word ("golf sets" of Golf Club Sets) or stand next to each other
are the family's. A phrase that is a whole name of a part or an option (the part names it), one word that a
part's or an option's name uses, or a phrase that another family's text would give as well names no family.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from apps.ai_assistant.assistant.understanding.words import STOP_WORDS, tokens_of

# A bracketed alternative name is short: "(drum sets)", not "(40 x 25 x 30 cm)" or a sentence.
_MAX_WORDS = 3
# A family's name is a few words; a longer one (a pasted text) gives no pairs of words apart.
_MAX_NAME_WORDS = 6
# Between the names of a bracketed list: "(pushchairs, prams, buggies)", "(quadcopters and hexacopters)".
_LIST_RE = re.compile(r"[,;/]|\b(?:and|or)\b")


def _bracketed(text: str) -> list[str]:
    """The texts between "(" and the next ")" of `text` (found by position, in linear time)."""
    found, position = [], 0
    while (start := text.find("(", position)) != -1 and (end := text.find(")", start)) != -1:
        found.append(text[start + 1 : end])
        position = end + 1
    return found


def family_names(categories: Iterable[Any], descriptions: Mapping[tuple[str, int], str | None],
                 taken: set[tuple[str, ...]]) -> dict[int, list[str]]:
    """category id -> its other names (see the module's docstring).

    `categories`: objects with `id` and `name`; `descriptions`: ("category", id) -> its text; `taken`: the
    token tuples of every part's and option's name (a phrase that names one of them is not a family's).
    """
    candidates: dict[tuple[str, ...], set[int]] = {}
    name_words: set[str] | None = None  # the words of parts' and options' names, when a one-word name needs them
    for cat in categories:
        phrases = []
        for inner in _bracketed(descriptions.get(("category", cat.id)) or ""):
            for piece in _LIST_RE.split(inner):
                toks = tuple(tokens_of(piece))
                if not 1 <= len(toks) <= _MAX_WORDS or any(t.isdigit() for t in toks):
                    continue
                if len(toks) == 1 and name_words is None:
                    name_words = {word for name_toks in taken for word in name_toks}
                if len(toks) > 1 or (len(toks[0]) >= 3 and toks[0] not in (name_words or ())):
                    phrases.append(toks)
        name = tokens_of(cat.name)
        if len(name) >= 3:
            phrases += [tuple(name[k : k + 2]) for k in range(len(name) - 1)]
            if len(name) <= _MAX_NAME_WORDS:
                phrases += [(word, name[-1]) for word in name[:-2]]  # "golf sets": Golf Club Sets
        for toks in phrases:
            if not set(toks) & STOP_WORDS and toks not in taken:
                candidates.setdefault(toks, set()).add(cat.id)
    found: dict[int, list[str]] = {}
    for toks, ids in candidates.items():
        if len(ids) == 1:
            found.setdefault(next(iter(ids)), []).append(" ".join(toks))
    return found


def family_word(vocab: Any, word: str) -> bool:
    """Whether `word` is a family's word: in a category's name or description, or the end of a word of its name
    ("boards" of Snowboards). `vocab`: a Vocabulary (its categories and descriptions; the words are kept on it)."""
    cached = getattr(vocab, "_family_words", None)
    if cached is None:
        cached = set()
        for cat in vocab.categories.values():
            cached.update(tokens_of(cat.name))
            cached.update(tokens_of(vocab.descriptions.get(("category", cat.id)) or ""))
        vocab._family_words = cached
    return word in cached or any(len(word) >= 4 and token.endswith(word) for token in cached)
