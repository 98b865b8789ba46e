"""Carts and orders. Neither points into the catalog with a foreign key: cart lines and order lines store
catalog ids as plain integers, so deleting or changing a product or option never cascades into (or is blocked
by) a cart or a placed order. A cart line is re-priced by the configurator on every read; an order line keeps a
snapshot of what was sold (option names and ids, unit price) taken when the order was placed.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from apps.catalog.fields import MoneyField

MAX_QUANTITY = 99
MAX_CART_LINES = 50


class Cart(models.Model):
    """A customer's cart: a signed-in user's (one each) or an anonymous browser's (its session holds `token`)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="cart"
    )
    # Random key kept in the anonymous browser's Django session (not the session key, which changes at sign-in).
    token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(token__isnull=False), name="cart_has_an_owner"
            ),
        ]

    def __str__(self) -> str:
        return f"cart of user {self.user_id}" if self.user_id else f"anonymous cart {self.pk}"


class CartLine(models.Model):
    """A pre-configured product (product_id) or a custom configuration (category_id + option_ids), with a quantity."""

    class Kind(models.TextChoices):
        PRODUCT = "product"
        CUSTOM = "custom"

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    product_id = models.BigIntegerField(null=True, blank=True)
    category_id = models.BigIntegerField(null=True, blank=True)
    option_ids = models.JSONField(default=list, blank=True)  # sorted, for custom lines
    # "product:12" or "custom:3:4,9,17": the same item twice in one cart is one line with both quantities.
    key = models.CharField(max_length=600)
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(MAX_QUANTITY)])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "key"], name="cart_line_unique_item"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=MAX_QUANTITY), name="cart_line_quantity_bounded"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.key}"


class Order(models.Model):
    class Status(models.TextChoices):
        PLACED = "placed"
        PAID = "paid"
        SHIPPED = "shipped"
        CANCELLED = "cancelled"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    address = models.TextField(max_length=1000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLACED)
    total = MoneyField(max_digits=14, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3, default="EUR")
    payment_method = models.CharField(max_length=40)
    # Idempotency-Key header of the placing request ("" when none) and a hash of its body, to tell a retry
    # (same body: the same order) from a reuse of the key for something else (422).
    idempotency_key = models.CharField(max_length=100, blank=True, default="")
    request_hash = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "idempotency_key"], condition=~Q(idempotency_key=""), name="order_idempotency_key"
            ),
        ]

    def __str__(self) -> str:
        return f"order {self.pk}"

    def clean(self) -> None:
        """Staff move an order along STATUS_CHANGES only (the API and the admin both call this)."""
        if self.pk is None:
            return
        old = Order.objects.filter(pk=self.pk).values_list("status", flat=True).first()
        if old is not None and old != self.status and self.status not in STATUS_CHANGES.get(old, ()):
            raise ValidationError({"status": [f"An order that is {old} cannot become {self.status}."]})


# Which status may follow which. Paid on delivery, a shipped order becomes paid when it is delivered.
STATUS_CHANGES: dict[str, frozenset[str]] = {
    Order.Status.PLACED: frozenset({Order.Status.PAID, Order.Status.SHIPPED, Order.Status.CANCELLED}),
    Order.Status.PAID: frozenset({Order.Status.SHIPPED, Order.Status.CANCELLED}),
    Order.Status.SHIPPED: frozenset({Order.Status.PAID}),
    Order.Status.CANCELLED: frozenset(),
}


class OrderLine(models.Model):
    """What was sold, as it was at placement: ids as plain integers and names and prices as a snapshot."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=10, choices=CartLine.Kind.choices)
    product_id = models.BigIntegerField(null=True, blank=True)
    product_name = models.CharField(max_length=200, blank=True)
    category_id = models.BigIntegerField()
    category_name = models.CharField(max_length=100)
    # [{"part_id", "part", "option_id", "option", "price"}] in configurator order
    options = models.JSONField(default=list)
    unit_price = MoneyField(max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField()
    line_total = MoneyField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_name or self.category_name}"
