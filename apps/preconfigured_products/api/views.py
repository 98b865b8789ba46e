"""Pre-configured product endpoints (the README's API table)."""

from __future__ import annotations

import django_filters

from apps.catalog.api.base import CatalogViewSet
from apps.catalog.api.filters import BaseFilterSet
from apps.catalog.api.schema import crud_schema
from apps.catalog.models import Category
from apps.preconfigured_products.api.serializers import ProductSerializer
from apps.preconfigured_products.models import PreConfiguredProduct


class ProductFilter(BaseFilterSet):
    category = django_filters.ModelChoiceFilter(queryset=Category.objects.all())

    class Meta(BaseFilterSet.Meta):
        model = PreConfiguredProduct
        fields = ["category", "is_active", "slug"]


@crud_schema(
    ProductSerializer,
    "products",
    list_description="Pre-configured products; `price` and `available` are computed by the configurator.",
)
class ProductViewSet(CatalogViewSet):
    queryset = PreConfiguredProduct.objects.select_related("category").prefetch_related("options")
    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    search_fields = ["name", "description"]
    ordering_fields = ["id", "name", "created_at", "updated_at"]
