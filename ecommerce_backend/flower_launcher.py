"""Start Flower for `make run`: on 127.0.0.1 only, behind HTTP basic auth.

The credentials are FLOWER_BASIC_AUTH (`user:password`) when set; otherwise user `admin` with a password
generated on the first start, printed once and kept in var/flower_password.txt (readable only by its owner),
as `bootstrap_shop` does for the admin's password. Flower can revoke tasks and stop workers: never without auth.

    python -m ecommerce_backend.flower_launcher      (the Procfile's `flower` line; FLOWER_PORT, default 5555)
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from ecommerce_backend.env import env_int, env_str

USER = "admin"


def password_file(var_dir: Path) -> Path:
    return var_dir / "flower_password.txt"


def basic_auth(var_dir: Path, say=print) -> str:
    """`user:password` for Flower: FLOWER_BASIC_AUTH, else the kept (or a new, announced) generated password."""
    given = env_str("FLOWER_BASIC_AUTH", "")
    if given:
        user, _, password = given.partition(":")
        if not user or not password:
            raise ImproperlyConfigured("FLOWER_BASIC_AUTH must be user:password, both non-empty")
        return given
    path = password_file(var_dir)
    if path.exists():
        say(f"Flower: user '{USER}', its password is in {path}.")
        return f"{USER}:{path.read_text().strip()}"
    password = secrets.token_urlsafe(18)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
    say(f"Flower: user '{USER}', password: {password}\n  (shown once; also saved in {path}, readable only by you).")
    return f"{USER}:{password}"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecommerce_backend.settings")
    from django.conf import settings

    port = env_int("FLOWER_PORT", 5555, minimum=1)
    os.environ["FLOWER_BASIC_AUTH"] = basic_auth(Path(settings.VAR_DIR))
    sys.stdout.flush()
    celery = str(Path(sys.executable).parent / "celery")
    # The password travels in the environment, not in argv (which `ps` shows to every user).
    os.execv(celery, [celery, "-A", "ecommerce_backend.flower_app", "flower", "--address=127.0.0.1", f"--port={port}"])


if __name__ == "__main__":
    main()
