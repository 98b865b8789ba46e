"""Compose: the web health check passes with production hosts, and Flower listens on loopback only."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ecommerce_backend.healthcheck import accepted_host
from tests.auto_index.test_deployment import SECRETS, run_compose


@pytest.fixture(scope="module")
def production_config(tmp_path_factory) -> dict:
    import json

    env = {**SECRETS, "DJANGO_ALLOWED_HOSTS": "shop.example.com,.example.com"}
    result = run_compose(tmp_path_factory.mktemp("compose"), env, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_flower_is_published_on_loopback_only(production_config):
    ports = production_config["services"]["flower"]["ports"]
    assert ports and all(p["host_ip"] == "127.0.0.1" for p in ports), ports
    assert production_config["services"]["flower"]["environment"]["FLOWER_BASIC_AUTH"] == "ops:fl"


def test_web_health_check_is_the_host_aware_probe(production_config):
    assert production_config["services"]["web"]["healthcheck"]["test"] == [
        "CMD", "python", "-m", "ecommerce_backend.healthcheck",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("allowed", "host"),
    [("shop.example.com,localhost", "shop.example.com"), (".example.com", "example.com"), ("*", "localhost"),
     ("", "localhost"), (None, "localhost")],
)  # fmt: skip
def test_accepted_host(allowed, host):
    assert accepted_host(allowed) == host


@pytest.mark.django_db(transaction=True)
@pytest.mark.integration
def test_probe_passes_against_a_site_with_production_hosts(live_server, settings, vector_index):
    settings.ALLOWED_HOSTS = ["shop.example.com"]
    url = f"{live_server.url}/healthz"
    env = {"PATH": "/usr/bin:/bin", "DJANGO_ALLOWED_HOSTS": "shop.example.com"}
    probe = [sys.executable, "-m", "ecommerce_backend.healthcheck", url]
    passed = subprocess.run(probe, env=env, capture_output=True, text=True, timeout=30, cwd=settings.BASE_DIR)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    # The old check (a bare 127.0.0.1 Host) is refused by the same site: that is what failed in compose.
    bare = subprocess.run(
        [sys.executable, "-c", f"import urllib.request; urllib.request.urlopen({url!r}, timeout=5)"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert bare.returncode != 0
