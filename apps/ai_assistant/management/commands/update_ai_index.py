"""`manage.py update_ai_index`: what the task `update_ai_index` does, in this process: sync every document with
pending changes in the outbox now. A full hash-compared pass of every document is `sync_ai_index`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apps.ai_assistant.exceptions import TransientIndexError
from apps.ai_assistant.indexing import outbox


class Command(BaseCommand):
    help = (
        "Sync the documents with pending changes in the outbox now (the work of the task update_ai_index). "
        "For a full comparison of every document with the database, use sync_ai_index."
    )

    def handle(self, *args, **options) -> None:
        try:
            result = outbox.flush_changes()
        except TransientIndexError as exc:
            raise CommandError(f"The vector store or embedding provider is unreachable: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Flushed the outbox: {result}"))
