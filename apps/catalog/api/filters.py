"""Query filters of the catalog API (`?category=`, `?part=`, ...), and search/ordering backends that never 500."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters
from rest_framework.exceptions import ValidationError

from apps.catalog.models import Category, IncompatibilityRule, Part, PartOption, PriceAdjustmentRule

MAX_SEARCH_LENGTH = 200


class SafeSearchFilter(filters.SearchFilter):
    """SearchFilter that answers 400 for terms a database cannot take (NUL bytes) or that are absurdly long."""

    def get_search_terms(self, request) -> list[str]:
        raw = request.query_params.get(self.search_param, "")
        if "\x00" in raw:
            raise ValidationError({self.search_param: "Null characters are not allowed."})
        if len(raw) > MAX_SEARCH_LENGTH:
            raise ValidationError({self.search_param: f"At most {MAX_SEARCH_LENGTH} characters."})
        return super().get_search_terms(request)


FILTER_BACKENDS = [DjangoFilterBackend, SafeSearchFilter, filters.OrderingFilter]


class CategoryFilter(django_filters.FilterSet):
    class Meta:
        model = Category
        fields = ["is_active", "slug"]


class PartFilter(django_filters.FilterSet):
    category = django_filters.ModelChoiceFilter(queryset=Category.objects.all())

    class Meta:
        model = Part
        fields = ["category", "required"]


class PartOptionFilter(django_filters.FilterSet):
    part = django_filters.ModelChoiceFilter(queryset=Part.objects.all())
    category = django_filters.ModelChoiceFilter(field_name="part__category", queryset=Category.objects.all())
    min_price = django_filters.NumberFilter(field_name="default_price", lookup_expr="gte")
    max_price = django_filters.NumberFilter(field_name="default_price", lookup_expr="lte")

    class Meta:
        model = PartOption
        fields = ["part", "category", "in_stock", "is_active"]


class IncompatibilityRuleFilter(django_filters.FilterSet):
    category = django_filters.ModelChoiceFilter(
        field_name="part_option__part__category", queryset=Category.objects.all()
    )
    option = django_filters.ModelChoiceFilter(
        queryset=PartOption.objects.all(), method="filter_option", label="Rules that name this option on either side"
    )

    class Meta:
        model = IncompatibilityRule
        fields = ["category", "option", "part_option", "incompatible_with_option"]

    def filter_option(self, queryset: QuerySet, name: str, value: PartOption) -> QuerySet:
        return queryset.filter(Q(part_option=value) | Q(incompatible_with_option=value))


class PriceAdjustmentRuleFilter(django_filters.FilterSet):
    category = django_filters.ModelChoiceFilter(
        field_name="affected_option__part__category", queryset=Category.objects.all()
    )
    condition_option = django_filters.ModelChoiceFilter(
        field_name="condition_options", queryset=PartOption.objects.all()
    )

    class Meta:
        model = PriceAdjustmentRule
        fields = ["category", "affected_option", "condition_option"]
