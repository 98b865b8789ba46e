"""Pre-configured product endpoints (the README's API table)."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.request import Request
from rest_framework.response import Response

from apps.catalog.api.base import CatalogViewSet
from apps.catalog.api.filters import SafeSearchFilter
from apps.catalog.api.schema import crud_schema
from apps.preconfigured_products.api.filters import ProductFilter, ProductPagination
from apps.preconfigured_products.api.serializers import ProductSerializer
from apps.preconfigured_products.models import PreConfiguredProduct
from apps.preconfigured_products.selectors import products_by_computed_values


@crud_schema(
    ProductSerializer,
    "products",
    "product",
    list_description=(
        "Pre-configured products; `price` and `available` are computed by the configurator. Filter by "
        "`category` (id or slug), `min_price`/`max_price`, `available`, `is_active`, `slug`, `search` (name, "
        "description); sort with `ordering`; `page_size` 1-100 (default 50)."
    ),
)
class ProductViewSet(CatalogViewSet):
    queryset = PreConfiguredProduct.objects.select_related("category").prefetch_related("options")
    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    pagination_class = ProductPagination
    # `ordering` is a strict filter of ProductFilter (a 400 for an unknown field; price is computed).
    filter_backends = [DjangoFilterBackend, SafeSearchFilter]
    search_fields = ["name", "description"]

    def list(self, request: Request, *args, **kwargs) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        computed = ProductFilter(request.query_params, queryset=queryset, request=request)
        computed.is_valid()  # already validated by filter_queryset; this reads the cleaned values
        params = computed.computed_params()
        if not params:
            return self._page_response(queryset)
        # Price and availability are the configurator's (rules, stock, incompatibilities), not columns: the
        # SQL-filtered products are quoted once (O(n), in chunks), filtered and sorted in Python, then paginated.
        ids = products_by_computed_values(queryset, **params)
        page_ids = self.paginate_queryset(ids)
        by_id = self.get_queryset().in_bulk(page_ids)
        products = [by_id[pk] for pk in page_ids if pk in by_id]
        return self.get_paginated_response(self.get_serializer(products, many=True).data)

    def _page_response(self, queryset) -> Response:
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
