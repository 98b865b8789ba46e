"""`manage.py ai_index_status`: what the AI knowledge index holds and whether it is behind."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser

from apps.ai_assistant.services.index_service import get_index_service


class Command(BaseCommand):
    help = (
        "Show the AI knowledge index: active collection, documents, embedding model, pending changes, "
        "last update and rebuild, whether a rebuild runs or is needed (the embedding settings changed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON object instead of lines")

    def handle(self, *args, **options) -> None:
        status = get_index_service().status()
        if options["json"]:
            self.stdout.write(json.dumps(status, default=str, indent=2))
            return
        width = max(len(key) for key in status)
        for key, value in status.items():
            self.stdout.write(f"{key.ljust(width)}  {'' if value is None else value}")
        if status["rebuild_needed"]:
            self.stdout.write(
                self.style.WARNING("The embedding settings differ from the active collection: run rebuild_ai_index.")
            )
