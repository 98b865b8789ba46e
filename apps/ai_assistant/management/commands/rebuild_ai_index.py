"""`manage.py rebuild_ai_index`: build a new collection, switch searches to it, drop the old one."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apps.ai_assistant.exceptions import TransientIndexError
from apps.ai_assistant.services.index_service import RebuildInProgress, get_index_service


class Command(BaseCommand):
    help = (
        "Rebuild the AI knowledge index with zero downtime: fill a NEW versioned collection (reusing cached "
        "embeddings), switch searches to it atomically, re-sync changes made meanwhile, drop the old one. "
        "Runs here, in the foreground; the Celery task ai_assistant.rebuild_index does the same in a worker."
    )

    def handle(self, *args, **options) -> None:
        def progress(event: dict) -> None:
            self.stdout.write(f"  {event['message']}")

        try:
            result = get_index_service().rebuild_index(progress=progress)
        except RebuildInProgress as exc:
            raise CommandError(str(exc)) from exc
        except TransientIndexError as exc:
            raise CommandError(f"The vector store or embedding provider is unreachable: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebuilt {result['collection']}: {result['documents']} documents, {result['embedded']} embedded, "
                f"{result['resynced']} re-synced after the switch, in {result['seconds']} s."
            )
        )
