"""`manage.py generate_catalog`: a deterministic synthetic catalog for benchmarks."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from apps.catalog.models import Category
from apps.catalog.services.synthetic_catalog import (
    STYLES,
    catalog_has_products,
    generate_synthetic_catalog,
    seed_already_generated,
    wipe_catalog,
)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Generate a synthetic catalog for benchmarks: categories with parts, options, incompatibilities and "
        "price rules, and N pre-configured products with valid configurations. The same --products and --seed "
        "give the same rows. Written in bulk (no model signals): rebuild the AI index afterwards."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--products", type=_positive, required=True, help="number of products (>= 1)")
        parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        parser.add_argument("--categories", type=_positive, default=8, help="number of categories (default 8)")
        parser.add_argument(
            "--style",
            choices=sorted(STYLES),
            default="plain",
            help='naming style: "plain" (default, the benchmarks\' catalog) or "rich" (multi-word names with '
            "units, synonyms and uses in descriptions, optional parts, invented product lines per seed)",
        )
        parser.add_argument("--batch-size", type=_positive, default=2000, help="rows per INSERT (default 2000)")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--append", action="store_true", help="add to a catalog that already has products")
        mode.add_argument("--wipe", action="store_true", help="delete ALL catalog and product rows first")

    def handle(self, *args, **opts) -> None:
        if opts["categories"] > 1000:
            raise CommandError("--categories must be at most 1000.")
        # One transaction: a generation that fails after --wipe leaves the old catalog in place.
        with transaction.atomic():
            if opts["wipe"]:
                wipe_catalog()
            elif catalog_has_products() and not opts["append"]:
                raise CommandError("The database already has products: pass --append to add to them or --wipe.")
            if seed_already_generated(opts["seed"]):
                raise CommandError(f"A catalog with --seed {opts['seed']} is already here: use another seed or --wipe.")
            if opts["style"] == "rich" and Category.objects.exists() and not opts["wipe"]:
                # Rich categories are named by their theme alone ("Tents"): another catalog could hold the name.
                raise CommandError("--style rich needs an empty catalog: pass --wipe.")
            result = generate_synthetic_catalog(
                products=opts["products"],
                seed=opts["seed"],
                categories=opts["categories"],
                batch_size=opts["batch_size"],
                style=opts["style"],
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {result.categories} categories, {result.parts} parts, {result.options} options, "
                f"{result.incompatibilities} incompatibilities, {result.price_rules} price rules, "
                f"{result.products} products ({result.product_options} product options) "
                f"in {result.seconds:.1f} s."
            )
        )
