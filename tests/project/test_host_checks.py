"""The host-independence check (ecommerce_backend/checks.py): on a multi-host deployment, one warning for each
mechanism that lives on one host; none on the embedded single-host default, none on a shared setup."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks

from ecommerce_backend.checks import TAG, check_host_independence, is_local_host, is_multi_host

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = {"ENGINE": "django.db.backends.postgresql", "NAME": "shop", "HOST": "db.internal", "PORT": "5432"}
SQLITE = {"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/var/db.sqlite3"}
# The check only reads settings.DATABASES; no test here opens a connection with the overridden value.
pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES:UserWarning")
REDIS_CACHE = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://r.internal/0"}}


@pytest.fixture
def shared(settings, tmp_path):
    """A multi-host setup that relies on nothing local: each test breaks one part of it."""
    settings.MULTI_HOST = True
    settings.DEBUG = False
    settings.VAR_DIR = tmp_path
    settings.DATABASES = {"default": POSTGRES}
    settings.CACHES = REDIS_CACHE
    settings.CELERY_BROKER_URL = "amqp://shop:pw@mq.internal:5672/shop"
    settings.CELERY_RESULT_BACKEND = "redis://r.internal/0"
    settings.CHROMA_URL = "http://chroma.internal:8000"
    settings.SECRET_KEY = "a-key-shared-by-every-host-" + "x" * 30
    return settings


def ids(messages) -> list[str]:
    return sorted(message.id for message in messages)


def test_a_shared_setup_gets_no_warning(shared):
    assert check_host_independence() == []


def test_sqlite_is_a_host_local_database(shared):
    shared.DATABASES = {"default": SQLITE}
    assert ids(check_host_independence()) == ["marcus.W001"]


def test_the_filesystem_broker_is_host_local(shared):
    shared.CELERY_BROKER_URL = "filesystem://localhost//"
    assert ids(check_host_independence()) == ["marcus.W002"]


def test_results_in_a_sqlite_file_are_host_local(shared):
    shared.CELERY_RESULT_BACKEND = "db+sqlite:////srv/var/celery-results.sqlite3"
    assert ids(check_host_independence()) == ["marcus.W003"]


@pytest.mark.parametrize("backend", ["locmem.LocMemCache", "filebased.FileBasedCache", "dummy.DummyCache"])
def test_a_process_or_host_cache_is_local(shared, backend):
    shared.CACHES = {"default": {"BACKEND": f"django.core.cache.backends.{backend}", "LOCATION": "/tmp/c"}}
    messages = check_host_independence()
    assert ids(messages) == ["marcus.W004"]
    assert "debounce" in messages[0].msg


def test_the_database_cache_on_a_shared_database_is_fine(shared):
    shared.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "t"}}
    assert check_host_independence() == []


def test_the_secret_key_generated_into_var_is_host_local(shared, tmp_path):
    (tmp_path / "secret_key").write_text(shared.SECRET_KEY + "\n")
    assert ids(check_host_independence()) == ["marcus.W005"]


def test_a_generated_file_that_is_not_the_key_in_use_is_ignored(shared, tmp_path):
    (tmp_path / "secret_key").write_text("an-old-key-of-make-run")
    assert check_host_independence() == []


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("CHROMA_URL", "http://127.0.0.1:8001"),
        ("CELERY_BROKER_URL", "redis://localhost:6379/0"),
        ("CELERY_RESULT_BACKEND", "redis://[::1]:6379/0"),
        ("CACHES", {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "unix:///r"}}),
        ("DATABASES", {"default": {**POSTGRES, "HOST": ""}}),  # a Unix socket of this host
    ],
)
def test_a_shared_service_on_a_loopback_address_is_reached_per_host(shared, setting, value):
    setattr(shared, setting, value)
    messages = check_host_independence()
    assert ids(messages) == ["marcus.W006"]
    assert "loopback" in messages[0].msg


def test_everything_local_at_once_is_every_warning(shared, tmp_path):
    shared.DATABASES = {"default": SQLITE}
    shared.CELERY_BROKER_URL = "filesystem://localhost//"
    shared.CELERY_RESULT_BACKEND = "db+sqlite:////srv/var/celery-results.sqlite3"
    shared.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    (tmp_path / "secret_key").write_text(shared.SECRET_KEY)
    shared.CHROMA_URL = "http://localhost:8001"
    assert ids(check_host_independence()) == [f"marcus.W00{n}" for n in range(1, 7)]


def test_a_single_host_setup_is_not_checked(shared):
    shared.MULTI_HOST = False
    shared.DATABASES = {"default": SQLITE}
    shared.CELERY_BROKER_URL = "filesystem://localhost//"
    assert check_host_independence() == []


@pytest.mark.parametrize(
    ("multi_host", "debug", "host", "expected"),
    [
        (None, False, "db.internal", True),  # production with a database server elsewhere
        (None, True, "db.internal", False),  # a developer's DEBUG run
        (None, False, "127.0.0.1", False),  # everything on this machine
        (True, False, "127.0.0.1", True),  # said so
        (False, False, "db.internal", False),  # said otherwise
    ],
)
def test_multi_host_is_assumed_without_debug_and_with_a_remote_database(settings, multi_host, debug, host, expected):
    settings.MULTI_HOST, settings.DEBUG = multi_host, debug
    settings.DATABASES = {"default": {**POSTGRES, "HOST": host}}
    assert is_multi_host() is expected


@pytest.mark.parametrize(
    ("host", "local"),
    [("", True), ("/var/run/postgresql", True), ("localhost", True), ("127.0.0.2", True), ("::1", True),
     ("[::1]", True), ("10.0.0.5", False), ("db", False)],
)
def test_local_hosts(host, local):
    assert is_local_host(host) is local


def test_the_check_is_registered_under_its_tag(shared):
    shared.DATABASES = {"default": SQLITE}
    assert "marcus.W001" in ids(run_checks(tags=[TAG]))


def _check_command(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "CELERY_", "CHROMA_"))}
    keep.pop("DJANGO_SECRET_KEY", None)
    keep.update({"MARCUS_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "ecommerce_backend.settings", **env})
    command = [sys.executable, "manage.py", "check", "--tag", TAG]
    return subprocess.run(command, cwd=ROOT, env=keep, capture_output=True, text=True, timeout=120)


def test_manage_py_check_warns_for_make_run_defaults_declared_multi_host(tmp_path):
    result = _check_command(tmp_path, MULTI_HOST="true")
    assert result.returncode == 0, result.stderr  # warnings, not errors: the start goes on
    for warning in ("W001", "W002", "W003", "W005", "W006"):
        assert f"marcus.{warning}" in result.stderr, result.stderr


def test_manage_py_check_is_quiet_for_the_compose_setup(tmp_path):
    """compose.yaml's services: PostgreSQL, Redis and Chroma on their own hosts, DJANGO_SECRET_KEY set."""
    result = _check_command(
        tmp_path,
        DATABASE_URL="postgres://marcus:pw@db:5432/marcus",
        REDIS_URL="redis://redis:6379/0",
        CHROMA_URL="http://chroma:8000",
        DJANGO_SECRET_KEY="compose-" + "k" * 50,
        DJANGO_DEBUG="0",
    )
    assert result.returncode == 0, result.stderr
    assert "marcus." not in result.stderr + result.stdout
    assert "no issues" in result.stdout
