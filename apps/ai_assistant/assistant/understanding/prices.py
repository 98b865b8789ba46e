"""Price limits and price order in a customer's message ("under 900", "between 1k and 1.5k euros", "cheapest").

Every pattern here reads a message in linear time: tests/hardening/test_linear_time.py feeds each pattern of
the project hostile text of 10,000 characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

# Price phrases are read in linear time whatever the message: every run of spaces or digits is taken by
# one possessive quantifier (the classes around them never overlap, so giving characters back could not
# find another match), and a phrase that starts with the number may begin only where a run of spaces or
# digits begins (the leftmost match never starts inside one). Overlapping `\s*` around optional parts
# backtracked cubically: "1" + 2,000 spaces + "a" took 30 s.
_NUM = (
    r"(?:€|\$|£|eur\s|usd\s)?\s*+(\d++(?:\.\d{1,2})?)(?:\s*+(k\b))?\s*+"
    r"(?:€|\$|£|eur(?:os?)?\b|usd\b|dollars?\b|bucks?\b|quid\b)?"
)
_NUM_START = r"(?:(?=€|\$|£|eur\s|usd\s)|(?<!\s)(?=\s)|(?<![\d\s])(?=\d))"
_BETWEEN_RES = [
    re.compile(rf"\bbetween\s++{_NUM}\s*+(?:and|to|-)\s*+{_NUM}"),
    re.compile(rf"\bfrom\s++{_NUM}\s*+(?:to|-|until|till)\s*+{_NUM}"),
    # "priced 200-260 eur", "a budget of 300 to 400": a range after a word of price.
    re.compile(rf"\b(?:priced|prices?|costing|costs?|budget|range)\s++(?:of\s++|at\s++)?{_NUM}\s*+(?:to|-|–)\s*+{_NUM}"),
]
_MAX_RES = [
    re.compile(
        # One \b before the words (not one per word): most positions of a message fail it at once.
        rf"(?:\b(?:under|below|less than|cheaper than|lower than|max(?:imum)?|at most|up to|no more than|"
        rf"not more than|within|budget(?: of| is)?|beneath|not over|not above)|<=?)\s*+(?:of\s++)?{_NUM}"
    ),
    re.compile(rf"{_NUM_START}{_NUM}\s*+(?:or less|or under|or below|max(?:imum)?\b|tops\b|at most)"),
]
_MIN_RES = [
    re.compile(
        rf"(?:\b(?:over|above|more than|at least|min(?:imum)?|starting (?:at|from)|from|greater than|"
        rf"pricier than|more expensive than)|>=?)\s*+(?:of\s++)?{_NUM}"
    ),
    re.compile(rf"{_NUM_START}{_NUM}\s*+(?:or more|or above|or over|and up\b|plus\b)"),
]
# A limit said with one of these words excludes the amount itself: "under 500" is not 500.00, "over 500" is
# not either; "up to", "at most", "max", "within", "or less" and "at least", "from" include it.
_STRICT_MAX_RE = re.compile(r"(?:under|below|less than|cheaper than|lower than|beneath)\b|<(?!=)")
_STRICT_MIN_RE = re.compile(r"(?:over|above|more than|greater than|pricier than|more expensive than)\b|>(?!=)")
_CHEAPEST_RE = re.compile(
    r"\b(cheapest|least expensive|lowest price[sd]?|lowest-priced|most affordable|least costly|cheapest one)\b"
)
_PRICIEST_RE = re.compile(r"\b(most expensive|priciest|highest price[sd]?|top of the range|most costly)\b")


def _amount(number: str, k: str | None) -> Decimal | None:
    try:
        value = Decimal(number)
    except InvalidOperation:
        return None
    return value * 1000 if k else value


@dataclass
class PriceLimits:
    """The price limits of a message; a strict limit excludes its own amount ("under 500")."""

    low: Decimal | None = None
    high: Decimal | None = None
    low_strict: bool = False
    high_strict: bool = False
    sort: str | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)


def read_price_limits(text: str) -> PriceLimits:
    """The price limits, their strictness and the price order read from a normalised message."""
    limits = PriceLimits()
    spans = limits.spans
    for regex in _BETWEEN_RES:
        m = regex.search(text)
        if m:
            a, b = _amount(m.group(1), m.group(2)), _amount(m.group(3), m.group(4))
            if a is not None and b is not None:
                limits.low, limits.high = min(a, b), max(a, b)
                spans.append(m.span())
                break
    if limits.high is None:
        for regex in _MAX_RES:
            m = regex.search(text)
            if m:
                limits.high = _amount(m.group(1), m.group(2))
                limits.high_strict = bool(_STRICT_MAX_RE.match(m.group(0)))
                spans.append(m.span())
                break
    if limits.low is None:
        for regex in _MIN_RES:
            m = regex.search(text)
            if m and not any(s <= m.start() < e for s, e in spans):
                limits.low = _amount(m.group(1), m.group(2))
                limits.low_strict = bool(_STRICT_MIN_RE.match(m.group(0)))
                spans.append(m.span())
                break
    limits.sort = "price_asc" if _CHEAPEST_RE.search(text) else "price_desc" if _PRICIEST_RE.search(text) else None
    return limits


def parse_price_limits(text: str) -> tuple[Decimal | None, Decimal | None, str | None, list[tuple[int, int]]]:
    """(min_price, max_price, sort, spans used) read from a normalised message."""
    limits = read_price_limits(text)
    return limits.low, limits.high, limits.sort, limits.spans
