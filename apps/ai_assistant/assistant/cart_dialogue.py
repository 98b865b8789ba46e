"""Adding to the cart from the chat, in two turns: the assistant proposes (a question stating the item and its
price, the pending line kept in the session's context), and only a "yes" as the customer's next message in the
same session adds it. A plain "no thanks" is answered as a refusal; any other next message drops the proposal
and is answered as a new question. The assistant never places an order.

The "yes" is settled here, before any engine runs, so neither engine (nor a model steered by catalog text) can
add a line on its own; proposing goes through the add_to_cart tool (tools/cart.py) for both engines.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from apps.ai_assistant.assistant.engine import Answer
from apps.ai_assistant.assistant.tools.cart import propose_item
from apps.ai_assistant.assistant.tools.money import currency, money
from apps.ai_assistant.assistant.understanding.words import tokens_of
from apps.ai_assistant.models import ChatMessage, ChatSession
from apps.orders.selectors import find_cart, priced_cart
from apps.orders.services.cart import CartOwner, add_line

PENDING = "pending_cart"
CART_WORDS = frozenset({"cart", "basket", "trolley"})
ADD_WORDS = frozenset({"add", "put", "place"})
YES_WORDS = frozenset({"yes", "yep", "yeah", "yup", "sure", "ok", "okay", "confirm", "y"})
NO_WORDS = frozenset({"no", "not", "don", "dont", "nope", "cancel", "never"})
# Words that may follow a "no" in a plain refusal ("no thanks", "not now", "no, I don't need it").
REFUSAL_WORDS = NO_WORDS | frozenset({"thanks", "thank", "you", "thx", "now", "maybe", "later", "it", "that", "this",
                                      "please", "i", "t", "want", "need", "add", "one", "way", "sorry"})
# A confirmation is short: "yes", "yes please, add it". A long message starting with "ok" is a new question.
MAX_YES_WORDS = 6


def _words(message: str) -> list[str]:
    return message.lower().replace("'", " ").replace(",", " ").replace(".", " ").replace("!", " ").split()


def wants_to_add(message: str) -> bool:
    """"add that one to my cart", "put it in the basket"."""
    words = set(_words(message))
    return bool(words & CART_WORDS) and bool(words & ADD_WORDS)


def is_yes(message: str) -> bool:
    words = _words(message)
    return bool(words) and words[0] in YES_WORDS and len(words) <= MAX_YES_WORDS and not set(words) & NO_WORDS


def is_refusal(message: str) -> bool:
    """"no thanks", "not now", "nope": a short message that only declines (not "no, the red ones")."""
    words = _words(message)
    return (bool(words) and words[0] in NO_WORDS and len(words) <= MAX_YES_WORDS
            and all(word in REFUSAL_WORDS for word in words))


def _last_shown_products(session: ChatSession) -> list[dict]:
    last = session.messages.filter(role=ChatMessage.Role.ASSISTANT).order_by("-id").first()
    return list(last.products or []) if last is not None else []


def propose_last_shown(message: str, session: ChatSession, context: dict) -> Answer:
    """The built-in engine's answer to "add that one to my cart": what it has just priced or shown."""
    if context.get("kind") in {"quote", "compatibility"} and context.get("quote_option_ids"):
        proposal = propose_item(category=context.get("category_id"), options=list(context["quote_option_ids"]))
    else:
        shown = _last_shown_products(session)
        lowered = " ".join(tokens_of(message))
        named = [card for card in shown if " ".join(tokens_of(card.get("name", ""))) in lowered]
        candidates = named or shown
        if len(candidates) != 1:
            text = ("Which one should I add? Name it, e.g. “add the " + candidates[0]["name"] + " to my cart”."
                    if candidates else
                    "Tell me what to add first: ask me for a product or the price of a configuration.")
            return Answer(text, context=context)
        proposal = propose_item(product=int(candidates[0]["id"]))
    if "error" in proposal:
        return Answer(proposal["error"], context=context)
    return Answer(proposal["question"], context={**context, PENDING: proposal["pending_cart"]})


def settle_pending(message: str, session: ChatSession, cart_owner: CartOwner | None) -> Answer | None:
    """The answer to a pending proposal when `message` is a yes (the line is added); None otherwise, when the
    engine answers. Either way the proposal is gone from `session.context` afterwards."""
    context = dict(session.context or {})
    pending = context.pop(PENDING, None)
    if pending is None:
        return None
    session.context = context
    if is_refusal(message):
        return Answer("Alright, I haven't added it. Anything else I can help you find?", context=context,
                      engine="cart")
    if not is_yes(message):
        return None
    if cart_owner is None:
        return Answer("I can't reach a cart from here; add it on the product page.", context=context, engine="cart")
    item = ({"product": pending["product"]} if "product" in pending
            else {"category": pending.get("category"), "options": pending.get("options", [])})
    try:
        add_line(cart_owner, quantity=int(pending.get("quantity", 1)), **item)
    except ValidationError as exc:
        reasons = " ".join(m for messages in exc.message_dict.values() for m in messages)
        return Answer(f"I couldn't add it to your cart: {reasons}", context=context, engine="cart")
    cart = priced_cart(find_cart(user_id=cart_owner.user_id, token=cart_owner.token))
    text = (f"Added {pending.get('description', 'it')} to your cart. Your cart now comes to "
            f"{money(cart.total)} {currency()} ({len(cart.lines)} line{'s' if len(cart.lines) != 1 else ''}).")
    return Answer(text, context=context, engine="cart")
