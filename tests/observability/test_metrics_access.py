"""Who may read /metrics: staff (session or token) or a client inside METRICS_ALLOWED_IPS (NUM_PROXIES-aware)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import Client
from rest_framework.authtoken.models import Token

OUTSIDE = "203.0.113.7"


@pytest.fixture
def restricted(settings):
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1/32", "10.0.0.0/8"]
    return settings


def test_allowed_network_reads_the_metrics_without_login(db, restricted):
    response = Client().get("/metrics", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b"marcus_index_outbox_pending" in response.content


def test_anonymous_outside_the_networks_gets_403(db, restricted):
    assert Client().get("/metrics", REMOTE_ADDR=OUTSIDE).status_code == 403


def test_staff_session_and_staff_token_read_from_anywhere(db, restricted, django_user_model):
    staff = django_user_model.objects.create_user(username="ops", is_staff=True)
    session = Client()
    session.force_login(staff)
    assert session.get("/metrics", REMOTE_ADDR=OUTSIDE).status_code == 200
    token = Token.objects.create(user=staff).key
    assert Client().get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=f"Token {token}").status_code == 200


def test_a_customer_account_or_a_bad_token_is_refused(db, restricted, django_user_model):
    customer = django_user_model.objects.create_user(username="customer")
    client = Client()
    client.force_login(customer)
    assert client.get("/metrics", REMOTE_ADDR=OUTSIDE).status_code == 403
    assert Client().get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Token nope").status_code == 403


def test_x_forwarded_for_counts_only_behind_our_proxies(db, restricted, settings):
    forged = {"REMOTE_ADDR": OUTSIDE, "HTTP_X_FORWARDED_FOR": "10.9.9.9"}
    # NUM_PROXIES = 0: anyone can write the header, it is ignored.
    assert Client().get("/metrics", **forged).status_code == 403
    settings.REST_FRAMEWORK = {**django_settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    # One proxy of ours: the address it saw (the header's last entry) is the client's.
    assert Client().get("/metrics", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 200
    assert Client().get("/metrics", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=OUTSIDE).status_code == 403


def test_only_get(db):
    assert Client().post("/metrics").status_code == 405


def test_a_malformed_network_stops_the_start_naming_the_variable(tmp_path):
    env = {"METRICS_ALLOWED_IPS": "10.0.0.0/8,not-a-network", "MARCUS_VAR_DIR": str(tmp_path), "PATH": "/usr/bin"}
    result = subprocess.run(
        [sys.executable, "-c", "import ecommerce_backend.settings"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "METRICS_ALLOWED_IPS" in result.stderr and "not-a-network" in result.stderr
