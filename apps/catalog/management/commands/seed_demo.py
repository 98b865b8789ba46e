"""`manage.py seed_demo`: load the demo catalog (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apps.catalog.services.demo_catalog import DemoCatalogError, load_demo_catalog


class Command(BaseCommand):
    help = (
        "Load the demo catalog: Marcus's bicycles exactly as in the exercise (parts, prices, incompatibilities, "
        "price rules), plus skis, surfboards and roller skates, and about 30 pre-configured products. "
        "Rows are matched by natural keys (category slug, part and option names, product slug), so running "
        "it again creates nothing new and only restores demo values that were changed."
    )

    def handle(self, *args, **options) -> None:
        try:
            counts = load_demo_catalog()
        except DemoCatalogError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                "Demo catalog: {categories} categories, {parts} parts, {options} options, "
                "{incompatibilities} incompatibilities, {price_rules} price rules, {products} products "
                "({created} rows created, {updated} updated).".format(**counts)
            )
        )
