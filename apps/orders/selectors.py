"""Reads of carts and orders. Cart lines are priced by the configurator on every read, in a fixed number of
queries whatever the cart's size; nothing a client sent is ever a price."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from apps.catalog.models import Category
from apps.catalog.selectors.configurator import CURRENCY
from apps.catalog.services.configurator import LineItem, QuoteError, quote_many
from apps.orders.models import Cart, CartLine, Order
from apps.preconfigured_products.models import PreConfiguredProduct, PreConfiguredProductOption

ZERO = Decimal("0.00")


@dataclass
class PricedLine:
    """A cart line as the configurator sees it now: its options, unit price and what stops it being ordered."""

    line: CartLine
    category_id: int | None
    category_name: str
    product_name: str
    breakdown: list[LineItem]
    unit_price: Decimal
    problems: list[QuoteError] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.line.quantity

    @property
    def option_ids(self) -> list[int]:
        return [item.option_id for item in self.breakdown]


@dataclass
class PricedCart:
    cart: Cart | None
    lines: list[PricedLine]
    currency: str = CURRENCY

    @property
    def valid(self) -> bool:
        """Every line can be ordered now (an empty cart is not orderable either)."""
        return bool(self.lines) and all(line.valid for line in self.lines)

    @property
    def total(self) -> Decimal:
        """The total of the lines that can be ordered now."""
        return sum((line.line_total for line in self.lines if line.valid), ZERO)


def line_option_ids(lines: Sequence[CartLine]) -> dict[int, list[int]]:
    """Line id -> the option ids it names: the stored ones of a custom line, the product's current ones."""
    product_ids = {line.product_id for line in lines if line.kind == CartLine.Kind.PRODUCT}
    chosen: dict[int, list[int]] = defaultdict(list)
    rows = PreConfiguredProductOption.objects.filter(product_id__in=product_ids).order_by("id")
    for product_id, option_id in rows.values_list("product_id", "option_id"):
        chosen[product_id].append(option_id)
    return {
        line.pk: list(line.option_ids) if line.kind == CartLine.Kind.CUSTOM else chosen.get(line.product_id, [])
        for line in lines
    }


def price_lines(lines: Sequence[CartLine]) -> list[PricedLine]:
    """Each line validated and priced by the configurator now (quote_many: each category's catalog loaded once)."""
    lines = list(lines)
    products = PreConfiguredProduct.objects.in_bulk(
        {line.product_id for line in lines if line.kind == CartLine.Kind.PRODUCT}
    )
    options = line_option_ids(lines)
    selections = []
    for line in lines:
        product = products.get(line.product_id) if line.kind == CartLine.Kind.PRODUCT else None
        category_id = product.category_id if product is not None else line.category_id
        selections.append((category_id or 0, options[line.pk]))
    quotes = quote_many(selections)
    names = dict(Category.objects.filter(pk__in={c for c, _ in selections}).values_list("pk", "name"))
    priced = []
    for line, (category_id, _), q in zip(lines, selections, quotes, strict=True):
        problems = list(q.errors)
        product_name = ""
        if line.kind == CartLine.Kind.PRODUCT:
            product = products.get(line.product_id)
            if product is None:
                problems = [QuoteError("unknown_product", f"Product {line.product_id} no longer exists.")]
            else:
                product_name = product.name
                if not product.is_active:
                    problems.insert(0, QuoteError("inactive_product", f'"{product.name}" is no longer sold.'))
        priced.append(
            PricedLine(
                line=line,
                category_id=category_id or None,
                category_name=names.get(category_id, ""),
                product_name=product_name,
                breakdown=q.breakdown if not problems or product_name or line.kind == CartLine.Kind.CUSTOM else [],
                unit_price=q.price,
                problems=problems,
            )
        )
    return priced


def find_cart(*, user_id: int | None = None, token: str | None = None) -> Cart | None:
    if user_id is not None:
        return Cart.objects.filter(user_id=user_id).first()
    if token:
        return Cart.objects.filter(token=token, user__isnull=True).first()
    return None


def priced_cart(cart: Cart | None) -> PricedCart:
    """The cart with every line re-priced now (an empty PricedCart when there is no cart)."""
    if cart is None:
        return PricedCart(cart=None, lines=[])
    return PricedCart(cart=cart, lines=price_lines(list(cart.lines.all())))


def orders_visible_to(user) -> QuerySet[Order]:
    """Staff see every order; a customer only their own (others' are a 404, not a 403)."""
    orders = Order.objects.prefetch_related("lines")
    if user.is_staff:
        return orders
    return orders.filter(user_id=user.pk)


def price_item(*, product: int | None = None, category: int | None = None, options: Sequence[int] = ()) -> PricedLine:
    """What a new cart line for this item would be now (not saved): for the assistant's confirmation question."""
    if product is not None:
        line = CartLine(kind=CartLine.Kind.PRODUCT, product_id=product, quantity=1)
    else:
        line = CartLine(kind=CartLine.Kind.CUSTOM, category_id=category, option_ids=sorted(options), quantity=1)
    return price_lines([line])[0]
