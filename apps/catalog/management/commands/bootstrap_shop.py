"""`manage.py bootstrap_shop`: what `make run` does before it starts the processes."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from apps.catalog.services.bootstrap import bootstrap_shop


class Command(BaseCommand):
    help = (
        "Prepare the shop to run (idempotent): migrate, create the cache table, collect static files, load "
        "the demo catalog if the catalog is empty, and on first run create the superuser 'admin' with a random "
        "password that is printed once and saved in var/admin_password.txt (mode 600)."
    )

    def handle(self, *args, **options) -> None:
        bootstrap_shop(say=self.stdout.write)
