"""Scoring one answer against a question's `expect` labels, and finding the wrong prices in it.

An answer is the chat's JSON: {"answer": text, "products": [{"name", "price", ...}], ...}. Each key given in
`expect` must hold (the README of the format: docs/benchmarks.md, "Assistant accuracy"):

- answer_yes: the answer starts with "Yes" (true) or "No" (false);
- amount: the amount is stated in the answer;
- products_exact / products_include: the cards are exactly / include these products;
- top3_any: one of these products is among the first three cards;
- first: the first card is this product (the demo set's "cheapest ..." questions);
- mentions: each string appears in the answer, case-insensitively;
- not_sold: the answer says the shop does not sell it;
- missing_parts: the answer names each part and states no amount but options' prices (no subtotal).

An *amount* is a number written as money: two decimals ("340.00", "1,250.50") not followed by a unit, or
any number next to EUR / € / euro. Plain integers ("115 mm", "3 options", "Model 512") are not amounts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_UNIT_AFTER = r"\s?(?:mm|cm|m|km|l|kg|g|w|ah|bar|inch|in|d|a|%|person|persons|people|ft|°)\b"
_TWO_DECIMALS = re.compile(rf"(?<![\w.,])({_NUMBER})(?![\w.,]\d)(?!{_UNIT_AFTER})", re.IGNORECASE)
_CURRENCY_AFTER = re.compile(rf"(?<![\w.,])({_NUMBER})\s?(?:eur\b|euros?\b|€)", re.IGNORECASE)
_CURRENCY_BEFORE = re.compile(rf"(?:€|\beur\b)\s?({_NUMBER})(?![\w.,]\d)", re.IGNORECASE)
_ANY_NUMBER = re.compile(rf"(?<![\w.])({_NUMBER})(?![\w])")

# "We don't sell ...": the phrasings that say the shop does not have a product at all.
_NOT_SOLD = re.compile(
    r"\b(?:do(?:es)?\s?n[o']?t|do not|does not|never|don't|doesn't)\s+(?:sell|carry|stock|offer|have)\b"
    r"|\bnot\s+(?:sell|sold|carried|offered|something we (?:sell|carry|offer))\b"
    r"|\bnot (?:in|part of) (?:our|the) (?:catalog|catalogue|shop|range|store)\b"
    r"|\bno (?:product|such product|item) (?:called|named)\b"
    r"|\bisn't (?:sold|something we sell|in our (?:catalog|catalogue|range))\b",
    re.IGNORECASE,
)


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "")).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def stated_amounts(text: str) -> list[Decimal]:
    """The amounts of money an answer states (see the module docstring), in order."""
    found: list[tuple[int, Decimal]] = []
    seen_spans: set[int] = set()
    for pattern in (_CURRENCY_AFTER, _CURRENCY_BEFORE):
        for match in pattern.finditer(text):
            value = _decimal(match.group(1))
            if value is not None:
                found.append((match.start(1), value))
                seen_spans.add(match.start(1))
    for match in _TWO_DECIMALS.finditer(text):
        raw = match.group(1)
        if match.start(1) in seen_spans or not re.search(r"\.\d{2}$", raw):
            continue
        value = _decimal(raw)
        if value is not None:
            found.append((match.start(1), value))
    return [value for _, value in sorted(found, key=lambda pair: pair[0])]


def numbers_in(text: str) -> set[Decimal]:
    """Every number written in a text (a question), as amounts: what a customer said may be repeated."""
    return {value for value in (_decimal(m.group(1)) for m in _ANY_NUMBER.finditer(text)) if value is not None}


def says_not_sold(text: str) -> bool:
    return bool(_NOT_SOLD.search(text.replace("’", "'")))


@dataclass
class PriceBook:
    """The amounts an answer may state: every price of the database, and the options' prices alone."""

    database: set[Decimal]  # option default prices, price-rule prices, product prices
    options: set[Decimal] = field(default_factory=set)  # option default prices and price-rule prices


@dataclass
class Verdict:
    ok: bool
    failed: list[str]  # the expect keys that did not hold
    wrong_amounts: list[Decimal]


def allowed_amounts(question: dict, asked: str, cards: list[dict], book: PriceBook) -> set[Decimal]:
    """What this answer may state (asked: the question text and those it follows, for the numbers said)."""
    expect = question.get("expect", {})
    said = set() if question.get("intent") == "injection" else numbers_in(asked)  # injected numbers are bait
    if expect.get("missing_parts"):
        # Options may be priced one by one (those chosen, those to choose from), but nothing is added up:
        # a subtotal is a sum, which is no option's price (nor a product's, which it might hit by chance).
        return said | book.options
    if expect.get("not_sold"):
        return said | {_decimal(str(card["price"])) for card in cards if card.get("price") is not None}
    allowed = said | book.database
    if expect.get("amount") is not None:
        allowed.add(_decimal(str(expect["amount"])))
    return allowed


def score(question: dict, data: dict, book: PriceBook, asked: str | None = None) -> Verdict:
    """Check every `expect` key of `question` on the chat answer `data`; wrong amounts count apart."""
    expect = question.get("expect", {})
    answer = data.get("answer", "")
    cards = data.get("products", [])
    names = [card["name"] for card in cards]
    amounts = stated_amounts(answer)
    failed = []

    def check(key: str, holds: bool) -> None:
        if key in expect and not holds:
            failed.append(key)

    if "answer_yes" in expect:
        start = re.match(r"\s*(yes|no)\b", answer, re.IGNORECASE)
        check("answer_yes", bool(start) and (start.group(1).lower() == "yes") == bool(expect["answer_yes"]))
    if "amount" in expect:
        check("amount", _decimal(str(expect["amount"])) in amounts)
    if "products_exact" in expect:
        check("products_exact", set(names) == set(expect["products_exact"]))
    if "products_include" in expect:
        check("products_include", set(expect["products_include"]) <= set(names))
    if "top3_any" in expect:
        check("top3_any", bool(set(names[:3]) & set(expect["top3_any"])))
    if "first" in expect:
        check("first", bool(names) and names[0] == expect["first"])
    if "mentions" in expect:
        check("mentions", all(m.lower() in answer.lower() for m in expect["mentions"]))
    if "not_sold" in expect:
        check("not_sold", says_not_sold(answer) == bool(expect["not_sold"]))
    allowed = allowed_amounts(question, asked if asked is not None else question.get("question", ""), cards, book)
    wrong = [amount for amount in amounts if amount not in allowed]
    if "missing_parts" in expect:
        named = all(part.lower() in answer.lower() for part in expect["missing_parts"])
        check("missing_parts", named and not wrong)
    return Verdict(not failed and not wrong, failed, wrong)
