"""Production settings: deploy/production.env.example passes `manage.py check --deploy`, and what that check
cannot see: CORS limited to listed origins, /healthz reachable over plain http behind the HTTPS redirect,
the admin and Flower behind authentication, the public AI endpoints throttled, no secret in the example.

The production environment is loaded in a SUBPROCESS (settings are read once per process); its secrets come
from the test, as they would come from a secret store.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
EXAMPLE = ROOT / "deploy" / "production.env.example"
SECRET_NAMES = {"DJANGO_SECRET_KEY", "POSTGRES_PASSWORD", "DATABASE_URL", "OPENAI_API_KEY", "FLOWER_BASIC_AUTH"}
REQUIRED = {
    "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DJANGO_CSRF_TRUSTED_ORIGINS", "DJANGO_SECURE_SSL_REDIRECT",
    "DJANGO_SECURE_COOKIES", "DJANGO_HSTS_SECONDS", "DJANGO_BEHIND_PROXY", "CORS_ALLOWED_ORIGINS", "DATABASE_URL",
    "REDIS_URL", "CHROMA_URL", "EMBEDDING_PROVIDER", "AI_SEARCH_THROTTLE", "AI_CHAT_THROTTLE", "FLOWER_BASIC_AUTH",
    "POSTGRES_PASSWORD",
}  # fmt: skip


def read_example() -> dict[str, str]:
    values = {}
    for line in EXAMPLE.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def production_env(tmp_path: Path) -> dict[str, str]:
    """The example's values, the secrets filled in here, nothing inherited from this test process but PATH."""
    env = {name: value for name, value in read_example().items() if value}
    env.update(
        {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "ecommerce_backend.settings",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            # Reachable or not does not matter to the checks below; a file keeps the subprocess self-contained.
            "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
            "REDIS_URL": "redis://127.0.0.1:1/0",  # nothing listens: health checks report it, quickly
            "CHROMA_URL": "http://127.0.0.1:1",
            "MARCUS_VAR_DIR": str(tmp_path / "var"),
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def run(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_the_example_lists_every_production_variable_and_no_secret_value():
    values = read_example()
    assert set(values) >= REQUIRED, sorted(REQUIRED - set(values))
    for name in SECRET_NAMES:
        assert values[name] == "", f"{name} must be empty in the example: secrets come from the environment"
    assert "*" not in values["CORS_ALLOWED_ORIGINS"]
    assert values["DJANGO_DEBUG"] == "0"


def test_check_deploy_is_clean_with_the_production_environment(tmp_path):
    result = run(production_env(tmp_path), "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_check_deploy_fails_without_the_production_switches(tmp_path):
    """The test above would pass vacuously if check --deploy found nothing to say anyway."""
    env = production_env(tmp_path)
    for name in ("DJANGO_SECURE_SSL_REDIRECT", "DJANGO_SECURE_COOKIES", "DJANGO_HSTS_SECONDS"):
        env.pop(name)
    result = run(env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout


PROBE = r"""
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client()
host = settings.ALLOWED_HOSTS[0]
out = {
    "debug": settings.DEBUG,
    "cors_all": getattr(settings, "CORS_ALLOW_ALL_ORIGINS", False),
    "cors_regexes": list(getattr(settings, "CORS_ALLOWED_ORIGIN_REGEXES", [])),
    "cors_origins": list(settings.CORS_ALLOWED_ORIGINS),
    "throttles": settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
    "healthz": client.get("/healthz", HTTP_HOST=host).status_code,
    "api_over_http": client.get("/api/products/", HTTP_HOST=host).status_code,
    "api_over_https_proxy": client.get("/healthz", HTTP_HOST=host, HTTP_X_FORWARDED_PROTO="https").status_code,
}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def probe(tmp_path_factory) -> dict:
    """Settings and a few requests, inside a process that runs with the production environment."""
    result = run(production_env(tmp_path_factory.mktemp("prod")), "-c", PROBE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_runs_without_debug_and_with_cors_limited_to_listed_origins(probe):
    assert probe["debug"] is False
    assert probe["cors_all"] is False and probe["cors_regexes"] == []
    assert probe["cors_origins"] == ["https://shop.example.com"]


def test_plain_http_is_redirected_except_the_health_check(probe):
    assert probe["api_over_http"] == 301
    # 503: the probe has no broker or Chroma; what matters is that it answers instead of redirecting.
    assert probe["healthz"] in (200, 503)
    assert probe["api_over_https_proxy"] in (200, 503)


def test_the_ai_endpoints_have_throttle_rates_in_production(probe):
    assert probe["throttles"] == {"ai_search": "120/min", "ai_chat": "30/min", "ai_suggest": "600/min"}
