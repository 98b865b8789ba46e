"""First-run and every-run setup of `make run`: schema, cache table, static files, demo catalog, admin account.

Idempotent: a later run migrates what is new and reports where the admin password is, nothing more.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from apps.catalog.models import Category
from apps.catalog.services.demo_catalog import load_demo_catalog
from apps.catalog.signals import shop_bootstrapped

ADMIN_USERNAME = "admin"


@dataclass
class BootstrapResult:
    demo_loaded: bool
    admin_created: bool
    password_file: Path


def password_file() -> Path:
    return Path(settings.VAR_DIR) / "admin_password.txt"


def _write_secret(path: Path, text: str) -> None:
    """Write a file only its owner can read, without a moment where it is readable by others."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text + "\n")
    os.chmod(path, 0o600)  # an existing file keeps its old mode on open(); set it explicitly


def ensure_admin_user() -> str | None:
    """Create the `admin` superuser on first run; returns its new password, or None if it already existed."""
    User = get_user_model()
    if User.objects.filter(username=ADMIN_USERNAME).exists():
        return None
    password = secrets.token_urlsafe(18)
    with transaction.atomic():
        User.objects.create_superuser(username=ADMIN_USERNAME, email="", password=password)
        # Written inside the transaction: if the file cannot be written, no account with an unknown password exists.
        _write_secret(password_file(), password)
    return password


def bootstrap_shop(say: Callable[[str], None] = print) -> BootstrapResult:
    """Migrate, create the cache table, collect static files, seed an empty catalog and create the admin."""
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    say("Database migrated, cache table and static files ready.")

    demo_loaded = False
    if not Category.objects.exists():
        counts = load_demo_catalog()
        demo_loaded = True
        say(f"Empty catalog: loaded the demo ({counts['categories']} categories, {counts['products']} products).")

    password = ensure_admin_user()
    path = password_file()
    if password is not None:
        say(
            f"Created the superuser '{ADMIN_USERNAME}' with password: {password}\n"
            f"  (shown once; also saved in {path}, readable only by you). Sign in at /admin/."
        )
    elif path.exists():
        say(f"Superuser '{ADMIN_USERNAME}' exists; its first-run password is in {path}.")
    else:
        say(f"Superuser '{ADMIN_USERNAME}' exists (its password was not set by bootstrap_shop).")

    _after_bootstrap()
    return BootstrapResult(demo_loaded=demo_loaded, admin_created=password is not None, password_file=path)


def _after_bootstrap(say: Callable[[str], None] = print) -> None:
    """Tell the apps that follow the first start (the AI index queues its first build when it has none)."""
    shop_bootstrapped.send(sender=None, say=say)
