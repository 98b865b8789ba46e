"""The kind of question a parsed message asks (classify): compatibility, quote, option_price, option_stock,
part_options, out_of_stock, product_info, not_sold, search or help, decided from the entities parse() found and
a few grammatical features of the message. Moved out of parser.py as it was, to keep that module to one size."""

from __future__ import annotations

import re

from apps.ai_assistant.assistant.understanding.message import ParsedMessage

# Words of a request for products ("show me bikes with ..."), as opposed to a question about a configuration.
SEARCH_RE = re.compile(r"\b(show|find|list|which|recommend|suggest|looking for|search|browse|any)\b")
# A question led by one of these words asks for a thing or an amount, not for a yes or a no.
WH_RE = re.compile(r"^\s*(what|which|how|where|when|why|who|whose|show|list|find|tell|give)\b|^\s*whats?\b")


def _parts(p: ParsedMessage) -> int:
    """How many different parts the named options belong to (set by parse())."""
    return p.n_parts


def classify(p: ParsedMessage, text: str, context: dict) -> str:
    """The kind of question: compatibility, quote, option_price, option_stock, part_options,
    out_of_stock, product_info, search or help."""
    n_options = len(p.option_ids)
    has_limits = p.min_price is not None or p.max_price is not None or p.sort is not None
    previous_kind = context.get("kind")
    search_like = (
        has_limits
        or (p.category_explicit and bool(SEARCH_RE.search(text)))
        or (p.is_follow_up and previous_kind == "search" and not p.asks_price and not p.asks_compat)
    )
    if p.is_greeting:
        return "help"
    if p.unknown_name and n_options < 2:
        return "not_sold"
    removes = bool(p.removed_option_ids or p.removed_part_ids)
    if removes and not n_options and p.is_follow_up and previous_kind in {"quote", "compatibility", "product"}:
        return "quote"  # "how much is it without the flies?": that configuration less what it names
    if p.product_ids and not n_options and not has_limits:
        return "product_info"
    if _parts(p) >= 3 and not search_like and not SEARCH_RE.search(text) and not p.is_yes_no:
        # Options of three parts or more, neither a search nor a yes/no question, describe a configuration to
        # price ("round glass table 110cm on hairpin legs, matte lacquer", "... + fixed arms = ?").
        return "quote"
    if n_options >= 2 and p.asks_compat and not p.asks_price and not search_like:
        return "compatibility"
    if n_options >= 2 and not p.asks_price and not search_like and p.is_yes_no and _parts(p) > 1:
        # A yes/no question about options of different parts ("can the step-through frame take fat wheels?",
        # "the diamond frame with road wheels, does that work?") asks whether they go together.
        return "compatibility"
    if (n_options == 1 and p.part_ids and not p.asks_price and not search_like and (p.asks_compat or p.is_yes_no)
            and not p.asks_stock and p.part_ids != [p.part_of_option]):
        return "option_with_part"  # "can I get the inflatable hull with a rudder?"
    if (n_options >= 2 and _parts(p) < 3 and not (p.asks_price or p.asks_compat or p.is_follow_up or p.is_yes_no)
            and "?" not in text and not WH_RE.search(text)):
        return "search"  # "... want single dosing": a wish for products with those options, not a price asked
    if n_options >= 2 and not search_like and (p.asks_price or not p.category_explicit):
        return "quote"
    if (n_options >= 1 or removes) and p.is_follow_up and previous_kind in {"quote", "compatibility", "product"} \
            and not has_limits:
        # "what about with the vibration pump?" after a compatibility question asks the same again.
        # "can that one get the torso harness?" after a product asks whether it goes, as a yes/no question.
        asks_compat = p.asks_compat or previous_kind == "compatibility" or p.is_yes_no
        return "compatibility" if asks_compat and not p.asks_price else "quote"
    if p.part_ids and not n_options and (p.asks_options or p.asks_stock or p.asks_price):
        return "part_options"
    if p.part_ids and not n_options and not has_limits and not p.free_text and text.rstrip().endswith("?"):
        return "part_options"  # "desk sizes?": a part and nothing else asked about asks for its options
    if p.asks_out_of_stock and not n_options and not p.product_ids and not has_limits:
        return "out_of_stock"
    if n_options == 1 and p.asks_price and not search_like:
        return "quote" if p.category_explicit else "option_price"
    # "are the carbon poles for tents in stock?" names its family and still asks about the option.
    if (n_options == 1 and p.asks_stock and not has_limits and p.is_yes_no
            and (not p.category_explicit or not SEARCH_RE.search(text))):
        return "option_stock"
    if not (p.category_id or p.option_ids or p.part_ids or p.product_ids or p.free_text or has_limits):
        return "help"
    return "search"
