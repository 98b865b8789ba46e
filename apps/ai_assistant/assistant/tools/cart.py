"""The cart tool: both engines propose adding an item to the customer's cart through it; it NEVER adds.

A proposal is what `propose_item` returns: a confirmation question that states the item and its price (from
the configurator, now) and the `pending_cart` the chat session keeps in its context. Only the customer's "yes"
as the next message in the same session adds the line (`apps.ai_assistant.assistant.cart_dialogue`), through
the same cart service as the API. Nothing here places an order.
"""

from __future__ import annotations

from apps.ai_assistant.assistant.grammar import singular_name
from apps.ai_assistant.assistant.tools.arguments import (
    ToolError,
    integer,
    resolve_category,
    resolve_options,
    text,
    text_list,
)
from apps.ai_assistant.assistant.tools.money import currency, money
from apps.ai_assistant.assistant.understanding.vocabulary import Vocabulary
from apps.orders.models import MAX_QUANTITY
from apps.orders.selectors import price_item
from apps.preconfigured_products.models import PreConfiguredProduct

ADD_TO_CART_SCHEMA: dict = {
    "type": "function",
    "function": {
        "name": "add_to_cart",
        "description": "Propose putting a product or a complete custom configuration into the customer's cart. "
        "It does NOT add anything: it returns a confirmation question for the customer, and the item is added "
        "only if the customer's next message is yes. Give product (its name or id, as found with find_products), "
        "or category and options (option names) for a custom configuration.",
        "parameters": {
            "type": "object",
            "properties": {
                "product": {"type": "string", "description": "a product's name or id"},
                "category": {"type": "string"},
                "options": {"type": "array", "items": {"type": "string"}},
                "quantity": {"type": "integer", "minimum": 1, "maximum": MAX_QUANTITY},
            },
        },
    },
}


def _describe(priced, quantity: int) -> str:
    if priced.product_name:
        what = priced.product_name
    else:
        family = singular_name(priced.category_name) if priced.category_name else "configuration"
        what = f"a custom {family} (" + ", ".join(item.option for item in priced.breakdown) + ")"
    return f"{quantity} × {what}"


def propose_item(*, product: int | None = None, category: int | None = None, options: list[int] | None = None,
                 quantity: int = 1) -> dict:
    """A confirmation question and the pending line, or {"error": ...} when the item cannot be ordered now."""
    priced = price_item(product=product, category=category, options=options or [])
    if not priced.valid:
        reasons = " ".join(problem.message for problem in priced.problems)
        return {"error": f"This can't go into the cart: {reasons}"}
    description = _describe(priced, quantity)
    unit = f"{money(priced.unit_price)} {currency()}"
    each = " each" if quantity > 1 else ""
    pending = {"quantity": quantity, "description": description, "unit_price": money(priced.unit_price)}
    if product is not None:
        pending["product"] = product
    else:
        pending.update(category=category, options=sorted(options or []))
    return {
        "question": f"Shall I add {description} at {unit}{each} to your cart? Answer yes to confirm.",
        "pending_cart": pending,
    }


def _product_id(value: str) -> int:
    if value.isdigit():
        return int(value)
    product = PreConfiguredProduct.objects.filter(is_active=True, name__iexact=value.strip()).first()
    if product is None:
        raise ToolError(f"no product is called {value[:60]!r}; find it with find_products and pass its id")
    return product.pk


def run_add_to_cart(args: dict, vocab: Vocabulary) -> dict:
    quantity = integer(args.get("quantity"), "quantity", default=1, low=1, high=MAX_QUANTITY)
    product = text(args.get("product"), "product")
    if product:
        return propose_item(product=_product_id(product), quantity=quantity)
    cat = resolve_category(vocab, text(args.get("category"), "category"), required=True)
    opts, unknown = resolve_options(vocab, cat.id, text_list(args.get("options"), "options"))
    if unknown:
        raise ToolError(f"unknown options: {', '.join(unknown)[:200]}")
    return propose_item(category=cat.id, options=[o.id for o in opts], quantity=quantity)
