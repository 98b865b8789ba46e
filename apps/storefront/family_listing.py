"""A family page's product cards: one page of a family's models, sorted and filtered by the configurator's quotes.

In the name order with no filter nothing computed is needed, and only the page's models are quoted. Sorting by
price or keeping the available models quotes every model of the family once (`product_quotes`, QUOTE_CHUNK
models a call), flattens each quote into its card, and cuts the page from those cards: no model is quoted twice.
The queries of a page do not depend on the page, nor on the family's size up to QUOTE_CHUNK models (each further
QUOTE_CHUNK quoted costs one call of `product_quotes` more).
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from apps.catalog.services.configurator import Quote
from apps.preconfigured_products.models import PreConfiguredProduct
from apps.preconfigured_products.selectors import QUOTE_CHUNK, product_quotes

PAGE_SIZE = 12
CARD_FIELDS = ("id", "name", "category")  # what a card and the quote read of a model


def product_card(item: PreConfiguredProduct, product_quote: Quote) -> dict:
    """What a product card shows, flattened once here: the card is rendered a dozen times a page."""
    return {
        "pk": item.pk,
        "name": item.name,
        "price": product_quote.price,
        "currency": product_quote.currency,
        "valid": product_quote.valid,
        "reason": product_quote.errors[0].message if product_quote.errors else "",
        "summary": ", ".join(line.option for line in product_quote.breakdown),
    }


def family_page(
    products: QuerySet[PreConfiguredProduct], *, sort: str, available: bool, number: int
) -> tuple[Page, list[dict]]:
    """Page `number` (clamped to the last) of `products` and its cards. `sort` is "name" (the queryset's own
    order), "price" or "-price" (then by id); `available` keeps only the models the configurator accepts."""
    products = products.only(*CARD_FIELDS)
    if sort == "name" and not available:
        page = Paginator(products, PAGE_SIZE).get_page(number)
        shown = list(page.object_list)
        quotes = product_quotes(shown)
        return page, [product_card(item, quotes[item.pk]) for item in shown]
    cards = _quoted_cards(products, available)
    if sort in ("price", "-price"):
        sign = -1 if sort == "-price" else 1
        cards.sort(key=lambda card: (sign * card["price"], card["pk"]))
    page = Paginator(cards, PAGE_SIZE).get_page(number)
    return page, list(page.object_list)


def _quoted_cards(products: QuerySet[PreConfiguredProduct], available: bool) -> list[dict]:
    """The card of every model of `products` (of the available ones only when `available`), in their order,
    each model quoted once, QUOTE_CHUNK at a time (the memory of one chunk's quotes; the cards are kept)."""
    ids = list(products.values_list("pk", flat=True))  # one snapshot of the family: no model twice or skipped
    cards: list[dict] = []
    for start in range(0, len(ids), QUOTE_CHUNK):
        chunk = list(products.filter(pk__in=ids[start : start + QUOTE_CHUNK]))
        quotes = product_quotes(chunk)
        cards += [product_card(item, quotes[item.pk]) for item in chunk if quotes[item.pk].valid or not available]
    return cards
