"""Query parameters of GET /api/products/: category by id or slug, computed price and availability, ordering,
page size. Every bad value is a 400 naming its parameter (BaseFilterSet's strict style)."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError

from apps.catalog.api.base import StrictPageNumberPagination
from apps.catalog.api.filters import BaseFilterSet, StrictBooleanFilter
from apps.catalog.models import Category
from apps.preconfigured_products.models import PreConfiguredProduct

MAX_PAGE_SIZE = 100
# The price a product can have is bounded by max_digits=12 of the option prices.
MAX_PRICE = Decimal("9999999999.99")
ORDERINGS = ["id", "-id", "name", "-name", "price", "-price", "created_at", "-created_at", "updated_at", "-updated_at"]
COMPUTED_ORDERINGS = {"price", "-price"}


class CategoryRefField(forms.ModelChoiceField):
    """A category given by its id or its slug, like the search API's `category`."""

    def to_python(self, value) -> Category | None:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if text.isascii() and text.isdigit():
            lookup = {"pk": int(text)} if 0 < int(text) < 2**63 else None  # beyond a bigint no row matches
        else:
            lookup = {"slug": text}
        category = self.queryset.filter(**lookup).first() if lookup else None
        if category is None:
            raise DjangoValidationError(f"No category with id or slug {text[:60]!r}.", code="invalid_choice")
        return category


class CategoryRefFilter(django_filters.ModelChoiceFilter):
    field_class = CategoryRefField


class ProductFilter(BaseFilterSet):
    category = CategoryRefFilter(queryset=Category.objects.all(), help_text="Category id or slug.")
    # Computed by the configurator, so not SQL filters: the view applies them to the quotes (see views.py).
    min_price = django_filters.NumberFilter(
        method="computed_later", min_value=0, max_value=MAX_PRICE, help_text="Lowest computed price, >= 0."
    )
    max_price = django_filters.NumberFilter(
        method="computed_later", min_value=0, max_value=MAX_PRICE, help_text="Highest computed price, >= min_price."
    )
    available = StrictBooleanFilter(
        method="computed_later", help_text="true: only products that can be ordered now; false: only those that can't."
    )
    ordering = django_filters.ChoiceFilter(
        method="order",
        choices=[(value, value) for value in ORDERINGS],
        help_text="price, name, id, created_at or updated_at; a leading - sorts descending. Default: id.",
    )

    class Meta(BaseFilterSet.Meta):
        model = PreConfiguredProduct
        fields = ["category", "is_active", "slug", "min_price", "max_price", "available", "ordering"]

    def is_valid(self) -> bool:
        valid = super().is_valid()
        low, high = (self.form.cleaned_data.get(name) for name in ("min_price", "max_price"))
        if valid and low is not None and high is not None and low > high:
            self.form.add_error("min_price", "min_price must not be greater than max_price.")
            valid = False
        return valid

    def computed_later(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset

    def order(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value in COMPUTED_ORDERINGS:
            return queryset  # sorted by the view once prices are computed
        return queryset.order_by(value, "id" if value.lstrip("-") != "id" else value)

    def computed_params(self) -> dict:
        """The parameters the view applies to the configurator's quotes (only those given)."""
        data = self.form.cleaned_data
        params = {name: data[name] for name in ("min_price", "max_price", "available") if data.get(name) is not None}
        if data.get("ordering") in COMPUTED_ORDERINGS:
            params["ordering"] = data["ordering"]
        return params


class ProductPagination(StrictPageNumberPagination):
    """`?page_size=` 1..MAX_PAGE_SIZE; a value outside is a 400 naming it (DRF would silently clamp it)."""

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request) -> int | None:
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        text = values[0] if len(values) == 1 else ""
        if not (text.isascii() and text.isdigit() and len(text) <= 3 and 1 <= int(text) <= MAX_PAGE_SIZE):
            raise ValidationError({self.page_size_query_param: [f"A whole number from 1 to {MAX_PAGE_SIZE}."]})
        return int(text)
