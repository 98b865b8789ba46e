"""System checks of ours: warn when a shop run on several hosts would rely on something that lives on one host.

The embedded single-host default of `make run` keeps its state on this machine: the SQLite database (and with
it the index write lock, a file lock beside it: apps/ai_assistant/indexing/lock.py), the filesystem broker
and the result file under var/, the secret key generated into var/secret_key. Several web and worker hosts
need shared services instead: PostgreSQL, Redis or RabbitMQ, a Chroma server. docs/operations.md lists every
per-process and per-host mechanism and why the rest are safe.

Whether this is a multi-host deployment: settings.MULTI_HOST (env MULTI_HOST), or when it is unset: DEBUG off
and a database on another host. Then `manage.py check` (and every command that runs the checks) warns:

- marcus.W001  the database is SQLite;
- marcus.W002  the broker is the filesystem broker;
- marcus.W003  Celery results go to a local SQLite file (no REDIS_URL);
- marcus.W004  the cache lives in one process or on one host (locmem, file, dummy);
- marcus.W005  the secret key is the one generated into var/secret_key (no DJANGO_SECRET_KEY);
- marcus.W006  a shared service (database, cache, broker, result backend, Chroma) is on a loopback address.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register

from ecommerce_backend.broker import broker_kind

TAG = "hosts"
LOCAL_CACHE_BACKENDS = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.filebased.FileBasedCache",
    "django.core.cache.backends.dummy.DummyCache",
}
# URL schemes that name a socket or file on this host whatever their "host" part says.
LOCAL_SCHEMES = {"unix", "redis+socket", "filesystem", "memory", "sqlite"}


def is_local_host(host: str | None) -> bool:
    """Whether `host` means this machine: empty (a Unix socket), a socket path, localhost or a loopback IP."""
    if not host or host.startswith("/") or host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: another host as far as this check can tell


def _url_is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme.removeprefix("db+") in LOCAL_SCHEMES or is_local_host(parts.hostname)


def is_multi_host() -> bool:
    """settings.MULTI_HOST, or when unset: DEBUG off and a PostgreSQL database on another host."""
    explicit = getattr(settings, "MULTI_HOST", None)
    if explicit is not None:
        return bool(explicit)
    database = settings.DATABASES["default"]
    return not settings.DEBUG and "sqlite" not in database["ENGINE"] and not is_local_host(database.get("HOST"))


def _database_warnings() -> list[CheckMessage]:
    database = settings.DATABASES["default"]
    if "sqlite" in database["ENGINE"]:
        return [
            Warning(
                "The database is a SQLite file: only processes of this host can open it, and the index write lock "
                "is then a file lock that only they see.",
                hint="Set DATABASE_URL=postgres://... (one PostgreSQL server for every host).",
                id="marcus.W001",
            )
        ]
    if is_local_host(database.get("HOST")):
        return [_loopback("the database", "DATABASE_URL")]
    return []


def _broker_warnings() -> list[CheckMessage]:
    found: list[CheckMessage] = []
    broker_url = str(settings.CELERY_BROKER_URL)
    if broker_kind(broker_url) == "filesystem":
        found.append(
            Warning(
                "Celery's broker is the embedded filesystem broker (folders under var/broker): workers on other "
                "hosts never see the tasks queued here.",
                hint="Set CELERY_BROKER_URL=amqp://... (RabbitMQ) or REDIS_URL=redis://... (docs/operations.md).",
                id="marcus.W002",
            )
        )
    elif _url_is_local(broker_url):
        found.append(_loopback("Celery's broker", "CELERY_BROKER_URL or REDIS_URL"))
    backend = str(getattr(settings, "CELERY_RESULT_BACKEND", ""))
    if backend.startswith("db+sqlite"):
        found.append(
            Warning(
                "Celery results go to a SQLite file under var/: a task's status is unknown to the other hosts.",
                hint="Set REDIS_URL=redis://... (results stay on Redis whatever the broker).",
                id="marcus.W003",
            )
        )
    elif backend and _url_is_local(backend) and backend != broker_url:
        found.append(_loopback("Celery's result backend", "REDIS_URL"))
    return found


def _cache_warnings() -> list[CheckMessage]:
    found: list[CheckMessage] = []
    for alias, cache in settings.CACHES.items():
        backend = cache.get("BACKEND", "")
        if backend in LOCAL_CACHE_BACKENDS:
            found.append(
                Warning(
                    f"The cache {alias!r} ({backend.rsplit('.', 1)[-1]}) lives in one process or on one host: "
                    "throttles, the login lockout and the index flush's debounce mark would not be shared.",
                    hint="Set REDIS_URL=redis://..., or leave CACHES to settings.py (the database cache).",
                    id="marcus.W004",
                )
            )
        elif "RedisCache" in backend and _locations_local(cache.get("LOCATION")):
            found.append(_loopback(f"the cache {alias!r}", "REDIS_URL"))
    return found


def _locations_local(location: Any) -> bool:
    locations = location if isinstance(location, list | tuple) else [location]
    return any(isinstance(url, str) and _url_is_local(url) for url in locations)


def _secret_key_warnings() -> list[CheckMessage]:
    generated = Path(settings.VAR_DIR) / "secret_key"
    try:
        from_file = generated.read_text().strip() == settings.SECRET_KEY
    except OSError:
        return []
    if not from_file:
        return []
    return [
        Warning(
            f"The secret key is the one generated into {generated}: every host makes its own, so sessions, "
            "password-reset links and signed values of one host are refused by the others.",
            hint="Set DJANGO_SECRET_KEY to one secret shared by every host.",
            id="marcus.W005",
        )
    ]


def _chroma_warnings() -> list[CheckMessage]:
    if _url_is_local(settings.CHROMA_URL):
        return [_loopback("the Chroma server", "CHROMA_URL")]
    return []


def _loopback(what: str, variable: str) -> CheckMessage:
    return Warning(
        f"{what[0].upper()}{what[1:]} is on a loopback address: each host would reach a server of its own.",
        hint=f"Set {variable} to an address every host reaches (ignore this if a local proxy forwards it).",
        id="marcus.W006",
    )


@register(TAG)
def check_host_independence(app_configs=None, **kwargs) -> list[CheckMessage]:
    """On a multi-host deployment: a warning for every mechanism that lives on one host."""
    if not is_multi_host():
        return []
    return [
        *_database_warnings(),
        *_broker_warnings(),
        *_cache_warnings(),
        *_secret_key_warnings(),
        *_chroma_warnings(),
    ]
