"""Cart writes: what may go into a cart (checked by the configurator), the bounds, and merging at sign-in.

The same functions serve the API and the assistant's cart tool. A cart belongs to a user or to an anonymous
browser, known by a random token kept in its Django session (`apps.orders.web.cart_owner`).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.catalog.models import MAX_SELECTED_OPTIONS
from apps.orders.models import MAX_CART_LINES, MAX_QUANTITY, Cart, CartLine
from apps.preconfigured_products.models import PreConfiguredProduct
from apps.preconfigured_products.services import check_configuration


@dataclass(frozen=True)
class CartOwner:
    """Whose cart: a signed-in user, or an anonymous browser's cart token (None: it has no cart yet)."""

    user_id: int | None = None
    token: str | None = None

    @classmethod
    def anonymous(cls, token: str | None) -> CartOwner:
        return cls(token=token)

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)


def _lookup(owner: CartOwner) -> dict:
    if owner.user_id is not None:
        return {"user_id": owner.user_id}
    if owner.token:
        return {"token": owner.token, "user__isnull": True}
    raise ValidationError({"cart": ["This client has no cart."]})


def locked_cart(owner: CartOwner, *, create: bool) -> Cart | None:
    """The owner's cart locked until commit (serialises writes to one cart), made first when `create`."""
    if owner.user_id is None and not owner.token and not create:
        return None  # a browser that never had a cart
    cart = Cart.objects.select_for_update().filter(**_lookup(owner)).first()
    if cart is None and create:
        try:
            with transaction.atomic():
                cart = Cart.objects.create(user_id=owner.user_id, token=None if owner.user_id else owner.token)
        except IntegrityError:  # made by a concurrent request meanwhile
            cart = Cart.objects.select_for_update().get(**_lookup(owner))
    return cart


def check_quantity(quantity: object) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationError({"quantity": [f"A whole number from 1 to {MAX_QUANTITY}."]})
    return quantity


def _item(product: int | None, category: int | None, options: Sequence[int] | None) -> dict:
    """The checked item of a new line: a sold product, or a complete configuration (out of stock is allowed:
    the line is then marked unavailable until the option is back, as products are)."""
    if (product is None) == (category is None):
        raise ValidationError({"product": ["Give either product, or category with options."]})
    if product is not None:
        if options is not None:
            raise ValidationError({"options": ["Options are not given with a product; they are the product's."]})
        if not PreConfiguredProduct.objects.filter(pk=product, is_active=True).exists():
            raise ValidationError({"product": [f"Product {product} does not exist."]})
        return {"kind": CartLine.Kind.PRODUCT, "product_id": product, "key": f"product:{product}"}
    if options is None:
        raise ValidationError({"options": ["This field is required with category."]})
    option_ids = list(options)
    if len(option_ids) > MAX_SELECTED_OPTIONS:
        raise ValidationError({"options": [f"At most {MAX_SELECTED_OPTIONS} options."]})
    check_configuration(category, option_ids)
    ordered = sorted(option_ids)
    return {
        "kind": CartLine.Kind.CUSTOM,
        "category_id": category,
        "option_ids": ordered,
        "key": f"custom:{category}:{','.join(map(str, ordered))}",
    }


@transaction.atomic
def add_line(
    owner: CartOwner,
    *,
    quantity: int = 1,
    product: int | None = None,
    category: int | None = None,
    options: Sequence[int] | None = None,
) -> CartLine:
    """Add an item; the same item already in the cart gets the quantities added (at most MAX_QUANTITY)."""
    quantity = check_quantity(quantity)
    item = _item(product, category, options)
    cart = locked_cart(owner, create=True)
    line = cart.lines.filter(key=item["key"]).first()
    if line is not None:
        line.quantity = check_quantity(line.quantity + quantity)
        line.save(update_fields=["quantity"])
        return line
    if cart.lines.count() >= MAX_CART_LINES:
        raise ValidationError({"cart": [f"A cart holds at most {MAX_CART_LINES} lines."]})
    return CartLine.objects.create(cart=cart, quantity=quantity, **item)


@transaction.atomic
def set_quantity(owner: CartOwner, line_id: int, quantity: int) -> CartLine:
    quantity = check_quantity(quantity)
    cart = locked_cart(owner, create=False)
    line = cart.lines.filter(pk=line_id).first() if cart else None
    if line is None:
        raise CartLine.DoesNotExist(line_id)
    line.quantity = quantity
    line.save(update_fields=["quantity"])
    return line


@transaction.atomic
def remove_line(owner: CartOwner, line_id: int) -> None:
    cart = locked_cart(owner, create=False)
    deleted = cart.lines.filter(pk=line_id).delete()[0] if cart else 0
    if not deleted:
        raise CartLine.DoesNotExist(line_id)


@transaction.atomic
def clear_cart(owner: CartOwner) -> None:
    cart = locked_cart(owner, create=False)
    if cart is not None:
        cart.lines.all().delete()


@transaction.atomic
def merge_anonymous_cart(token: str, user_id: int) -> None:
    """Move an anonymous cart's lines into the user's cart (same item: quantities added, capped; lines past
    the bound are dropped), then delete the anonymous cart."""
    anonymous = Cart.objects.select_for_update().filter(token=token, user__isnull=True).first()
    if anonymous is None:
        return
    cart = locked_cart(CartOwner(user_id=user_id), create=True)
    lines = {line.key: line for line in cart.lines.all()}
    for line in anonymous.lines.order_by("id"):
        mine = lines.get(line.key)
        if mine is not None:
            mine.quantity = min(mine.quantity + line.quantity, MAX_QUANTITY)
            mine.save(update_fields=["quantity"])
        elif len(lines) < MAX_CART_LINES:
            line.cart = cart
            line.save(update_fields=["cart"])
            lines[line.key] = line
    anonymous.delete()
