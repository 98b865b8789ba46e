"""The configurator: validates a selection of part options and prices it (rules: the README, "Configurator").

Pure functions over the database: each call loads the category's catalog in a fixed handful of
queries (`apps.catalog.selectors.configurator.load_catalogs`) and evaluates in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from apps.catalog.models import PartOption, PriceAdjustmentRule
from apps.catalog.selectors.configurator import (
    CURRENCY,
    CategoryCatalog,
    load_catalog,
    load_catalogs,
    sort_price_rules,
)

CENT = Decimal("0.01")

# Problems with the request itself rather than with the configuration it describes: the API answers
# these with 400 (naming `options`), the others with 200 and valid=false.
STRUCTURAL_CODES = frozenset(
    {"unknown_category", "unknown_option", "wrong_category", "duplicate_option", "duplicate_part"}
)


@dataclass
class QuoteError:
    code: str
    message: str
    options: list[int] = field(default_factory=list)


@dataclass
class LineItem:
    part: str
    part_id: int
    option: str
    option_id: int
    price: Decimal
    rule: int | None  # id of the PriceAdjustmentRule that set the price, if any


@dataclass
class Quote:
    valid: bool
    errors: list[QuoteError]
    price: Decimal
    currency: str
    breakdown: list[LineItem]
    available_options: dict[int, list[dict]]  # part_id -> [{id, name, price}]


def _money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT)


def _pick_rule(
    candidates: Sequence[tuple[frozenset[int], PriceAdjustmentRule]], selected_ids: set[int] | frozenset[int]
) -> PriceAdjustmentRule | None:
    # candidates are sorted most-conditions-first then lowest id, so the first match wins.
    for conditions, rule in candidates:
        if conditions <= selected_ids:
            return rule
    return None


def effective_price(
    option: PartOption, selected_ids: set[int], rules: Iterable[PriceAdjustmentRule] | None = None
) -> tuple[Decimal, PriceAdjustmentRule | None]:
    """The option's price given the other chosen options, and the price rule that set it (None: default price).

    `rules` may be any price rules (those of other options are ignored); without it the option's rules
    are read from the database.
    """
    if rules is None:
        rules = option.price_rules.prefetch_related("condition_options")
    own = sort_price_rules(rule for rule in rules if rule.affected_option_id == option.pk)
    rule = _pick_rule(own, set(selected_ids))
    return _money(rule.adjusted_price if rule else option.default_price), rule


@dataclass
class _Evaluation:
    errors: list[QuoteError]
    chosen: dict[int, PartOption]  # part_id -> option, the first one given for each part


def _evaluate(catalog: CategoryCatalog, option_ids: Sequence[int], unknown_elsewhere: set[int]) -> _Evaluation:
    """Check a selection against a loaded catalog. `unknown_elsewhere`: ids that exist in another category."""
    errors: list[QuoteError] = []
    chosen: dict[int, PartOption] = {}
    seen: set[int] = set()
    for option_id in option_ids:
        if option_id in seen:
            errors.append(QuoteError("duplicate_option", f"Option {option_id} is given more than once.", [option_id]))
            continue
        seen.add(option_id)
        option = catalog.options.get(option_id)
        if option is None:
            if option_id in unknown_elsewhere:
                errors.append(
                    QuoteError(
                        "wrong_category",
                        f"Option {option_id} does not belong to the category {catalog.category.name}.",
                        [option_id],
                    )
                )
            else:
                errors.append(QuoteError("unknown_option", f"Option {option_id} does not exist.", [option_id]))
            continue
        first = chosen.get(option.part_id)
        if first is not None:
            errors.append(
                QuoteError(
                    "duplicate_part",
                    f'Choose only one option for "{option.part.name}": "{first.name}" and "{option.name}" were given.',
                    [first.pk, option.pk],
                )
            )
            continue
        chosen[option.part_id] = option

    for part in catalog.parts:
        if part.required and part.pk not in chosen:
            errors.append(QuoteError("missing_part", f'Choose an option for "{part.name}".', []))

    ordered = [chosen[part.pk] for part in catalog.parts if part.pk in chosen]
    for option in ordered:
        if not option.is_active:
            errors.append(QuoteError("inactive", f'"{option.name}" is no longer available.', [option.pk]))
        elif not option.in_stock:
            errors.append(QuoteError("out_of_stock", f'"{option.name}" is temporarily out of stock.', [option.pk]))

    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            rule = catalog.rule_between(a.pk, b.pk)
            if rule is not None:
                message = rule.message or f'"{a.name}" cannot be combined with "{b.name}".'
                errors.append(QuoteError("incompatible", message, [a.pk, b.pk]))
    return _Evaluation(errors=errors, chosen=chosen)


def _price(catalog: CategoryCatalog, chosen: dict[int, PartOption]) -> tuple[Decimal, list[LineItem]]:
    selected = frozenset(option.pk for option in chosen.values())
    breakdown = []
    for part in catalog.parts:
        option = chosen.get(part.pk)
        if option is None:
            continue
        rule = _pick_rule(catalog.price_rules.get(option.pk, ()), selected)
        price = _money(rule.adjusted_price if rule else option.default_price)
        breakdown.append(LineItem(part.name, part.pk, option.name, option.pk, price, rule.pk if rule else None))
    return _money(sum((item.price for item in breakdown), Decimal("0"))), breakdown


def _available_options(catalog: CategoryCatalog, chosen: dict[int, PartOption]) -> dict[int, list[dict]]:
    """For each part: the options still choosable given the choices on the OTHER parts, with their price then."""
    result: dict[int, list[dict]] = {}
    for part in catalog.parts:
        others = {option.pk for part_id, option in chosen.items() if part_id != part.pk}
        choosable = []
        for option in catalog.options_by_part[part.pk]:
            if not (option.is_active and option.in_stock):
                continue
            if any(catalog.rule_between(option.pk, other) for other in others):
                continue
            rule = _pick_rule(catalog.price_rules.get(option.pk, ()), others | {option.pk})
            price = _money(rule.adjusted_price if rule else option.default_price)
            choosable.append({"id": option.pk, "name": option.name, "price": price})
        result[part.pk] = choosable
    return result


def _ids_in_other_categories(catalog: CategoryCatalog, option_ids: Iterable[int]) -> set[int]:
    missing = {option_id for option_id in option_ids if option_id not in catalog.options}
    if not missing:
        return set()
    return set(PartOption.objects.filter(pk__in=missing).values_list("pk", flat=True))


def _unknown_category(category_id: int) -> Quote:
    error = QuoteError("unknown_category", f"Category {category_id} does not exist.", [])
    return Quote(False, [error], _money(Decimal("0")), CURRENCY, [], {})


def evaluate_with_catalog(catalog: CategoryCatalog, option_ids: Sequence[int], *, with_available: bool = True) -> Quote:
    """Quote against an already loaded catalog (bulk callers load many catalogs at once)."""
    option_ids = list(option_ids)
    evaluation = _evaluate(catalog, option_ids, _ids_in_other_categories(catalog, option_ids))
    price, breakdown = _price(catalog, evaluation.chosen)
    available = _available_options(catalog, evaluation.chosen) if with_available else {}
    return Quote(
        valid=not evaluation.errors,
        errors=evaluation.errors,
        price=price,
        currency=CURRENCY,
        breakdown=breakdown,
        available_options=available,
    )


def quote(category_id: int, option_ids: list[int]) -> Quote:
    """Validate and price a (possibly partial) selection; see the module docstring."""
    catalog = load_catalog(category_id)
    if catalog is None:
        return _unknown_category(category_id)
    return evaluate_with_catalog(catalog, option_ids)


def quote_many(selections: Iterable[tuple[int, Sequence[int]]], *, with_available: bool = False) -> list[Quote]:
    """Quote several (category_id, option_ids) selections, loading each category's catalog once."""
    selections = list(selections)
    catalogs = load_catalogs(category_id for category_id, _ in selections)
    quotes = []
    for category_id, option_ids in selections:
        catalog = catalogs.get(category_id)
        if catalog is None:
            quotes.append(_unknown_category(category_id))
        else:
            quotes.append(evaluate_with_catalog(catalog, option_ids, with_available=with_available))
    return quotes


def validate_selection(category_id: int, option_ids: list[int]) -> list[QuoteError]:
    """The errors of a selection (empty when it is a complete, valid configuration)."""
    return quote(category_id, option_ids).errors
