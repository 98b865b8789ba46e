"""Template context of every storefront page: the families for the navigation (a lazy queryset: pages that
do not show it, such as the admin's, run no query)."""

from __future__ import annotations

from django.http import HttpRequest

from apps.catalog.models import Category
from apps.catalog.selectors.configurator import CURRENCY


def storefront(request: HttpRequest) -> dict:
    return {
        "nav_families": Category.objects.filter(is_active=True).only("name", "slug"),
        "shop_currency": CURRENCY,
    }
