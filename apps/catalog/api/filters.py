"""Query filters of the catalog API (`?category=`, `?part=`, ...), and search/ordering backends that never 500."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
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


class StrictBooleanField(forms.NullBooleanField):
    """`true`/`false` (also 1/0, yes/no); anything else is a 400 rather than silently no filter."""

    widget = forms.TextInput  # NullBooleanSelect would turn unknown values into None before we see them

    def to_python(self, value) -> bool | None:
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in {"true", "1", "yes"}:
            return True
        if text in {"false", "0", "no"}:
            return False
        raise DjangoValidationError("Enter true or false.", code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class BaseFilterSet(django_filters.FilterSet):
    """Filters whose parameters, when present, must have a value: `?category=` is a 400, not "no filter"."""

    class Meta:
        filter_overrides = {models.BooleanField: {"filter_class": StrictBooleanFilter}}

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name in self.filters:
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data.get(name)]
            if name in self.data and any(value in ("", None) for value in values):
                self.form.add_error(name, "This filter needs a value.")
                valid = False
        return valid


class CategoryFilter(BaseFilterSet):
    class Meta(BaseFilterSet.Meta):
        model = Category
        fields = ["is_active", "slug"]


class PartFilter(BaseFilterSet):
    category = django_filters.ModelChoiceFilter(queryset=Category.objects.all())

    class Meta(BaseFilterSet.Meta):
        model = Part
        fields = ["category", "required"]


class PartOptionFilter(BaseFilterSet):
    part = django_filters.ModelChoiceFilter(queryset=Part.objects.all())
    category = django_filters.ModelChoiceFilter(field_name="part__category", queryset=Category.objects.all())
    min_price = django_filters.NumberFilter(field_name="default_price", lookup_expr="gte")
    max_price = django_filters.NumberFilter(field_name="default_price", lookup_expr="lte")

    class Meta(BaseFilterSet.Meta):
        model = PartOption
        fields = ["part", "category", "in_stock", "is_active"]


class IncompatibilityRuleFilter(BaseFilterSet):
    category = django_filters.ModelChoiceFilter(
        field_name="part_option__part__category", queryset=Category.objects.all()
    )
    option = django_filters.ModelChoiceFilter(
        queryset=PartOption.objects.all(), method="filter_option", label="Rules that name this option on either side"
    )

    class Meta(BaseFilterSet.Meta):
        model = IncompatibilityRule
        fields = ["category", "option", "part_option", "incompatible_with_option"]

    def filter_option(self, queryset: QuerySet, name: str, value: PartOption) -> QuerySet:
        return queryset.filter(Q(part_option=value) | Q(incompatible_with_option=value))


class PriceAdjustmentRuleFilter(BaseFilterSet):
    category = django_filters.ModelChoiceFilter(
        field_name="affected_option__part__category", queryset=Category.objects.all()
    )
    condition_option = django_filters.ModelChoiceFilter(
        field_name="condition_options", queryset=PartOption.objects.all()
    )

    class Meta(BaseFilterSet.Meta):
        model = PriceAdjustmentRule
        fields = ["category", "affected_option", "condition_option"]
