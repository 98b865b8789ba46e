"""Product documents (`product:{pk}`): a preconfigured product with its configuration, price and availability.

A product's document changes with its own row, its chosen options, the category, parts and options it
shows, and the rules that can make its configuration invalid or change its price. Only a change of what it
says (names, descriptions, the configuration) changes its embedded text; a price or stock change changes
its metadata alone.
"""

from __future__ import annotations

from apps.ai_assistant.indexing.documents.base import Document, DocumentType, id_list, make, money, sentence
from apps.catalog.models import Category, IncompatibilityRule, Part, PartOption, PriceAdjustmentRule
from apps.preconfigured_products.models import PreConfiguredProduct, PreConfiguredProductOption
from apps.preconfigured_products.selectors import product_quotes


def build(pks: list[int]) -> dict[int, Document]:
    """Meaning (embedded): name, family, description, the chosen options with their descriptions.
    Facts (metadata): price, availability and the reasons a configuration is unavailable."""
    products = list(
        PreConfiguredProduct.objects.filter(pk__in=pks, is_active=True, category__is_active=True)
        .select_related("category")
        .only("id", "name", "description", "category_id", "category__id", "category__name")
    )
    quotes = product_quotes(products)
    option_ids = {item.option_id for quote in quotes.values() for item in quote.breakdown}
    described = dict(
        PartOption.objects.filter(pk__in=option_ids).exclude(description="").values_list("pk", "description")
    )
    docs = {}
    for product in products:
        quote = quotes[product.pk]
        category = product.category
        chosen = "; ".join(f"{item.part}: {item.option}" for item in quote.breakdown)
        about = " ".join(
            f"{item.option}: {sentence(described[item.option_id])}"
            for item in quote.breakdown
            if item.option_id in described
        )
        # What identifies the product first, the options' descriptions last: the embedding model reads only
        # the first 256 word pieces, and the configuration's names say more than the options' long words.
        text = (
            f"{product.name} — {category.name}. {sentence(product.description)} "
            f"Configuration: {chosen or 'no options chosen'}. {about}"
        )
        if quote.valid:
            availability = "Available: in stock, ready to order."
        else:
            reasons = " ".join(sentence(error.message) for error in quote.errors)
            availability = f"Not available right now (out of stock or unavailable). {reasons}"
        docs[product.pk] = make(
            "product",
            product.pk,
            text,
            {
                "name": product.name,
                "category_id": category.pk,
                "category": category.name,
                "price": float(quote.price),
                "in_stock": bool(quote.valid),
                "option_ids": id_list(item.option_id for item in quote.breakdown),
                "options": " | ".join(item.option for item in quote.breakdown),
            },
            facts=f"Price: {money(quote.price)}. {availability}",
        )
    return docs


def indexable() -> list[int]:
    return list(
        PreConfiguredProduct.objects.filter(is_active=True, category__is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def products_with_all(option_ids: list[int]) -> list[int]:
    """Products whose configuration contains every one of these options."""
    if not option_ids:
        return []
    queryset = PreConfiguredProduct.objects.all()
    for option_id in set(option_ids):
        queryset = queryset.filter(selections__option_id=option_id)
    return list(queryset.values_list("pk", flat=True).distinct())


def _showing_options(option_ids: list[int]) -> list[int]:
    selections = PreConfiguredProductOption.objects.filter(option_id__in=option_ids)
    return list(selections.values_list("product_id", flat=True))


def _price_rule_products(rule: PriceAdjustmentRule) -> list[int]:
    conditions = list(rule.condition_options.values_list("pk", flat=True))
    return products_with_all([rule.affected_option_id, *conditions]) if conditions else []


PRODUCTS = DocumentType(
    name="product",
    build=build,
    indexable=indexable,
    touched_by={
        PreConfiguredProduct: lambda product: [product.pk],
        PreConfiguredProductOption: lambda selection: [selection.product_id],
        # The category's name is in every product of it.
        Category: lambda category: PreConfiguredProduct.objects.filter(category_id=category.pk).values_list(
            "pk", flat=True
        ),
        # Products name the part beside its options.
        Part: lambda part: PreConfiguredProductOption.objects.filter(part_id=part.pk).values_list(
            "product_id", flat=True
        ),
        # Availability of the products that hold both options can flip.
        IncompatibilityRule: lambda rule: products_with_all([rule.part_option_id, rule.incompatible_with_option_id]),
        PriceAdjustmentRule: _price_rule_products,
    },
    showing_options=_showing_options,
)
