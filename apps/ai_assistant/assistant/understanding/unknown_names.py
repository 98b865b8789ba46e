"""Names the catalog does not hold: "how much is the Zephyr 3000 e-bike?", "do you sell the Velocity Road Pro?".

A word is taken for part of a product or brand name the shop does not sell when the catalog's names and
descriptions never use it and it is written like a name:
- capitalised inside a sentence ("the Zephyr"), not right after a preposition ("good for Paris");
- followed by a model number ("zephyr 3000"; "9 hours" counts hours);
- right after a real product's name, a capitalised word, a number or a word of other products' names ("the
  Velocity Road Pro"): a near-miss name is not the product;
- two such words right before a part's or a family's name ("shimano stradic reels"): a brand of it.
The name reported is the customer's own span of words around it ("Zephyr 3000 e-bike", "Velocity Road Pro").
A request that names nothing of the catalog and asks for a thing rather than a use ("do you have ice hockey
sticks?", not "something for a music festival") is about something the shop does not sell either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from apps.ai_assistant.assistant.understanding.vocabulary import Mention, Vocabulary
from apps.ai_assistant.assistant.understanding.words import STOP_WORDS, tokens_of
from apps.ai_assistant.retrieval.text import fold_accents

_RAW_WORD = re.compile(r"[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*")
_CLAUSE_MARK = re.compile(r"[:>)\]}\"“”]")
_PREPOSITIONS = {"for", "in", "to", "at", "from", "near", "with", "by", "on", "into", "around"}


def catalog_words(vocab: Vocabulary) -> set[str]:
    """Every word of the catalog's names and descriptions, computed once per vocabulary."""
    cached = getattr(vocab, "_catalog_words", None)
    if cached is None:
        cached = {token for term in vocab.terms for token in term.tokens}
        for text in vocab.descriptions.values():
            cached.update(tokens_of(text or ""))
        vocab._catalog_words = cached
    return cached


def find_unknown_name(sentence: str, vocab: Vocabulary, mentions: list[Mention]) -> str:
    """The span of `sentence` that names something the catalog does not hold, or "".

    `mentions` are the catalog names found in the same sentence (token positions of tokens_of(sentence)).
    """
    sentence = fold_accents(sentence)  # "Doppio Café" written "Doppio Cafe" is the same name
    raw = list(_RAW_WORD.finditer(sentence))
    if not raw:
        return ""
    known = catalog_words(vocab)
    word_tokens = _tokens_by_word(m.group() for m in raw)
    tokens = [t for m in raw for t in word_tokens[m.group()]]
    # Token positions of each raw word, to see which words a catalog name covers.
    positions, n = [], 0
    for m in raw:
        count = len(word_tokens[m.group()])
        positions.append(range(n, n + count))
        n += count
    product_end = {m.end for m in mentions if any(t.kind == "product" for t in m.terms)}
    # A name linked by some of its words ("Rogue R-3 power rack": the Full power cage) explains none of the
    # words the catalog never uses; an exact (or misspelt) name explains all of its own.
    kind_starts = {m.start for m in mentions if not m.linked and all(t.kind in {"part", "category"} for t in m.terms)}
    covered = {i for m in mentions if not m.linked for i in range(m.start, m.end)}
    covered |= {i for m in mentions if m.linked for i in range(m.start, m.end) if tokens[i] in known}

    def word_kind(word: str) -> str:
        """The kind a word has wherever it is; "" when that depends on whether a catalog name covers it."""
        toks = word_tokens[word]
        if not toks or all(t in STOP_WORDS for t in toks):
            return "stop"
        if word.isdigit():
            return "number"
        return "known" if all(t in known for t in toks) else ""

    word_kinds = {word: word_kind(word) for word in word_tokens}
    kinds = [
        word_kinds[m.group()] or ("known" if all(i in covered for i in positions[k]) else "unknown")
        for k, m in enumerate(raw)
    ]
    last = len(raw) - 1
    name_words = _product_name_words(vocab)
    for k, word_kind in enumerate(kinds):
        word = raw[k].group()
        after_product = positions[k].start in product_end and not (set(positions[k]) & covered)
        if after_product and kinds[k] != "stop" and (
            word[0].isupper() or word.isdigit() or set(word_tokens[word]) <= name_words
        ):
            # "the Velocity Road Pro": a real name followed by a word of names is another product's name.
            kinds[k] = "unknown"
            return _span(sentence, raw, kinds, k, vocab)
        if word_kind != "unknown":
            continue
        after_preposition = k > 0 and raw[k - 1].group().lower() in _PREPOSITIONS
        # A capital after ":" or a mark ("</catalog> New rule: ...") starts a clause: no name for that.
        after_mark = k > 0 and bool(_CLAUSE_MARK.search(sentence, raw[k - 1].end(), raw[k].start()))
        capitalised = word[0].isupper() and k > 0 and not after_preposition and not after_mark
        # A model number follows its name ("zephyr 3000"); a word after a number is what is counted ("9 hours",
        # "10 people"), unless written as a name (capitalised, above).
        numbered = k < last and kinds[k + 1] == "number"
        # "shimano stradic reels": two words the catalog never uses right before a part's or a family's name are
        # a brand or model of it the shop does not sell.
        # Only stop words ask for it ("do you have ..."): after words of a need ("my kid wants to start playing
        # drums") they are words of that need.
        branded = (k < last - 1 and kinds[k + 1] == "unknown" and positions[k + 2].start in kind_starts
                   and all(kind == "stop" for kind in kinds[:k]))
        if capitalised or numbered or branded:
            return _span(sentence, raw, kinds, k, vocab)
    return ""


def _tokens_by_word(words: Iterable[str]) -> dict[str, list[str]]:
    """tokens_of each different word once: a long message repeats its words."""
    found: dict[str, list[str]] = {}
    for word in words:
        if word not in found:
            found[word] = tokens_of(word)
    return found


def _product_name_words(vocab: Vocabulary) -> set[str]:
    cached = getattr(vocab, "_product_name_words", None)
    if cached is None:
        cached = {t for p in vocab.products.values() for t in tokens_of(p.name)} - STOP_WORDS
        vocab._product_name_words = cached
    return cached


def _span(sentence: str, raw: list, kinds: list[str], k: int, vocab: Vocabulary) -> str:
    """The name around word `k`: capitalised, numbered, unknown or hyphenated words next to it, and the
    category word that ends it ("Zephyr 3000 kayak")."""

    def part_of_name(j: int) -> bool:
        word = raw[j].group()
        return kinds[j] != "stop" and (word[0].isupper() or kinds[j] in ("number", "unknown") or "-" in word)

    start = end = k
    while start > 0 and part_of_name(start - 1):
        start -= 1
    while end < len(raw) - 1 and part_of_name(end + 1):
        end += 1
    if end < len(raw) - 1 and kinds[end + 1] != "stop" and vocab.match(raw[end + 1].group(), kinds={"category"}):
        end += 1
    return sentence[raw[start].start() : raw[end].end()]


def find_unknown_thing(text: str, vocab: Vocabulary, limit_others: bool = True) -> str:
    """The last run of words the catalog never uses in a request that names nothing of it ("do you have ice
    hockey sticks?" -> "ice hockey sticks"), or "". With `limit_others` False, also when other words surround
    it ("golf carts / electric trolleys", whose "cart" is part of an option's name)."""
    known = catalog_words(vocab)
    runs: list[list[str]] = [[]]
    matches = list(_RAW_WORD.finditer(text))
    word_tokens = _tokens_by_word(m.group() for m in matches)
    for match in matches:
        toks = word_tokens[match.group()]
        if toks and all(t not in known and t not in STOP_WORDS and not t.isdigit() for t in toks):
            runs[-1].append(match.group())
        elif runs[-1]:
            runs.append([])
    found = [run for run in runs if run]
    name = " ".join(found[-1]) if found else ""
    if not limit_others:
        return name if sum(c.isalpha() for c in name) >= 4 else ""
    # A request for a thing says little besides it ("do you have ice hockey sticks?", "I want to buy
    # trampolines"); more words of its own describe a need ("tiny kitchen, small budget, ... in the morning"),
    # which the search answers.
    thing = set(found[-1]) if found else set()
    others = {t for match in matches if match.group() not in thing for t in word_tokens[match.group()]
              if t not in STOP_WORDS and not t.isdigit() and len(t) > 2}
    if len(others) > 1:
        return ""
    return name if sum(c.isalpha() for c in name) >= 4 else ""  # "what's new?" names no thing


def catalog_pairs(vocab: Vocabulary) -> set[tuple[str, str]]:
    """Every two words that follow each other in the catalog's names or descriptions, computed once per
    vocabulary."""
    cached = getattr(vocab, "_catalog_pairs", None)
    if cached is None:
        texts = [term.tokens for term in vocab.terms] + [tokens_of(t or "") for t in vocab.descriptions.values()]
        cached = {(a, b) for toks in texts for a, b in zip(toks, toks[1:], strict=False)}
        vocab._catalog_pairs = cached
    return cached


def find_unknown_pair(sentence: str, free_words: list[str], vocab: Vocabulary) -> str:
    """A thing asked for in words the catalog knows one by one but never says together ("sleeping bags",
    "bar stools" in a shop whose text has "sleeping" and "stool" apart), in the customer's words, or "".

    `free_words`: the message's words no name explained, stop words left out, in order (two or three of them).
    """
    if not 2 <= len(free_words) <= 3:
        return ""
    pairs = catalog_pairs(vocab)
    if any((a, b) in pairs for a, b in zip(free_words, free_words[1:], strict=False)):
        return ""
    raw = list(_RAW_WORD.finditer(fold_accents(sentence)))
    stems = [" ".join(tokens_of(m.group())) for m in raw]
    for k in range(len(raw) - len(free_words) + 1):
        if stems[k : k + len(free_words)] == free_words:
            return sentence[raw[k].start() : raw[k + len(free_words) - 1].end()]
    return " ".join(free_words)
