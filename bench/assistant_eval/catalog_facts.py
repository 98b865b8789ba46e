"""What the catalog in the database says, read once: the only source of the generated questions' labels.

Prices come from the database (option default prices, price-rule prices) and from the configurator
(`quote` for a configuration, the products selector for a product's price and availability).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class OptionFact:
    id: int
    name: str
    description: str
    price: Decimal
    in_stock: bool
    part_id: int
    category_id: int


@dataclass
class PartFact:
    id: int
    name: str
    description: str
    required: bool
    category_id: int
    options: list[OptionFact] = field(default_factory=list)


@dataclass
class ProductFact:
    id: int
    name: str
    description: str
    category_id: int
    option_ids: list[int]
    price: Decimal
    available: bool


@dataclass
class RuleFact:
    affected_id: int
    condition_ids: frozenset[int]
    price: Decimal


@dataclass
class CategoryFact:
    id: int
    name: str
    description: str
    parts: list[PartFact] = field(default_factory=list)


@dataclass
class CatalogFacts:
    categories: list[CategoryFact]
    options: dict[int, OptionFact]
    products: list[ProductFact]
    incompatible: set[frozenset[int]]
    rules: list[RuleFact]

    def parts(self) -> list[PartFact]:
        return [part for category in self.categories for part in category.parts]

    def category(self, category_id: int) -> CategoryFact:
        return next(c for c in self.categories if c.id == category_id)

    def compatible(self, a: int, b: int) -> bool:
        return frozenset((a, b)) not in self.incompatible

    def database_prices(self) -> set[Decimal]:
        """Every price the database holds: option prices, price-rule prices, product prices (configurator)."""
        return (
            {o.price for o in self.options.values()}
            | {r.price for r in self.rules}
            | {p.price for p in self.products}
        )


def load_catalog_facts() -> CatalogFacts:
    """Read the active catalog from the database (a handful of queries plus the products' quotes)."""
    from apps.catalog.models import Category, IncompatibilityRule, Part, PartOption, PriceAdjustmentRule
    from apps.preconfigured_products.models import PreConfiguredProduct, PreConfiguredProductOption
    from apps.preconfigured_products.selectors import products_price_and_availability

    categories = {
        c.pk: CategoryFact(c.pk, c.name, c.description) for c in Category.objects.filter(is_active=True)
    }
    parts: dict[int, PartFact] = {}
    for part in Part.objects.filter(category_id__in=categories).order_by("category_id", "step", "id"):
        parts[part.pk] = PartFact(part.pk, part.name, part.description, part.required, part.category_id)
        categories[part.category_id].parts.append(parts[part.pk])
    options: dict[int, OptionFact] = {}
    for option in PartOption.objects.filter(part_id__in=parts, is_active=True).order_by("part_id", "id"):
        fact = OptionFact(
            option.pk, option.name, option.description, option.default_price, option.in_stock,
            option.part_id, parts[option.part_id].category_id,
        )
        options[option.pk] = fact
        parts[option.part_id].options.append(fact)
    pairs = IncompatibilityRule.objects.values_list("part_option_id", "incompatible_with_option_id")
    incompatible = {frozenset(pair) for pair in pairs}
    rules = [
        RuleFact(rule.affected_option_id, frozenset(o.pk for o in rule.condition_options.all()), rule.adjusted_price)
        for rule in PriceAdjustmentRule.objects.prefetch_related("condition_options")
    ]
    chosen: dict[int, list[int]] = defaultdict(list)
    for product_id, option_id in PreConfiguredProductOption.objects.order_by("part__step").values_list(
        "product_id", "option_id"
    ):
        chosen[product_id].append(option_id)
    rows = list(PreConfiguredProduct.objects.filter(is_active=True, category_id__in=categories).order_by("id"))
    computed = products_price_and_availability(rows)
    products = [
        ProductFact(p.pk, p.name, p.description, p.category_id, chosen[p.pk], *computed[p.pk]) for p in rows
    ]
    return CatalogFacts(list(categories.values()), options, products, incompatible, rules)


def configurator_total(category_id: int, option_ids: list[int]) -> tuple[Decimal, bool, list[str]]:
    """The configurator's price of a selection, whether it is valid, and its error codes."""
    from apps.catalog.services.configurator import quote

    result = quote(category_id, option_ids)
    return result.price, result.valid, [error.code for error in result.errors]
