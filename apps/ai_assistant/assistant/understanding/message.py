"""ParsedMessage: what the built-in engine understood of one message. parse() (parser.py) fills it, classify()
(question_kinds.py) reads it to name the kind of question, and the answers read it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class ParsedMessage:
    """What the built-in engine understood of one message (ids refer to the vocabulary)."""

    text: str
    category_id: int | None = None
    category_explicit: bool = False
    # Where the category came from: "explicit" (named), "names" (its options, parts or products),
    # "context" (the previous messages) or None.
    category_source: str | None = None
    option_ids: list[int] = field(default_factory=list)
    part_ids: list[int] = field(default_factory=list)
    product_ids: list[int] = field(default_factory=list)
    # Options and parts named after "without" / "no" (removals.py): left out, and dropped from a follow-up's.
    removed_option_ids: list[int] = field(default_factory=list)
    removed_part_ids: list[int] = field(default_factory=list)
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    # "under 500" / "over 500" exclude the amount itself; "up to 500" / "from 500" include it.
    min_strict: bool = False
    max_strict: bool = False
    sort: str | None = None  # "price_asc" | "price_desc"
    asks_price: bool = False
    asks_stock: bool = False
    asks_out_of_stock: bool = False
    asks_compat: bool = False
    asks_options: bool = False
    is_follow_up: bool = False
    is_greeting: bool = False
    free_text: str = ""
    # The words of a name the catalog does not hold ("Zephyr 3000 e-bike"): the shop does not sell it.
    unknown_name: str = ""
    # The request's own words for the index when it describes a use ("commuting to the office").
    use_case_text: str = ""
    n_parts: int = 0  # how many different parts the named options belong to
    part_of_option: int | None = None  # the part of the first named option
    is_yes_no: bool = False  # "is it …?", "can I get …?", "does that work?"
    kind: str = "search"
