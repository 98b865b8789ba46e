"""compose.yaml hands each service only the variables it needs, checked by the real compose binary.

The project is a copy of compose.yaml beside a .env holding every secret plus one the shop never uses, the way
an operator fills it from deploy/production.env.example: compose reads it for ${...}, no service gets it whole.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.auto_index.test_deployment import compose_binary

ROOT = Path(__file__).resolve().parents[2]
DOTENV = {
    "POSTGRES_PASSWORD": "pg-secret",
    "DJANGO_SECRET_KEY": "dj-secret",
    "FLOWER_BASIC_AUTH": "ops:fl-secret",
    "OPENAI_API_KEY": "sk-secret",
    "UNRELATED_TOKEN": "other-secret",
    "SHOP_CURRENCY": "CHF",
}
SECRET_VALUES = {"pg-secret", "dj-secret", "ops:fl-secret", "sk-secret", "other-secret"}


@pytest.fixture(scope="module")
def services(tmp_path_factory) -> dict:
    project = tmp_path_factory.mktemp("compose-project")
    shutil.copy(ROOT / "compose.yaml", project / "compose.yaml")
    (project / ".env").write_text("".join(f"{k}={v}\n" for k, v in DOTENV.items()))
    result = subprocess.run(
        [compose_binary(), "-f", str(project / "compose.yaml"), "config", "--format", "json"],
        cwd=project,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(project)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["services"]


def _secrets_in(service: dict) -> set[str]:
    values = {str(v) for v in (service.get("environment") or {}).values()}
    return {secret for secret in SECRET_VALUES if any(secret in value for value in values)}


def test_chroma_and_redis_get_no_secret(services):
    for name in ("chroma", "redis"):
        assert _secrets_in(services[name]) == set(), name
    assert (services["chroma"].get("environment") or {}) == {}


def test_no_service_gets_the_whole_env_file(services):
    for name, service in services.items():
        assert "UNRELATED_TOKEN" not in (service.get("environment") or {}), name
        assert not service.get("env_file"), name


def test_each_secret_goes_only_where_it_is_used(services):
    assert {name for name, s in services.items() if "ops:fl-secret" in _secrets_in(s)} == {"flower"}
    assert {name for name, s in services.items() if "sk-secret" in _secrets_in(s)} == {"web", "celery", "bootstrap"}
    assert {name for name, s in services.items() if "dj-secret" in _secrets_in(s)} == {
        "web", "celery", "celery-beat", "flower", "bootstrap"
    }
    assert services["db"]["environment"]["POSTGRES_PASSWORD"] == "pg-secret"


def test_the_env_file_still_configures_the_app(services):
    for name in ("web", "celery", "celery-beat", "flower", "bootstrap"):
        assert services[name]["environment"]["SHOP_CURRENCY"] == "CHF", name


RABBIT_SECRET = "rq-secret"
RABBIT_URL = f"amqp://marcus:{RABBIT_SECRET}@rabbitmq:5672/marcus"
APP = {"web", "celery", "celery-beat", "flower", "bootstrap"}


@pytest.fixture(scope="module")
def rabbit_services(tmp_path_factory) -> dict:
    """The project with the rabbitmq profile on, its password and the broker URL in .env (docs/operations.md)."""
    return _config(
        tmp_path_factory.mktemp("compose-rabbit"),
        {**DOTENV, "RABBITMQ_PASS": RABBIT_SECRET, "CELERY_BROKER_URL": RABBIT_URL},
        "--profile",
        "rabbitmq",
    )


def _config(project: Path, dotenv: dict[str, str], *args: str) -> dict:
    shutil.copy(ROOT / "compose.yaml", project / "compose.yaml")
    (project / ".env").write_text("".join(f"{k}={v}\n" for k, v in dotenv.items()))
    result = subprocess.run(
        [compose_binary(), "-f", str(project / "compose.yaml"), *args, "config", "--format", "json"],
        cwd=project,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(project)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["services"]


def test_rabbitmq_runs_only_with_its_profile(services, rabbit_services):
    assert "rabbitmq" not in services
    assert rabbit_services["rabbitmq"]["image"].startswith("rabbitmq:")
    assert rabbit_services["rabbitmq"]["environment"] == {
        "RABBITMQ_DEFAULT_USER": "marcus",
        "RABBITMQ_DEFAULT_PASS": RABBIT_SECRET,
        "RABBITMQ_DEFAULT_VHOST": "marcus",
    }


def test_the_app_uses_rabbitmq_when_the_broker_url_says_amqp(services, rabbit_services):
    for name in APP:
        assert rabbit_services[name]["environment"]["CELERY_BROKER_URL"] == RABBIT_URL, name
        assert services[name]["environment"]["CELERY_BROKER_URL"] == "", name  # blank: the broker is Redis
    # The password reaches RabbitMQ and the processes that hold the broker URL, nothing else.
    holders = {name for name, s in rabbit_services.items() if RABBIT_SECRET in str(s.get("environment") or {})}
    assert holders == APP | {"rabbitmq"}


def test_the_app_waits_for_rabbitmq_only_when_it_is_started(rabbit_services):
    for name in APP:
        dependency = rabbit_services[name]["depends_on"]["rabbitmq"]
        assert dependency == {"condition": "service_healthy", "required": False}, name
    assert rabbit_services["rabbitmq"]["healthcheck"]["test"][:2] == ["CMD", "rabbitmq-diagnostics"]


def test_rabbitmq_refuses_to_start_without_its_password(rabbit_services):
    entrypoint = rabbit_services["rabbitmq"]["entrypoint"]
    script = entrypoint[2].replace("$$", "$")  # compose turns $$ into $ when it runs the container
    empty = subprocess.run(
        ["sh", "-c", script], env={"PATH": "/usr/bin:/bin", "RABBITMQ_DEFAULT_PASS": ""}, capture_output=True, text=True
    )
    assert empty.returncode == 1 and "set RABBITMQ_PASS" in empty.stderr
    given = subprocess.run(
        ["sh", "-c", script],
        env={"PATH": "/usr/bin:/bin", "RABBITMQ_DEFAULT_PASS": "x"},
        capture_output=True,
        text=True,
    )
    assert given.returncode == 127 and "docker-entrypoint.sh" in given.stderr  # went on to the image's entrypoint
