"""Writes of pre-configured products: the configuration is checked by the configurator before anything is saved."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.catalog.models import Category, PartOption
from apps.catalog.services.catalog import unique_slug
from apps.catalog.services.configurator import validate_selection
from apps.preconfigured_products.models import PreConfiguredProduct, PreConfiguredProductOption

# Stock is a temporary state: a product may be saved with an option that is out of stock for now; it
# is then listed with available=false until the option is back. Every other problem refuses the save.
ALLOWED_WHEN_SAVING = frozenset({"out_of_stock"})


def _option_ids(options: Iterable[int | PartOption]) -> list[int]:
    return [option.pk if isinstance(option, PartOption) else int(option) for option in options]


def _category_id(category: Category | int) -> int:
    return category.pk if isinstance(category, Category) else int(category)


def check_configuration(category_id: int, option_ids: list[int]) -> None:
    """Raise ValidationError naming `options` (or `category`) unless the options configure a sellable product."""
    errors = [error for error in validate_selection(category_id, option_ids) if error.code not in ALLOWED_WHEN_SAVING]
    if any(error.code == "unknown_category" for error in errors):
        raise ValidationError({"category": [f"Category {category_id} does not exist."]})
    if errors:
        raise ValidationError({"options": [error.message for error in errors]})


def _set_options(product: PreConfiguredProduct, option_ids: list[int]) -> None:
    """Store one selection row per part, touching only the rows that change (each save sends its signals)."""
    # Lock the chosen options until commit: an option deleted by a concurrent request after the configuration
    # was checked must turn into a 400 here (or a 409 for the deleter), never a KeyError.
    options = PartOption.objects.select_for_update().in_bulk(option_ids)
    vanished = sorted(set(option_ids) - set(options))
    if vanished:
        raise ValidationError({"options": [f"Option {pk} no longer exists." for pk in vanished]})
    wanted = {options[option_id].part_id: options[option_id] for option_id in option_ids}
    for row in list(product.selections.all()):
        option = wanted.pop(row.part_id, None)
        if option is None:
            row.delete()
        elif row.option_id != option.pk:
            row.option = option
            row.save()
    for option in wanted.values():
        PreConfiguredProductOption(product=product, option=option).save()


@transaction.atomic
def create_product(
    *,
    category: Category | int,
    name: str,
    options: Iterable[int | PartOption],
    slug: str = "",
    description: str = "",
    is_active: bool = True,
) -> PreConfiguredProduct:
    """Create a product from one option per part; refuses (ValidationError) a configuration that is not valid."""
    category_id = _category_id(category)
    option_ids = _option_ids(options)
    check_configuration(category_id, option_ids)
    product = PreConfiguredProduct(
        category_id=category_id,
        name=name,
        slug=slug or unique_slug(PreConfiguredProduct, name, max_length=220),
        description=description,
        is_active=is_active,
    )
    product.full_clean(exclude=["category"])
    product.save()
    _set_options(product, option_ids)
    return product


@transaction.atomic
def update_product(
    product: PreConfiguredProduct,
    *,
    category: Category | int | None = None,
    name: str | None = None,
    options: Iterable[int | PartOption] | None = None,
    slug: str | None = None,
    description: str | None = None,
    is_active: bool | None = None,
) -> PreConfiguredProduct:
    """Change the given fields (None: unchanged). The configuration is re-checked when options or category change."""
    category_id = _category_id(category) if category is not None else product.category_id
    current = list(product.selections.values_list("option_id", flat=True))
    option_ids = _option_ids(options) if options is not None else current
    if category_id != product.category_id or sorted(option_ids) != sorted(current):
        check_configuration(category_id, option_ids)
    product.category_id = category_id
    if name is not None:
        product.name = name
    if slug is not None:
        product.slug = slug or unique_slug(PreConfiguredProduct, product.name, max_length=220, exclude_pk=product.pk)
    if description is not None:
        product.description = description
    if is_active is not None:
        product.is_active = is_active
    product.full_clean(exclude=["category"])
    product.save()
    _set_options(product, option_ids)
    return product
