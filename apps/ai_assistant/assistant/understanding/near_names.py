"""Near-miss product names: the start of real products' names followed by a word none of them has.

"how much is the Rhino Trail 1000?" when the shop sells the Rhino Trail 500 and 800, "do you have the Nordby 4
sofa?" beside the Nordby 2 and 3, "is the Drift Rookie Pro in stock?" beside the Drift Rookie 148 and 154, "got
the Kestrel 4K Pro Max?" beside the Kestrel 4K Pro: each names a model the shop does not sell, not the family
of names it starts like. Everything is read from the catalog's product names: the words that start them (a
word only product names use, so "steel" of an option never starts one), and the words that follow each start.

A word after the start counts as the model's when it is written like one — a number, a capitalised word, or a
word of other products' names — and no product whose name starts the same way has it anywhere in its name
("Drift 154" is a shortened Drift Park 154, not another model). A word of a part's or an option's name ("the
Corvid Scout 90 mount") or of a category's ("Nordby sofa") says what the customer wants of it, no model.
"""

from __future__ import annotations

import re

from apps.ai_assistant.assistant.understanding.vocabulary import Vocabulary
from apps.ai_assistant.assistant.understanding.words import STOP_WORDS, tokens_of
from apps.ai_assistant.retrieval.text import fold_accents

_RAW_WORD = re.compile(r"[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*")


class _NameStarts:
    """The catalog's product names as token sequences: each start (prefix) with the tokens of the names it
    starts, and the words of parts', options' and categories' names."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.names = [(tuple(tokens_of(p.name)), p.id) for p in vocab.products.values()]
        self.names = [(n, pid) for n, pid in self.names if n]
        self.starts: dict[tuple[str, ...], set[str]] = {}
        self.products: dict[tuple[str, ...], list[int]] = {}
        for name, product_id in self.names:
            for k in range(1, len(name) + 1):
                self.starts.setdefault(name[:k], set()).update(name)
                self.products.setdefault(name[:k], []).append(product_id)
        self.product_words = {t for name, _ in self.names for t in name}
        self.other_words = {t for term in vocab.terms if term.kind != "product" for t in term.tokens}


def _starts(vocab: Vocabulary) -> _NameStarts:
    cached = getattr(vocab, "_near_name_starts", None)
    if cached is None:
        cached = _NameStarts(vocab)
        vocab._near_name_starts = cached
    return cached


def near_miss_name(sentence: str, vocab: Vocabulary) -> tuple[str, list[int]]:
    """The customer's words for a product the catalog nearly names ("Rhino Trail 1000") and the products whose
    names start the same way (the Rhino Trail 500 and 800), or ("", [])."""
    if not vocab.product_names_held or not vocab.products:
        return "", []
    starts = _starts(vocab)
    sentence = fold_accents(sentence)
    raw = list(_RAW_WORD.finditer(sentence))
    words: list[tuple[int, str]] = []  # (raw word index, token)
    for k, match in enumerate(raw):
        words += [(k, token) for token in tokens_of(match.group())]
    tokens = [t for _, t in words]
    i = 0
    while i < len(tokens):
        first = tokens[i]
        # A name starts with a word only product names use ("Rhino", "Nordby"), not "steel" or "the".
        if (first,) not in starts.starts or first in starts.other_words or first in STOP_WORDS or first.isdigit():
            i += 1
            continue
        j = i + 1
        while j < len(tokens) and tuple(tokens[i : j + 1]) in starts.starts:
            j += 1
        found = _model_word(raw, words, tokens, i, j, starts)
        if found is not None:
            return sentence[raw[words[i][0]].start() : raw[found].end()], starts.products[tuple(tokens[i:j])]
        i = j
    return "", []


def _model_word(raw: list, words: list[tuple[int, str]], tokens: list[str], i: int, j: int,
                starts: _NameStarts) -> int | None:
    """The raw index of the last word of a near-miss model name that starts at token i and whose known start
    ends at token j, or None."""
    if j >= len(tokens):
        return None
    start = tuple(tokens[i:j])
    word_index, token = words[j]
    if words[j - 1][0] == word_index:
        return None  # the start ends inside a word ("Nordby-4x"): no clean name
    written = raw[word_index].group()
    held = starts.starts[start]
    if any(word.startswith(token) for word in held) or (token in starts.other_words and not token.isdigit()):
        # "Drift 154": a word of one of those names, or its start ("AM 163 w" for "AM 163W"); "Corvid Scout 90
        # mount": a part's word. A number is a model's ("Nordby 4") though option names hold numbers too.
        return None
    if token in STOP_WORDS and not (written[0].isupper() and token in starts.product_words):
        return None  # "Max" is a stop word ("max 500"), a model's word when capitalised and names use it
    if not (token.isdigit() or written[0].isupper() or token in starts.product_words):
        return None
    # The model name runs on over its numbers and capitalised words ("Kestrel 4K Pro Max").
    end = word_index
    while end + 1 < len(raw) and (raw[end + 1].group()[0].isupper() or raw[end + 1].group().isdigit()):
        end += 1
    return end
