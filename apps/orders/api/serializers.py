"""Serializers of the cart and order API: input checks that name the field; prices only ever come out."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from apps.catalog.api.serializers import (
    MAX_ID,
    MAX_QUOTE_OPTIONS,
    JsonModelSerializer,
    LineItemSerializer,
    MoneyField,
    StrictCharField,
    TotalField,
)
from apps.orders.models import MAX_QUANTITY, Order, OrderLine


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer only: DRF would also take "5" or 5.0."""

    def to_internal_value(self, data) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


def _id_field(**kwargs) -> StrictIntegerField:
    return StrictIntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class CartLineCreateSerializer(serializers.Serializer):
    product = _id_field(required=False, help_text="A pre-configured product; or give category and options.")
    category = _id_field(required=False, help_text="The category of a custom configuration.")
    options = serializers.ListField(
        child=_id_field(), required=False, max_length=MAX_QUOTE_OPTIONS,
        help_text="One option id per part of the category (a complete configuration).",
    )
    quantity = StrictIntegerField(min_value=1, max_value=MAX_QUANTITY, required=False, default=1)


class CartLineUpdateSerializer(serializers.Serializer):
    quantity = StrictIntegerField(min_value=1, max_value=MAX_QUANTITY)


class LineProblemSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="The configurator's code (missing_part, inactive, out_of_stock, incompatible, ...), or "
        "unknown_product / inactive_product."
    )
    message = serializers.CharField()
    options = serializers.ListField(child=serializers.IntegerField())


class CartLineSerializer(serializers.Serializer):
    """A PricedLine (apps.orders.selectors): priced by the configurator at this read."""

    id = serializers.IntegerField(source="line.pk")
    kind = serializers.CharField(source="line.kind")
    product = serializers.IntegerField(source="line.product_id", allow_null=True)
    product_name = serializers.CharField()
    category = serializers.IntegerField(source="category_id", allow_null=True)
    category_name = serializers.CharField()
    options = LineItemSerializer(source="breakdown", many=True)
    quantity = serializers.IntegerField(source="line.quantity")
    unit_price = MoneyField()
    line_total = TotalField()
    available = serializers.BooleanField(source="valid", help_text="False: the line cannot be ordered now.")
    problems = LineProblemSerializer(many=True)


class CartSerializer(serializers.Serializer):
    """A PricedCart."""

    lines = CartLineSerializer(many=True)
    total = TotalField(help_text="The total of the lines that can be ordered now.")
    currency = serializers.CharField()
    orderable = serializers.BooleanField(source="valid", help_text="Not empty and every line can be ordered.")


class OrderCreateSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200)
    email = serializers.EmailField(max_length=254)
    address = StrictCharField(max_length=1000)

    def to_internal_value(self, data):
        if isinstance(data, dict) and "email" in data and not isinstance(data["email"], str):
            raise serializers.ValidationError({"email": ["Enter a valid email address."]})
        return super().to_internal_value(data)


class OrderLineSerializer(serializers.ModelSerializer):
    product = serializers.IntegerField(source="product_id", allow_null=True)
    category = serializers.IntegerField(source="category_id")
    unit_price = MoneyField()
    line_total = TotalField()

    class Meta:
        model = OrderLine
        fields = ["id", "kind", "product", "product_name", "category", "category_name", "options", "quantity",
                  "unit_price", "line_total"]


class OrderSerializer(JsonModelSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)
    total = TotalField(read_only=True)

    class Meta:
        model = Order
        fields = ["id", "status", "name", "email", "address", "total", "currency", "payment_method", "lines",
                  "created_at", "updated_at"]
        read_only_fields = ["name", "email", "address", "currency", "payment_method", "created_at", "updated_at"]

    def validate_status(self, value: str) -> str:
        # The status rule is the model's clean(), which the admin calls too.
        if self.instance is not None:
            try:
                Order(pk=self.instance.pk, status=value).clean()
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.message_dict["status"]) from exc
        return value
