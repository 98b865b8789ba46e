"""Catalog writes that need more than `Model.save()`: bulk updates, guarded deletes, price rules with conditions.

Every bulk `QuerySet.update()` on part options goes through `update_options`, so whatever has to
follow such a write (recording index changes) hooks into one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import models, transaction
from django.db.models import ProtectedError, Q
from django.utils.text import slugify

from apps.catalog.models import Category, Part, PartOption, PriceAdjustmentRule

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
    # update() sends no signal: record the touched index documents in this transaction (outbox).
    from apps.ai_assistant.services.outbox import record_bulk_change

    record_bulk_change(PartOption, ids)
    return changed


def set_options_stock(option_ids: Iterable[int], in_stock: bool) -> int:
    """Mark options in stock or temporarily out of stock."""
    return update_options(option_ids, in_stock=in_stock)


def set_options_active(option_ids: Iterable[int], is_active: bool) -> int:
    return update_options(option_ids, is_active=is_active)


def _guard_option_delete(options: models.QuerySet, *, surviving_affected: Q) -> None:
    """Refuse (409) to delete options that products use, or that price rules surviving the delete need."""
    # Imported here: the products app depends on the catalog, not the other way round.
    from apps.preconfigured_products.models import PreConfiguredProduct

    products = list(PreConfiguredProduct.objects.filter(selections__option__in=options).distinct()[:5])
    if products:
        raise ProtectedError("Products use this option.", set(products))
    # Removing a condition would silently widen the rule (fewer conditions match more selections).
    rules = list(
        PriceAdjustmentRule.objects.filter(condition_options__in=options).filter(surviving_affected).distinct()
    )
    if rules:
        raise ProtectedError("Price rules depend on this option.", set(rules[:5]))


@transaction.atomic
def delete_part_option(option: PartOption) -> None:
    """Delete an option that no product and no price rule condition uses; its incompatibilities go with it."""
    _guard_option_delete(PartOption.objects.filter(pk=option.pk), surviving_affected=~Q(affected_option=option))
    option.delete()


@transaction.atomic
def delete_category(category: Category) -> None:
    """Delete a category with its parts, options and rules, unless products of it exist."""
    from apps.preconfigured_products.models import PreConfiguredProduct

    products = list(PreConfiguredProduct.objects.filter(category=category)[:5])
    if products:
        raise ProtectedError("Products belong to this category.", set(products))
    category.delete()


@transaction.atomic
def delete_part(part: Part) -> None:
    """Delete a part and its options, unless a product or a rule on another part still needs them."""
    from apps.preconfigured_products.models import PreConfiguredProduct

    # A product's selection row of this part would be cascaded away silently (the PROTECT on its option
    # does not fire when the protecting row is deleted too), leaving the product without that part.
    products = list(PreConfiguredProduct.objects.filter(selections__part=part).distinct()[:5])
    if products:
        raise ProtectedError("Products use this part.", set(products))
    _guard_option_delete(PartOption.objects.filter(part=part), surviving_affected=~Q(affected_option__part=part))
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
