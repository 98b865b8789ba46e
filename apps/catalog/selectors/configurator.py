"""Reads for the configurator: one category's parts, options and rules, loaded in a fixed number of queries.

`load_catalogs` is what the configurator service evaluates selections against; `category_configurator`
is the public view of a category that `GET /api/categories/{id}/configurator/` returns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, Q

from apps.catalog.models import Category, IncompatibilityRule, Part, PartOption, PriceAdjustmentRule

# The one place that reads the shop currency (SHOP_CURRENCY); every price shown names it.
CURRENCY: str = settings.SHOP_CURRENCY


@dataclass
class CategoryCatalog:
    """Everything the configurator needs about one category, indexed for lookups by id."""

    category: Category
    parts: list[Part] = field(default_factory=list)  # step order
    options: dict[int, PartOption] = field(default_factory=dict)  # every option of the category, part cached
    options_by_part: dict[int, list[PartOption]] = field(default_factory=dict)
    # Symmetric: incompatible[a][b] is the rule between a and b (the lowest id when both directions exist).
    incompatible: dict[int, dict[int, IncompatibilityRule]] = field(default_factory=dict)
    # affected option id -> [(condition option ids, rule)], most conditions first, then lowest id.
    price_rules: dict[int, list[tuple[frozenset[int], PriceAdjustmentRule]]] = field(default_factory=dict)

    def rule_between(self, a: int, b: int) -> IncompatibilityRule | None:
        return self.incompatible.get(a, {}).get(b)


def condition_ids(rule: PriceAdjustmentRule) -> frozenset[int]:
    """Condition option ids of a rule (uses a prefetch of `condition_options` when there is one)."""
    return frozenset(option.pk for option in rule.condition_options.all())


def sort_price_rules(rules: Iterable[PriceAdjustmentRule]) -> list[tuple[frozenset[int], PriceAdjustmentRule]]:
    """Rules in the order they win: most conditions first, then lowest id. Rules without conditions never apply."""
    pairs = [(condition_ids(rule), rule) for rule in rules]
    pairs = [(conditions, rule) for conditions, rule in pairs if conditions]
    pairs.sort(key=lambda pair: (-len(pair[0]), pair[1].pk))
    return pairs


def load_catalogs(category_ids: Iterable[int]) -> dict[int, CategoryCatalog]:
    """Load the catalogs of several categories in five queries whatever their size."""
    ids = sorted(set(category_ids))
    if not ids:
        return {}
    catalogs = {category.pk: CategoryCatalog(category=category) for category in Category.objects.filter(pk__in=ids)}
    if not catalogs:
        return {}
    parts_by_id: dict[int, Part] = {}
    for part in Part.objects.filter(category_id__in=catalogs).order_by("category_id", "step", "id"):
        catalog = catalogs[part.category_id]
        part.category = catalog.category
        catalog.parts.append(part)
        catalog.options_by_part[part.pk] = []
        parts_by_id[part.pk] = part
    for option in PartOption.objects.filter(part_id__in=parts_by_id).order_by("part_id", "id"):
        part = parts_by_id[option.part_id]
        option.part = part  # no join and no lazy load later
        catalog = catalogs[part.category_id]
        catalog.options[option.pk] = option
        catalog.options_by_part[part.pk].append(option)

    option_catalog = {option_id: catalog for catalog in catalogs.values() for option_id in catalog.options}
    rules = IncompatibilityRule.objects.filter(
        Q(part_option__part__category_id__in=catalogs) | Q(incompatible_with_option__part__category_id__in=catalogs)
    ).order_by("id")
    for rule in rules:
        a, b = rule.part_option_id, rule.incompatible_with_option_id
        catalog = option_catalog.get(a)
        if catalog is None or b not in catalog.options:
            continue  # a rule across categories can never bite a selection within one category
        catalog.incompatible.setdefault(a, {}).setdefault(b, rule)
        catalog.incompatible.setdefault(b, {}).setdefault(a, rule)

    price_rules = (
        PriceAdjustmentRule.objects.filter(affected_option__part__category_id__in=catalogs)
        .prefetch_related(Prefetch("condition_options", queryset=PartOption.objects.only("id")))
        .order_by("id")
    )
    grouped: dict[int, list[PriceAdjustmentRule]] = defaultdict(list)
    for rule in price_rules:
        grouped[rule.affected_option_id].append(rule)
    for affected_id, group in grouped.items():
        catalog = option_catalog.get(affected_id)
        if catalog is not None:
            catalog.price_rules[affected_id] = sort_price_rules(group)
    return catalogs


def load_catalog(category_id: int) -> CategoryCatalog | None:
    return load_catalogs([category_id]).get(category_id)


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def category_configurator(category_id: int) -> dict | None:
    """The configurator view of a category: parts in step order with their active options, and the rules.

    Out-of-stock options are listed with `in_stock: false` so a UI can show them greyed out; inactive
    options and the rules that need them are left out. None when the category does not exist.
    """
    catalog = load_catalog(category_id)
    if catalog is None:
        return None
    active = {option_id for option_id, option in catalog.options.items() if option.is_active}
    parts = [
        {
            "id": part.pk,
            "name": part.name,
            "step": part.step,
            "required": part.required,
            "description": part.description,
            "options": [
                {
                    "id": option.pk,
                    "name": option.name,
                    "description": option.description,
                    "price": _money(option.default_price),
                    "in_stock": option.in_stock,
                }
                for option in catalog.options_by_part[part.pk]
                if option.is_active
            ],
        }
        for part in catalog.parts
    ]
    seen_rules: set[int] = set()
    incompatibilities = []
    for a, targets in catalog.incompatible.items():
        for b, rule in targets.items():
            if rule.pk in seen_rules or a not in active or b not in active:
                continue
            seen_rules.add(rule.pk)
            incompatibilities.append(
                {
                    "id": rule.pk,
                    "option": rule.part_option_id,
                    "incompatible_with_option": rule.incompatible_with_option_id,
                    "message": rule.message,
                }
            )
    incompatibilities.sort(key=lambda item: item["id"])
    price_rules = [
        {
            "id": rule.pk,
            "affected_option": affected_id,
            "condition_options": sorted(conditions),
            "adjusted_price": _money(rule.adjusted_price),
            "description": rule.description,
        }
        for affected_id, rules in catalog.price_rules.items()
        if affected_id in active
        for conditions, rule in rules
        if conditions <= active
    ]
    price_rules.sort(key=lambda item: item["id"])
    category = catalog.category
    return {
        "id": category.pk,
        "name": category.name,
        "slug": category.slug,
        "description": category.description,
        "is_active": category.is_active,
        "currency": CURRENCY,
        "parts": parts,
        "incompatibility_rules": incompatibilities,
        "price_rules": price_rules,
    }
