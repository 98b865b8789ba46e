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


def _run_in_a_new_process(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run `code` after django.setup() in a fresh interpreter with `env` added: settings read at start."""
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "ecommerce_backend.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


# Through our one proxy: the client writes what it likes in front, the proxy appends the address it saw.
BEHIND_ONE_PROXY = """
import random, sys
from django.test import Client

def address():
    return ".".join(str(random.randint(1, 254)) for _ in range(4))

client, proxy, me, other = Client(), address(), address(), address()
for method, path in (("get", "/api/ai-assistant/search"), ("post", "/api/ai-assistant/chat")):
    body = {"data": "{}", "content_type": "application/json"} if method == "post" else {}
    call = getattr(client, method)
    codes = [call(path, **body, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"{address()}, {me}").status_code
             for _ in range(4)]
    codes.append(call(path, **body, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=other).status_code)
    print(path, codes)
"""


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


def test_num_proxies_from_the_environment_keys_on_the_address_our_proxy_saw():
    """NUM_PROXIES=1: the last X-Forwarded-For entry is the client, whatever it wrote in front of it, and two
    clients behind the same proxy have a budget each. (Empty requests: 400 once through the throttle.)"""
    run = _run_in_a_new_process(
        BEHIND_ONE_PROXY, NUM_PROXIES="1", AI_SEARCH_THROTTLE=f"{LIMIT}/min", AI_CHAT_THROTTLE=f"{LIMIT}/min"
    )
    assert run.returncode == 0, run.stderr[-2000:]
    expected = str([400] * LIMIT + [429, 400])
    assert run.stdout.splitlines() == [f"/api/ai-assistant/search {expected}", f"/api/ai-assistant/chat {expected}"]


def test_a_bad_num_proxies_stops_the_start():
    for bad in ("-1", "one", "1.5"):
        started = _run_in_a_new_process("", NUM_PROXIES=bad)
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
