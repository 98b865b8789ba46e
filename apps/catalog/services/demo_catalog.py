"""The demo catalog: Marcus's bicycles exactly as in the exercise, plus skis, surfboards and roller skates.

The data is in `apps/catalog/demo/demo_catalog.json` (format and checks: `demo_data`). `load_demo_catalog()`
reads and checks it (one option per part in every product, no incompatible pair, every name resolvable) and
writes it by natural keys, so running it again changes nothing. A row is saved only when one of its values
differs: an unchanged catalog causes no writes, so it does not wake the indexing pipeline either.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.text import slugify

from apps.catalog.models import Category, IncompatibilityRule, Part, PartOption, PriceAdjustmentRule
from apps.catalog.services.demo_data import DemoCatalogError, read_demo_catalog, validate_demo_catalog
from apps.preconfigured_products.models import PreConfiguredProduct
from apps.preconfigured_products.services import create_product, update_product

__all__ = ["DemoCatalogError", "load_demo_catalog", "read_demo_catalog", "validate_demo_catalog"]


class _Tally:
    """Counts rows created and updated while syncing."""

    def __init__(self) -> None:
        self.created = 0
        self.updated = 0

    def sync(self, model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any]) -> models.Model:
        """get-or-create by natural key; save only the fields whose value differs."""
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
            obj.full_clean()
            obj.save()
            self.created += 1
            return obj
        changed = [name for name, value in values.items() if _current(obj, name) != _plain(value)]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.full_clean()
            # updated_at must move too, or the index's reconciliation would not see the change.
            update_fields = [*changed, "updated_at"] if hasattr(obj, "updated_at") else changed
            obj.save(update_fields=update_fields)
            self.updated += 1
        return obj


def _plain(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


def _current(obj: models.Model, name: str) -> Any:
    field = obj._meta.get_field(name)
    return getattr(obj, field.attname)


@transaction.atomic
def load_demo_catalog(path: Path | str | None = None) -> dict[str, int]:
    """Create or update the demo catalog from the data file (default: the shipped one); returns how many rows
    of each kind it holds, plus created/updated."""
    catalog = read_demo_catalog(path)
    validate_demo_catalog(catalog)
    tally = _Tally()
    counts = Counter()
    for cat_data in catalog:
        category = tally.sync(
            Category,
            {"slug": cat_data["slug"]},
            {"name": cat_data["name"], "description": cat_data["description"], "is_active": True},
        )
        counts["categories"] += 1
        options: dict[str, PartOption] = {}
        for part_data in cat_data["parts"]:
            part = tally.sync(
                Part,
                {"category": category, "name": part_data["name"]},
                {
                    "step": part_data["step"],
                    "required": part_data.get("required", True),
                    "description": part_data["description"],
                },
            )
            counts["parts"] += 1
            for opt in part_data["options"]:
                options[opt["name"]] = tally.sync(
                    PartOption,
                    {"part": part, "name": opt["name"]},
                    {
                        "description": opt["description"],
                        "default_price": opt["price"],
                        "in_stock": opt["in_stock"],
                        "is_active": True,
                    },
                )
                counts["options"] += 1

        for rule in cat_data["incompatibilities"]:
            a, b = options[rule["option"]], options[rule["incompatible_with"]]
            _sync_incompatibility(tally, a, b, rule["message"])
            counts["incompatibilities"] += 1
        for rule in cat_data["price_rules"]:
            _sync_price_rule(tally, options[rule["option"]], [options[n] for n in rule["when"]], rule)
            counts["price_rules"] += 1
        for product in cat_data["products"]:
            _sync_product(tally, category, product, [options[n] for n in product["options"]])
            counts["products"] += 1
    return {**counts, "created": tally.created, "updated": tally.updated}


def _sync_incompatibility(tally: _Tally, a: PartOption, b: PartOption, message: str) -> None:
    # The rule is symmetric: an existing row in either direction is the same rule.
    existing = IncompatibilityRule.objects.filter(part_option=b, incompatible_with_option=a).first()
    if existing is not None:
        tally.sync(IncompatibilityRule, {"pk": existing.pk}, {"message": message})
    else:
        tally.sync(IncompatibilityRule, {"part_option": a, "incompatible_with_option": b}, {"message": message})


def _sync_price_rule(tally: _Tally, affected: PartOption, conditions: list[PartOption], data: dict[str, Any]) -> None:
    # Natural key: the affected option plus the exact set of condition options.
    wanted = {option.pk for option in conditions}
    for rule in PriceAdjustmentRule.objects.filter(affected_option=affected).prefetch_related("condition_options"):
        if {option.pk for option in rule.condition_options.all()} == wanted:
            tally.sync(
                PriceAdjustmentRule,
                {"pk": rule.pk},
                {"adjusted_price": data["price"], "description": data["description"]},
            )
            return
    rule = PriceAdjustmentRule.objects.create(
        affected_option=affected, adjusted_price=data["price"], description=data["description"]
    )
    rule.condition_options.set(conditions)
    tally.created += 1


def _sync_product(tally: _Tally, category: Category, data: dict[str, Any], options: list[PartOption]) -> None:
    # Through the products service, so the configurator checks each product as it does for the API.
    slug = slugify(data["name"])
    option_ids = [option.pk for option in options]
    product = PreConfiguredProduct.objects.filter(slug=slug).first()
    try:
        if product is None:
            create_product(
                category=category, name=data["name"], slug=slug, description=data["description"], options=option_ids
            )
            tally.created += 1
            return
        current = sorted(product.selections.values_list("option_id", flat=True))
        wanted = (category.pk, data["name"], data["description"], True, sorted(option_ids))
        if (product.category_id, product.name, product.description, product.is_active, current) != wanted:
            update_product(
                product,
                category=category,
                name=data["name"],
                description=data["description"],
                is_active=True,
                options=option_ids,
            )
            tally.updated += 1
    except ValidationError as exc:
        raise DemoCatalogError(f"Demo product {data['name']!r} was refused: {exc.messages}") from exc
