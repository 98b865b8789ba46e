"""`manage.py sync_ai_index`: sync the active collection with the database (only changes are written).

A full hash-compared pass (`build_index()`), not the task `update_ai_index`, which flushes the outbox: hence its
own name (docs/celery.md).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apps.ai_assistant.exceptions import TransientIndexError
from apps.ai_assistant.services.index_service import get_index_service


class Command(BaseCommand):
    help = (
        "Sync the AI knowledge index with the database: compare every catalog document with what the active "
        "collection holds (by content hash), add new ones, update changed ones, delete vanished ones. Texts "
        "already embedded are never embedded again. Creates the first collection when there is none."
    )

    def handle(self, *args, **options) -> None:
        def progress(event: dict) -> None:
            self.stdout.write(f"  {event['message']}")

        try:
            result = get_index_service().build_index(progress=progress)
        except TransientIndexError as exc:
            raise CommandError(f"The vector store or embedding provider is unreachable: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Updated {result['collection']}: {result['added']} added, {result['updated']} updated, "
                f"{result['deleted']} deleted, {result['unchanged']} unchanged, {result['embedded']} embedded, "
                f"in {result['seconds']} s."
            )
        )
