"""Redis stopped (broker, result backend and cache): every endpoint answers within 2 s, never a 500.

Found by the attack run: search and chat were 500s (the throttle's cache error), and
POST /api/ai-assistant/index/update a 500 after 19 s (Celery retried the result backend 20 times a second apart).
Index actions that need the broker are a 503 naming no internals; everything else is still served.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import kombu.exceptions
import pytest
import redis.exceptions
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.ai_assistant.indexing import state
from apps.catalog.api.exceptions import api_exception_handler
from ecommerce_backend.devservers import free_port
from ecommerce_backend.throttling import cache_outage
from tests.hardening.addresses import new_address

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

QUICK = 2.0
UNAVAILABLE = {"detail": "A service this request needs is temporarily unavailable; try again later."}


@contextmanager
def celery_at(url: str) -> Iterator[None]:
    """Publish to and read results from `url` in this process (kombu and Celery keep per-process pools)."""
    from kombu import pools

    from ecommerce_backend.celery import app

    def forget_connections() -> None:
        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None
        if hasattr(app._local, "backend"):
            del app._local.backend

    previous = (app.conf.broker_url, app.conf.result_backend)
    forget_connections()
    app.conf.broker_url = app.conf.result_backend = url
    try:
        yield
    finally:
        forget_connections()
        app.conf.broker_url, app.conf.result_backend = previous


@pytest.fixture
def admin_api(admin_user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=admin_user).key}")
    return client


@pytest.fixture
def redis_down(settings) -> Iterator[str]:
    """Broker, result backend and cache on a port where nothing listens: a Redis that is stopped."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
    settings.OPENAI_API_KEY = ""  # the built-in chat engine
    with celery_at(url):
        yield url


def _timed(call, *args, **kwargs):
    started = time.monotonic()
    response = call(*args, **kwargs)
    return response, time.monotonic() - started


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/ai-assistant/index/update"),
        ("post", "/api/ai-assistant/index/rebuild"),
        ("get", f"/api/ai-assistant/tasks/{uuid.uuid4()}"),
    ],
)
def test_index_actions_are_quick_503s_naming_no_internals(admin_api, redis_down, method, path):
    response, elapsed = _timed(getattr(admin_api, method), path)
    assert response.status_code == 503
    assert elapsed <= QUICK
    assert response.json() == UNAVAILABLE
    assert state.running_rebuild_id() == ""  # a rebuild that was not queued frees its slot


def test_everything_else_is_served_quickly_with_redis_down(
    bicycle_catalog, vector_index, admin_api, api_client, client, admin_user, django_user_model, settings
):
    vector_index.build_index()
    user = django_user_model.objects.create_user(username=f"u{uuid.uuid4().hex[:10]}", password="pw-12345678")
    address = new_address()
    calls = {
        "search": (api_client.get, "/api/ai-assistant/search", {"q": "mountain wheels"}, 200),
        "chat": (api_client.post, "/api/ai-assistant/chat", {"message": "show me bikes"}, 200),
        "token": (api_client.post, "/api/auth/token/", {"username": user.username, "password": "pw-12345678"}, 200),
        "catalog write": (admin_api.post, "/api/categories/", {"name": "Helmets", "slug": "helmets"}, 201),
        "index status": (admin_api.get, "/api/ai-assistant/index/status", None, 200),
    }
    with celery_at(f"redis://127.0.0.1:{free_port()}/0"):
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            }
        }
        seen = {}
        for name, (call, path, body, expected) in calls.items():
            cache_outage.reset()  # each endpoint meets the dead cache itself, not the memory of the last error
            response, elapsed = _timed(call, path, body, format="json", REMOTE_ADDR=address)
            seen[name] = (response.status_code, elapsed)
            assert response.status_code == expected, (name, response.content[:300])
        cache_outage.reset()
        form = {"username": admin_user.username, "password": "password", "next": "/admin/"}
        login, elapsed = _timed(client.post, "/admin/login/", form, REMOTE_ADDR=address)
        seen["admin login"] = (login.status_code, elapsed)
        assert login.status_code == 302
    assert all(elapsed <= QUICK for _, elapsed in seen.values()), seen


@pytest.mark.parametrize(
    "error",
    [
        redis.exceptions.ConnectionError("Error 111 connecting to 10.0.0.5:6379. Connection refused."),
        redis.exceptions.TimeoutError("Timeout reading from 10.0.0.5:6379"),
        kombu.exceptions.OperationalError("Error 111 connecting to 10.0.0.5:6379. Connection refused."),
    ],
)
def test_any_broker_or_cache_error_reaching_the_api_is_a_503_naming_no_internals(error, caplog):
    """The safety net for a call the views do not guard: no 500, no host or port in the answer (the log has it)."""
    response = api_exception_handler(error, {"view": None, "request": None})
    assert response is not None and response.status_code == 503
    assert response.data == UNAVAILABLE
    assert "10.0.0.5:6379" in caplog.text
