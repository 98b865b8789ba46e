"""Who can reach what: public AI endpoints are throttled per client, the admin and index administration need
an account, Flower (compose) runs with basic auth only."""

from __future__ import annotations

import itertools
import json
import os

import pytest

from tests.auto_index.test_deployment import ROOT, SECRETS, run_compose

pytestmark = pytest.mark.django_db
_addresses = itertools.count(1)


@pytest.fixture
def client_ip() -> str:
    """An address of this test alone: throttle counters live in the shared cache."""
    n = next(_addresses)
    return f"10.{200 + os.getpid() % 50}.{n // 250}.{n % 250 + 1}"


@pytest.fixture
def low_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"ai_search": "3/min", "ai_chat": "2/min"},
    }


# Throttling runs before the view validates anything: invalid requests count too, and need no index.
ENDPOINTS = [
    ("get", "/api/ai-assistant/search", {}, 3),
    ("post", "/api/ai-assistant/chat", {}, 2),
]


@pytest.mark.parametrize(("method", "path", "body", "allowed"), ENDPOINTS)
def test_public_ai_endpoints_are_throttled_per_client(api_client, low_rates, client_ip, method, path, body, allowed):
    call = getattr(api_client, method)
    for _ in range(allowed):
        assert call(path, body, format="json", REMOTE_ADDR=client_ip).status_code == 400
    throttled = call(path, body, format="json", REMOTE_ADDR=client_ip)
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    other = call(path, body, format="json", REMOTE_ADDR=client_ip.rsplit(".", 1)[0] + ".250")
    assert other.status_code == 400  # another client has its own budget


def test_the_admin_asks_for_a_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/ai-assistant/index/status"),
        ("post", "/api/ai-assistant/index/rebuild"),
        ("post", "/api/ai-assistant/index/update"),
        ("get", "/api/ai-assistant/tasks/0b13d3b6-191b-40e5-81c3-f5efa68619fa"),
    ],
)
def test_index_administration_needs_staff(api_client, user_client, method, path):
    assert getattr(api_client, method)(path).status_code == 401
    assert getattr(user_client, method)(path).status_code == 403


def test_flower_runs_with_basic_auth_from_the_environment(tmp_path):
    result = run_compose(tmp_path, SECRETS, "--format", "json")
    assert result.returncode == 0, result.stderr
    flower = json.loads(result.stdout)["services"]["flower"]
    assert flower["environment"]["FLOWER_BASIC_AUTH"] == SECRETS["FLOWER_BASIC_AUTH"]
    # The credential is only ever interpolated from the environment, never written in the file.
    assert "FLOWER_BASIC_AUTH: ${FLOWER_BASIC_AUTH:?" in (ROOT / "compose.yaml").read_text()
