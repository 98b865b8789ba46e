"""Placing an order: every cart line re-checked and priced by the configurator inside one transaction, with
the rows of every option the lines use locked (in id order, so two placements never deadlock); a line that
cannot be ordered refuses the whole order and nothing is written.

Idempotency: a request with an `Idempotency-Key` that this user already placed an order with returns that
order when the body (name, e-mail, address) is the same, and is refused (IdempotencyKeyReused: 422) when not.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.catalog.models import PartOption
from apps.orders.models import Cart, Order, OrderLine
from apps.orders.payment import get_payment_method
from apps.orders.selectors import PricedLine, line_option_ids, price_lines


class OrderRefused(Exception):
    """Some lines cannot be ordered now (409): `lines` names each with the configurator's reasons."""

    def __init__(self, lines: list[dict], detail: str = "Some lines of the cart cannot be ordered now.") -> None:
        super().__init__(detail)
        self.detail = detail
        self.lines = lines


class IdempotencyKeyReused(Exception):
    """The Idempotency-Key was used by this user for an order with another body (422)."""


@dataclass
class Placement:
    order: Order
    created: bool  # False: an earlier request with the same Idempotency-Key placed it


def _request_hash(name: str, email: str, address: str) -> str:
    body = json.dumps({"name": name, "email": email, "address": address}, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()


def _earlier(user_id: int, key: str, request_hash: str) -> Order | None:
    order = Order.objects.filter(user_id=user_id, idempotency_key=key).first() if key else None
    if order is not None and order.request_hash != request_hash:
        raise IdempotencyKeyReused(key)
    return order


def _problem(priced: PricedLine) -> dict:
    return {
        "id": priced.line.pk,
        "product": priced.line.product_id,
        "category": priced.category_id,
        "errors": [{"code": e.code, "message": e.message, "options": e.options} for e in priced.problems],
    }


def _snapshot(order: Order, priced: PricedLine) -> OrderLine:
    line = priced.line
    return OrderLine(
        order=order,
        kind=line.kind,
        product_id=line.product_id,
        product_name=priced.product_name,
        category_id=priced.category_id,
        category_name=priced.category_name,
        options=[
            {"part_id": i.part_id, "part": i.part, "option_id": i.option_id, "option": i.option, "price": str(i.price)}
            for i in priced.breakdown
        ],
        unit_price=priced.unit_price,
        quantity=line.quantity,
        line_total=priced.line_total,
    )


def _place(user_id: int, name: str, email: str, address: str, key: str, request_hash: str) -> Placement:
    cart = Cart.objects.select_for_update().filter(user_id=user_id).first()
    # A concurrent request with the same key held the cart lock until it committed: its order, not a new one.
    earlier = _earlier(user_id, key, request_hash)
    if earlier is not None:
        return Placement(earlier, created=False)
    lines = list(cart.lines.order_by("id")) if cart else []
    if not lines:
        raise ValidationError({"cart": ["The cart is empty."]})
    wanted = {i for ids in line_option_ids(lines).values() for i in ids}
    # Lock before reading prices and stock: a staff change to these options waits for this order (or this
    # order waits for it and then reads the changed rows). Id order: no two placements deadlock.
    locking = PartOption.objects.select_for_update().filter(pk__in=wanted).order_by("pk")
    locked = set(locking.values_list("pk", flat=True))
    priced = price_lines(lines)
    refused = [_problem(p) for p in priced if not p.valid]
    if refused:
        raise OrderRefused(refused)
    if any(not set(p.option_ids) <= locked for p in priced):
        # A product's options changed between reading and locking them: nothing written; the client retries.
        raise OrderRefused([], "The catalog changed while the order was placed; try again.")
    payment = get_payment_method()
    order = Order.objects.create(
        user_id=user_id,
        name=name,
        email=email,
        address=address,
        total=sum((p.line_total for p in priced), Decimal("0.00")),
        payment_method=payment.name,
        idempotency_key=key,
        request_hash=request_hash,
    )
    OrderLine.objects.bulk_create([_snapshot(order, p) for p in priced])
    status = payment.start(order)
    if status != order.status:
        order.status = status
        order.save(update_fields=["status", "updated_at"])
    cart.lines.all().delete()
    return Placement(order, created=True)


def place_order(user_id: int, *, name: str, email: str, address: str, idempotency_key: str = "") -> Placement:
    """Place the user's cart as an order (see the module docstring); raises OrderRefused,
    IdempotencyKeyReused, or ValidationError (empty cart)."""
    request_hash = _request_hash(name, email, address)
    earlier = _earlier(user_id, idempotency_key, request_hash)
    if earlier is not None:
        return Placement(earlier, created=False)
    try:
        with transaction.atomic():
            return _place(user_id, name, email, address, idempotency_key, request_hash)
    except IntegrityError:
        # A concurrent request with the same key placed it first (the unique constraint refused this one).
        earlier = _earlier(user_id, idempotency_key, request_hash)
        if earlier is None:
            raise
        return Placement(earlier, created=False)
