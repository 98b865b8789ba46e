"""Malformed JSON of any depth or size is a 400 (a JSON 413 past the size limit), never a 500 or an ERROR log."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from apps.catalog.api.parsers import MAX_JSON_DEPTH, json_depth_exceeds
from apps.catalog.models import Category, PartOption

pytestmark = pytest.mark.django_db

# Every endpoint that reads a body, with who may call it.
BODY_ENDPOINTS = [
    ("post", "/api/categories/", "staff"),
    ("post", "/api/configurator/quote", "anonymous"),
    ("post", "/api/ai-assistant/chat", "anonymous"),
    ("post", "/api/products/", "staff"),
    ("post", "/api/auth/token/", "anonymous"),
]


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.fixture
def clients(api_client, staff_client) -> dict:
    return {"anonymous": api_client, "staff": staff_client}


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1_500, 100_000])
@pytest.mark.parametrize(("method", "url", "who"), BODY_ENDPOINTS)
def test_deeply_nested_json_is_a_400(clients, caplog, method, url, who, depth):
    caplog.set_level(logging.WARNING)
    response = getattr(clients[who], method)(url, data=nested(depth), content_type="application/json")
    assert response.status_code == 400, response.content[:200]
    assert "nested deeper" in response.json()["detail"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(("method", "url", "who"), BODY_ENDPOINTS)
def test_a_body_over_the_limit_is_a_json_413(clients, settings, method, url, who):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = b'{"name": "' + b"x" * 20_000 + b'"}'
    response = getattr(clients[who], method)(url, data=body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "too large" in response.json()["detail"]
    assert not Category.objects.exists()


def test_a_form_body_over_the_limit_outside_drf_is_a_json_413_under_api(settings):
    # Django's own limit (RequestDataTooBig) answers through handler400: JSON 413 for the API, not an HTML page.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    settings.DEBUG = False
    response = Client(raise_request_exception=False).post(
        "/api/auth/token/", data={"username": "x" * 5_000, "password": "y"}
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "Request body too large."}


@pytest.mark.parametrize("body", [b"[NaN]", b'{"a": Infinity}', b"{", b"\xff\xfe", b'{"a": 1}}'])
def test_invalid_json_is_a_400(api_client, body):
    response = api_client.post("/api/configurator/quote", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


def test_depth_check_is_iterative_and_exact():
    assert not json_depth_exceeds(json.loads("[" * 32 + "]" * 32), 32)
    assert json_depth_exceeds({"a": [[{"b": []}]]}, 3)
    assert not json_depth_exceeds({"a": [1, 2, {"b": 3}]}, 3)


def test_minus_zero_prices_are_stored_as_zero(staff_client, bicycle_catalog):
    part = next(iter(bicycle_catalog.parts.values()))
    response = staff_client.post(
        "/api/part-options/", {"part": part.pk, "name": "Bare", "default_price": "-0"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["default_price"] == "0.00"

    stored = PartOption.objects.get(pk=response.json()["id"]).default_price
    assert not stored.is_signed()


def test_minus_zero_prices_are_zero_in_the_admin_path_too(bicycle_catalog):
    # The rule lives in the model field: a full_clean (admin forms) and a save both drop the sign.
    option = PartOption(part=next(iter(bicycle_catalog.parts.values())), name="Bare", default_price="-0.00")
    option.full_clean()
    option.save()
    option.refresh_from_db()
    assert str(option.default_price) == "0.00"
