"""Home, family, product and configurator pages: reads through the catalog's and the products' selectors.

Prices, availability and compatibility always come from the configurator (quote, quote_many); the pages only
show them.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from apps.catalog.models import Category
from apps.catalog.selectors.configurator import CURRENCY, category_configurator
from apps.catalog.services.configurator import quote
from apps.preconfigured_products.models import PreConfiguredProduct
from apps.preconfigured_products.selectors import product_quotes
from apps.storefront.family_listing import family_page
from apps.storefront.forms import FAMILY_SORTS, ConfiguratorQueryForm, FamilyQueryForm
from apps.storefront.views.invalid import invalid_input


def home(request: HttpRequest) -> HttpResponse:
    families = Category.objects.filter(is_active=True).annotate(
        product_count=Count("products", filter=Q(products__is_active=True))
    )
    return render(request, "storefront/home.html", {"families": families})


def family(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(Category, slug=slug, is_active=True)
    form = FamilyQueryForm(request.GET)
    if not form.is_valid():
        return invalid_input(request, form)
    sort = form.cleaned_data["sort"] or "name"
    page, cards = family_page(
        PreConfiguredProduct.objects.filter(category=category, is_active=True).order_by("name", "id"),
        sort=sort,
        available=form.cleaned_data["available"],
        number=form.cleaned_data["page"] or 1,
    )
    return render(
        request,
        "storefront/family.html",
        {
            "category": category,
            "cards": cards,
            "page": page,
            "sort": sort,
            "sorts": FAMILY_SORTS,
            "available": form.cleaned_data["available"],
            "currency": CURRENCY,
        },
    )


def product(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(PreConfiguredProduct.objects.select_related("category"), pk=pk, is_active=True)
    product_quote = product_quotes([item])[item.pk]
    return render(
        request,
        "storefront/product.html",
        {
            "product": item,
            "quote": product_quote,
            "option_ids": ",".join(str(line.option_id) for line in product_quote.breakdown),
        },
    )


def configurator(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(Category, slug=slug, is_active=True)
    form = ConfiguratorQueryForm(request.GET)
    if not form.is_valid():
        return invalid_input(request, form)
    view = category_configurator(category.pk)
    known = {option["id"] for part in view["parts"] for option in part["options"]}
    # Options of another category or no longer sold are dropped: the page starts from what can still be chosen.
    start = [option_id for option_id in form.cleaned_data["options"] if option_id in known]
    return render(
        request,
        "storefront/configurator.html",
        # The browser asks for the quote of the choices on every click; the page prices only a given start.
        {"category": category, "configurator": view, "start": start, "quote": quote(category.pk, start) if start
         else None},
    )
