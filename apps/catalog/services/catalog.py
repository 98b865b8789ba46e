"""Catalog writes that need more than `Model.save()`: bulk updates, guarded deletes, price rules with conditions.

The delete guards (`*_delete_blockers`) are the one place that says what still uses a catalog row: the API
and the admin both ask them.

Every bulk `QuerySet.update()` on part options goes through `update_options`, so whatever has to
follow such a write (recording index changes) hooks into one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models, transaction
from django.db.models import ProtectedError, QuerySet
from django.utils.text import slugify

from apps.catalog.models import Category, Part, PartOption, PriceAdjustmentRule
from apps.catalog.signals import catalog_bulk_changed
from apps.preconfigured_products.models import PreConfiguredProduct

OPTION_BULK_FIELDS = frozenset({"in_stock", "is_active", "default_price", "description"})


def unique_slug(model: type[models.Model], text: str, *, max_length: int, exclude_pk: int | None = None) -> str:
    """A slug made from `text` that no other row of `model` uses (suffixes -2, -3, ... when taken)."""
    base = slugify(text)[: max_length - 8].strip("-") or model._meta.model_name
    taken = model._default_manager.filter(slug__startswith=base)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    used = set(taken.values_list("slug", flat=True))
    slug, n = base, 1
    while slug in used:
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def update_options(option_ids: Iterable[int], **fields) -> int:
    """Bulk-update fields of part options; returns how many rows changed. The one bulk write path for options."""
    unknown = set(fields) - OPTION_BULK_FIELDS
    if unknown:
        raise ValueError(f"Cannot bulk-update {sorted(unknown)}; allowed: {sorted(OPTION_BULK_FIELDS)}")
    if "default_price" in fields and Decimal(fields["default_price"]) < 0:
        raise ValueError("default_price must not be negative")
    ids = sorted(set(option_ids))
    if not ids or not fields:
        return 0
    changed = PartOption.objects.filter(pk__in=ids).update(**fields)
    # update() sends no post_save: tell the receivers (the AI index's outbox) in this transaction.
    catalog_bulk_changed.send(sender=PartOption, pks=ids)
    return changed


def set_options_stock(option_ids: Iterable[int], in_stock: bool) -> int:
    """Mark options in stock or temporarily out of stock."""
    return update_options(option_ids, in_stock=in_stock)


def set_options_active(option_ids: Iterable[int], is_active: bool) -> int:
    return update_options(option_ids, is_active=is_active)


@dataclass(frozen=True)
class DeleteBlocker:
    """Rows that keep a delete from happening: which (`rows`, by id) and why (`reason`).

    The one guard of catalog deletes: the API refuses with a 409 naming a few of them (`refuse_if_blocked`),
    the admin's delete page lists them (`label: row`) instead of the rows a delete would cascade to.
    """

    label: str
    reason: str
    rows: QuerySet


def _products(**lookup) -> QuerySet[PreConfiguredProduct]:
    return PreConfiguredProduct.objects.filter(**lookup).distinct().order_by("id")


def _rules_needing(options: QuerySet[PartOption]) -> DeleteBlocker:
    # Removing a condition would silently widen the rule (fewer conditions match more selections); rules on
    # the deleted options themselves go with them.
    rules = (
        PriceAdjustmentRule.objects.filter(condition_options__in=options)
        .exclude(affected_option__in=options)
        .select_related("affected_option__part")
        .distinct()
        .order_by("id")
    )
    return DeleteBlocker("Price rule", "Price rules depend on this option.", rules)


def category_delete_blockers(categories: QuerySet[Category]) -> list[DeleteBlocker]:
    """Products of the categories; their parts, options and rules go with them."""
    return [
        DeleteBlocker("Pre-configured product", "Products belong to this category.", _products(category__in=categories))
    ]


def part_delete_blockers(parts: QuerySet[Part]) -> list[DeleteBlocker]:
    """Products using the parts, and price rules on other parts conditioned on their options."""
    # A product's selection row of this part would be cascaded away silently (the PROTECT on its option
    # does not fire when the protecting row is deleted too), leaving the product without that part.
    return [
        DeleteBlocker("Pre-configured product", "Products use this part.", _products(selections__part__in=parts)),
        _rules_needing(PartOption.objects.filter(part__in=parts)),
    ]


def option_delete_blockers(options: QuerySet[PartOption]) -> list[DeleteBlocker]:
    """Products using the options, and price rules of other options conditioned on them."""
    return [
        DeleteBlocker("Pre-configured product", "Products use this option.", _products(selections__option__in=options)),
        _rules_needing(options),
    ]


def refuse_if_blocked(blockers: list[DeleteBlocker]) -> None:
    """Raise ProtectedError (the API's 409 `used_by`) with up to five rows of the first blocker that has any."""
    for blocker in blockers:
        rows = list(blocker.rows[:5])
        if rows:
            raise ProtectedError(blocker.reason, set(rows))


@transaction.atomic
def delete_part_option(option: PartOption) -> None:
    """Delete an option that no product and no price rule condition uses; its incompatibilities go with it."""
    refuse_if_blocked(option_delete_blockers(PartOption.objects.filter(pk=option.pk)))
    option.delete()


@transaction.atomic
def delete_category(category: Category) -> None:
    """Delete a category with its parts, options and rules, unless products of it exist."""
    refuse_if_blocked(category_delete_blockers(Category.objects.filter(pk=category.pk)))
    category.delete()


@transaction.atomic
def delete_part(part: Part) -> None:
    """Delete a part and its options, unless a product or a rule on another part still needs them."""
    refuse_if_blocked(part_delete_blockers(Part.objects.filter(pk=part.pk)))
    part.delete()


@transaction.atomic
def save_price_rule(
    *,
    rule: PriceAdjustmentRule | None = None,
    affected_option: PartOption | None = None,
    condition_options: Iterable[PartOption] | None = None,
    adjusted_price: Decimal | None = None,
    description: str | None = None,
) -> PriceAdjustmentRule:
    """Create (rule=None) or update a price rule together with its conditions, in one transaction."""
    rule = rule or PriceAdjustmentRule()
    if affected_option is not None:
        rule.affected_option = affected_option
    if adjusted_price is not None:
        rule.adjusted_price = adjusted_price
    if description is not None:
        rule.description = description
    rule.save()
    if condition_options is not None:
        rule.condition_options.set(list(condition_options))
    return rule
