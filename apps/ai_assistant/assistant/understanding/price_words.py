"""Misspelt words the parser reads questions by: "undr 750" is "under 750", "is it availible" is "available".

A word right before an amount that the catalog never uses and that is one typing slip (a letter left out,
added, changed, or two swapped) from a one-word limit of prices.py is read as that word; anywhere in the
message, such a word one slip from one of the long question words of parser.py (stock, compatibility,
price) is read as that word. The catalog's own words are never corrected ("cover 60" of a shop that sells
covers stays).
"""

from __future__ import annotations

import re

from apps.ai_assistant.assistant.understanding.words import stem

# The one-word limits of prices.py long enough for one slip to leave them recognisable.
_LIMIT_WORDS = ("under", "below", "above", "over", "within", "beneath", "maximum", "minimum", "budget", "cheaper")
# The parser's question words long enough for one slip to leave them recognisable (parser.py's patterns).
_QUESTION_WORDS = ("available", "availability", "unavailable", "compatible", "compatibility", "combine",
                   "combined", "expensive", "cheapest", "options")
_LONG_WORD = re.compile(r"\b[A-Za-z]{6,14}\b")
# A word and the amount after it (a currency sign may come first); one word at a time, in linear time.
_WORD_BEFORE_AMOUNT = re.compile(r"\b([A-Za-z]{3,9}) ++(?=[€$£]?\d)")


def _one_slip(word: str, target: str) -> bool:
    """Whether `word` is `target` with one letter left out, added or changed, or two next ones swapped."""
    if word == target or abs(len(word) - len(target)) > 1:
        return False
    if len(word) == len(target):
        diff = [k for k in range(len(word)) if word[k] != target[k]]
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and word[diff[0]] == target[diff[1]] \
            and word[diff[1]] == target[diff[0]]
        return len(diff) == 1 or swapped
    short, long = (word, target) if len(word) < len(target) else (target, word)
    return any(long[:k] + long[k + 1:] == short for k in range(len(long)))


def correct_price_words(text: str, known: set[str]) -> str:
    """`text` with each misspelt limit word before an amount written right; `known`: the catalog's words."""

    def fix(match: re.Match) -> str:
        word = match.group(1).lower()
        if word in known or word in _LIMIT_WORDS:
            return match.group(0)
        for target in _LIMIT_WORDS:
            if _one_slip(word, target):
                return match.group(0).replace(match.group(1), target, 1)
        return match.group(0)

    return _WORD_BEFORE_AMOUNT.sub(fix, text)


def correct_question_words(text: str, known: set[str]) -> str:
    """`text` with each misspelt question word written right ("availible", "compatable"); `known`: the
    catalog's words, never corrected."""

    def fix(match: re.Match) -> str:
        word = match.group(0).lower()
        if stem(word) in known or word in _QUESTION_WORDS:
            return match.group(0)
        return next((target for target in _QUESTION_WORDS if _one_slip(word, target)), match.group(0))

    return _LONG_WORD.sub(fix, text)
