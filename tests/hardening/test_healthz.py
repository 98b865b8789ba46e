"""/healthz tells the public ok or down per part, and nothing else; staff and the log get the details.

Found by the attack run: the public answer carried raw error texts (hosts, ports, exception names).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest
from rest_framework.authtoken.models import Token

from ecommerce_backend import health
from tests.auto_index.helpers import broker_at, dead_broker_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down(monkeypatch) -> Iterator[str]:
    """Publishing goes to a Redis port where nothing listens (a stopped Redis); the vector store check is stubbed
    to pass (no Chroma needed). Yields "127.0.0.1:<port>", which the broker's error text names."""
    monkeypatch.setitem(health.CHECKS, "vector_store", lambda: None)
    with broker_at(dead_broker_url()) as url:
        yield url.split("//", 1)[1].split("/", 1)[0]


def test_the_public_answer_says_only_ok_or_down_per_part(client, broker_down, caplog):
    caplog.set_level(logging.WARNING, logger="ecommerce_backend.health")
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started <= 2.0  # a load balancer's probe waits about that long
    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": {"ok": True}, "broker": {"ok": False}, "vector_store": {"ok": True}},
    }
    assert broker_down not in response.content.decode()
    assert broker_down in caplog.text  # the operator finds the cause in the log


def test_a_bad_token_gets_the_public_answer(client, broker_down):
    response = client.get("/healthz", HTTP_AUTHORIZATION="Token not-a-token")
    assert response.status_code == 503
    assert "error" not in response.json()["checks"]["broker"]


def test_staff_see_the_errors(client, admin_client, broker_down, admin_user, django_user_model):
    by_session = admin_client.get("/healthz").json()
    assert broker_down in by_session["checks"]["broker"]["error"]
    assert isinstance(by_session["checks"]["database"]["ms"], float)
    token = Token.objects.create(user=admin_user).key
    by_token = client.get("/healthz", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert broker_down in by_token["checks"]["broker"]["error"]
    customer = django_user_model.objects.create_user(username="customer")
    customer_token = Token.objects.create(user=customer).key
    public = client.get("/healthz", HTTP_AUTHORIZATION=f"Token {customer_token}").json()
    assert public["checks"]["broker"] == {"ok": False}
