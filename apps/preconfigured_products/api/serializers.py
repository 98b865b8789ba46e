"""Serializers of pre-configured products: price, availability and the readable configuration are computed."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.catalog.api.serializers import (
    MAX_QUOTE_OPTIONS,
    JsonModelSerializer,
    LineItemSerializer,
    StrictSlugField,
    TotalField,
)
from apps.catalog.models import PartOption
from apps.catalog.selectors.configurator import CURRENCY
from apps.catalog.services.configurator import Quote
from apps.preconfigured_products.models import PreConfiguredProduct
from apps.preconfigured_products.selectors import product_quotes
from apps.preconfigured_products.services import create_product, update_product


class ProductListSerializer(serializers.ListSerializer):
    """Quotes every product of a page at once (a fixed number of queries), for the child to read."""

    def to_representation(self, data) -> list:
        items = list(data.all() if hasattr(data, "all") else data)
        self.child.context.setdefault("quotes", {}).update(product_quotes(items))
        return super().to_representation(items)


class ProductSerializer(JsonModelSerializer):
    category_name = serializers.CharField(source="category.name", read_only=True)
    slug = StrictSlugField(
        max_length=220,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Made from the name when left out.",
    )
    options = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=PartOption.objects.all(),
        help_text="One option id per part of the category (every required part).",
    )
    configuration = serializers.SerializerMethodField(help_text="The chosen options, readable, with their prices.")
    price = serializers.SerializerMethodField(help_text=f"Computed by the configurator from the options ({CURRENCY}).")
    currency = serializers.SerializerMethodField()
    available = serializers.SerializerMethodField(
        help_text="False while the configuration is not valid (an option out of stock or inactive, an incompatibility)."
    )
    unavailable_reasons = serializers.SerializerMethodField()

    class Meta:
        model = PreConfiguredProduct
        list_serializer_class = ProductListSerializer
        fields = [
            "id",
            "category",
            "category_name",
            "name",
            "slug",
            "description",
            "options",
            "configuration",
            "price",
            "currency",
            "available",
            "unavailable_reasons",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def _quote(self, product: PreConfiguredProduct) -> Quote:
        quotes = self.context.setdefault("quotes", {})
        if product.pk not in quotes:
            quotes.update(product_quotes([product]))
        return quotes[product.pk]

    @extend_schema_field(LineItemSerializer(many=True))
    def get_configuration(self, product: PreConfiguredProduct) -> list:
        return LineItemSerializer(self._quote(product).breakdown, many=True).data

    @extend_schema_field(TotalField())
    def get_price(self, product: PreConfiguredProduct) -> str:
        return TotalField().to_representation(self._quote(product).price)

    def get_currency(self, product: PreConfiguredProduct) -> str:
        return self._quote(product).currency

    def get_available(self, product: PreConfiguredProduct) -> bool:
        return self._quote(product).valid

    def get_unavailable_reasons(self, product: PreConfiguredProduct) -> list[str]:
        return [error.message for error in self._quote(product).errors]

    def validate_options(self, value: list[PartOption]) -> list[PartOption]:
        if len(value) > MAX_QUOTE_OPTIONS:
            raise serializers.ValidationError(f"At most {MAX_QUOTE_OPTIONS} options.")
        return value

    def validate_slug(self, value: str) -> str:
        taken = PreConfiguredProduct.objects.filter(slug=value)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if value and taken.exists():
            raise serializers.ValidationError("A product with this slug already exists.")
        return value

    def create(self, validated_data: dict) -> PreConfiguredProduct:
        return create_product(**validated_data)

    def update(self, instance: PreConfiguredProduct, validated_data: dict) -> PreConfiguredProduct:
        return update_product(instance, **validated_data)
