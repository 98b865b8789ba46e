"""The words of a customer's message as the built-in engine reads them: normalised, tokenised, lightly stemmed,
and the stop words that carry no search meaning (words of conversation, prices and stock).

Catalog names go through the same functions (vocabulary.py), so a message word and a name word compare equal.

The shared text pieces live in apps/ai_assistant/retrieval/text.py; this module uses them where they are the
same as the chat's rules (the plural s: `singular`) and keeps its own where the chat differs on purpose:
- stop words: the chat drops many more words than a keyword query (conversation, prices, stock: "cheapest",
  "available", "hello"), else they would be searched for as free text; retrieval's list holds "while",
  which the chat keeps;
- tokens: "1.5" stays one token (a price or a size), "rider's" splits; retrieval's `words()` keeps "v2.0" and
  "rider's" whole, `plain_words()` splits "1.5";
- normalising: the chat also drops thousands separators ("1,200"), reads "thru" and "colour" and "&";
- stemming: the chat turns "-sses" into "-ss" ("glasses" -> "glass") and takes the s off "-us"/"-is" words,
  where retrieval's `stem()` keeps it; the catalog's names were matched with these rules.
"""

from __future__ import annotations

import re
from functools import lru_cache

from apps.ai_assistant.retrieval.text import fold_accents, singular

_STOP_TEXT = (
    """a an the and or but if of to in on at for from by with without about as is are was were be been
    do does did have has had i me my we our you your it its this that these those there here what which who
    whom whose when where why how can could would should will shall may might must please show find give
    tell list any some all one ones much many more most less least very just also only get got want need buy
    looking look like something anything thing things see let know offer sell price prices cost costs charge
    eur euro euros usd dollar dollars under below above over between than max maximum min minimum up
    cheap cheapest cheaper expensive budget total stock available availability options option choices
    choice choose type kind variant combine compatible possible allowed work works go goes together not no yes
    instead same
    hi hello hey thanks thank ok okay sure else other another now then still again s k out left sold currently
    right today moment there their them they us would like d ll re ve m t isn don doesn whats
    add swap change replace come too pls plz thx"""
)

# Unit symbols (SI and the usual imperial ones) a number may be written glued to: "1000w", "2.2kw", "16in".
_GLUED_UNIT_RE = re.compile(
    r"(?<=\d)(?=(?:mm|cm|m|km|in|ft|ml|cl|l|mg|g|kg|lbs?|oz|w|kw|wh|kwh|v|mah|hz|khz|ghz|mb|gb|tb|mp)\b)"
)
# A unit spelled out after a number is its symbol, as catalog names write it ("4 litre tank": Water tank 4 L).
_SPELLED_UNITS = {"l": r"lit(?:re|er)s?|ltrs?", "mm": r"millimet(?:re|er)s?", "cm": r"centimet(?:re|er)s?",
                  "kg": r"kilos?|kilograms?|kilogrammes?", "g": r"grams?|grammes?"}
_SPELLED_UNIT_RE = re.compile(r"(?<=\d)\s*(?:" + "|".join(f"(?P<{k}>{v})" for k, v in _SPELLED_UNITS.items()) + r")\b")
_DIMENSION_RE = re.compile(r"(?<=\d)\s*+(?:x|by|×)\s*+(?=\d)")
# The written shorthand of "with" and "without": "w/", "w/o".
_WITH_RE = re.compile(r"\bw/(o\b)?\s*")
TOKEN_RE = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
# Marks between the items of a list ("thermoblock, 51mm group + vibe pump"): a name never spans one.
_LIST_MARK_RE = re.compile(r"[,;+|]")


def normalize(text: str) -> str:
    """Lower-case without accents ("Café" is "cafe"), drop thousands separators, one spelling of colour."""
    text = fold_accents(text.lower())
    text = re.sub(r"(?<=\d)[,’'](?=\d{3}\b)", "", text)
    text = re.sub(r"\bthru\b", "through", text)
    if "w/" in text:  # "w/ jets", "w/o the bag"
        text = _WITH_RE.sub(lambda m: "without " if m.group(1) else "with ", text)
    # A number glued to its unit is the number and the unit ("70l", "180cm"), as catalog names write them.
    text = _GLUED_UNIT_RE.sub(" ", text)
    text = _SPELLED_UNIT_RE.sub(lambda m: " " + (m.lastgroup or ""), text)
    # Dimensions are written "140 x 70 cm" in names: "140x70" and "160 by 80" are the same.
    text = _DIMENSION_RE.sub(" x ", text)
    return text.replace("colour", "color").replace("&", " and ")


@lru_cache(maxsize=65536)  # a message repeats its words, and the catalog's names repeat across messages
def stem(token: str) -> str:
    """A light stem: plurals to singular, so "rims" meets "rim" and "bikes" meets "bike"."""
    if token.isdigit() or len(token) <= 3:
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith("sses"):
        return token[:-2]
    return singular(token)  # the plural s, except after "ss"


def tokens_of(text: str) -> list[str]:
    return [stem(t) for t in TOKEN_RE.findall(normalize(text))]


_HYPHEN_RE = re.compile(r"(?<=[A-Za-z])-(?=[A-Za-z])")


# Names longer than this are no catalog's names a customer types (a pasted text): not read twice.
MAX_GLUED_NAME = 200


def hyphens_glued(name: str) -> str:
    """`name` with each hyphen between letters left out: customers write "wifi" for "Wi-Fi" ("" when it has
    none, or is too long to be a name)."""
    if "-" not in name or len(name) > MAX_GLUED_NAME:
        return ""
    glued = _HYPHEN_RE.sub("", name)
    return glued if glued != name else ""


def name_words(name: str) -> set[str]:
    """The words of a catalog name, its hyphenated words also as one ("Wi-Fi": "wi", "fi" and "wifi")."""
    return set(tokens_of(name)) | set(tokens_of(hyphens_glued(name)))


def list_breaks(text: str) -> frozenset[int]:
    """Positions k in tokens_of(text) with a list mark (",", ";", "+", "|") between word k-1 and word k."""
    normalized = normalize(text)
    breaks: set[int] = set()
    previous_end = 0
    for k, match in enumerate(TOKEN_RE.finditer(normalized)):
        if k and _LIST_MARK_RE.search(normalized, previous_end, match.start()):
            breaks.add(k)
        previous_end = match.end()
    return frozenset(breaks)


STOP_WORDS = {stem(word) for word in _STOP_TEXT.split()}
