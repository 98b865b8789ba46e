"""Throttles key on the real client address (NUM_PROXIES), and let requests through when the cache is down.

Found by the attack run: rotating X-Forwarded-For gave unlimited searches and chats (DRF keyed on the whole
header), and with Redis down search and chat were 500s (the throttle's cache error was not handled).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings

from ecommerce_backend.devservers import free_port
from tests.hardening.addresses import new_address

pytestmark = pytest.mark.django_db

# Throttling runs before the view validates anything: an empty request counts, and needs no index.
ENDPOINTS = [("get", "/api/ai-assistant/search"), ("post", "/api/ai-assistant/chat")]
LIMIT = 3


@pytest.fixture
def low_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"ai_search": f"{LIMIT}/min", "ai_chat": f"{LIMIT}/min"},
    }
    return settings


def _settings_in_a_new_process(**env: str) -> subprocess.CompletedProcess:
    code = (
        "import django; django.setup(); from django.conf import settings; print(settings.REST_FRAMEWORK['NUM_PROXIES'])"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "ecommerce_backend.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_rotating_x_forwarded_for_does_not_reset_the_limit(api_client, low_rates, method, path):
    """NUM_PROXIES=0 (the default): the address is REMOTE_ADDR, whatever X-Forwarded-For says."""
    assert django_settings.REST_FRAMEWORK["NUM_PROXIES"] == 0
    call = getattr(api_client, method)
    address = new_address()
    codes = [
        call(path, {}, format="json", REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR=new_address()).status_code
        for _ in range(LIMIT + 2)
    ]
    assert codes == [400] * LIMIT + [429, 429]
    assert call(path, {}, format="json", REMOTE_ADDR=new_address()).status_code == 400  # others keep their budget


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_behind_one_proxy_the_address_the_proxy_saw_is_the_key(api_client, low_rates, method, path):
    """NUM_PROXIES=1: the last X-Forwarded-For entry (written by our proxy) is the client; what the client wrote
    in front of it is ignored, and two clients behind the same proxy have a budget each."""
    low_rates.REST_FRAMEWORK = {**low_rates.REST_FRAMEWORK, "NUM_PROXIES": 1}
    call = getattr(api_client, method)
    proxy, client, other = new_address(), new_address(), new_address()
    codes = [
        call(path, {}, format="json", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"{new_address()}, {client}").status_code
        for _ in range(LIMIT + 1)
    ]
    assert codes == [400] * LIMIT + [429]
    assert call(path, {}, format="json", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=other).status_code == 400


def test_num_proxies_comes_from_the_environment_and_is_checked_at_start():
    assert _settings_in_a_new_process(NUM_PROXIES="2").stdout.split() == ["2"]
    for bad in ("-1", "one", "1.5"):
        started = _settings_in_a_new_process(NUM_PROXIES=bad)
        assert started.returncode != 0
        assert "NUM_PROXIES must be an integer >= 0" in started.stderr


@pytest.fixture
def cache_down(settings):
    """The Django cache on a port where nothing listens (a Redis that is stopped)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
    return settings


def test_with_the_cache_down_search_and_chat_are_served_and_one_warning_is_logged(api_client, cache_down, caplog):
    caplog.set_level(logging.WARNING, logger="ecommerce_backend.throttling")
    codes = [api_client.get("/api/ai-assistant/search", {}).status_code for _ in range(2)]
    codes += [api_client.post("/api/ai-assistant/chat", {}, format="json").status_code for _ in range(2)]
    assert codes == [400, 400, 400, 400]  # the views ran: the empty requests were validated
    warnings = [r for r in caplog.records if r.name == "ecommerce_backend.throttling"]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert warnings[0].levelno == logging.WARNING and warnings[0].exc_info is None
    assert "cache is unreachable" in warnings[0].getMessage()
