"""manage.py refresh_search_vocabulary: recompute did-you-mean's words and the suggestion names now.

Catalog saves keep them in step by themselves; this is for catalogs written without model signals (a bulk
import, `generate_catalog`) when the nightly refresh is too far away.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from apps.search.services.vocabulary import refresh_all


class Command(BaseCommand):
    help = "Recompute the search vocabulary (did-you-mean words, suggestion names) from the catalog."

    def handle(self, *args, **options) -> None:
        counts = refresh_all()
        self.stdout.write(f"{counts['words']} words, {counts['entries']} suggestion names.")
