"""Fixtures of the API fuzz tests: real services behind the Django WSGI app the fuzzer calls in-process.

Everything the endpoints touch is real: the test database with the bicycle catalog, a Chroma server with
that catalog indexed, and a PRIVATE redis-server (broker, result backend and cache) so that the rebuild and
update tasks the fuzzer queues never reach the Redis other test runs share, and throttle counters stay ours.

The catalog and its index are made once for the module (committed) and removed at its end; each generated
operation test runs in a transaction of its own on top, so what one operation's requests write is gone
before the next operation starts.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test.utils import override_settings
from rest_framework.authtoken.models import Token

from apps.catalog.api.permissions import shop_permissions
from bench.stack import RedisServer
from tests.fixtures.api import build_bicycle_catalog
from tests.fixtures.chroma import reset_index_caches

UNTHROTTLED = "1000000/min"


def point_celery_at(broker_url: str, backend_url: str) -> None:
    """Publish tasks to and read results from these URLs (kombu and Celery cache both per process)."""
    from kombu import pools

    from ecommerce_backend.celery import app

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = broker_url
    app.conf.result_backend = backend_url
    if hasattr(app._local, "backend"):
        del app._local.backend


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker, chroma_server) -> Iterator[dict]:
    """Private Redis, unthrottled AI endpoints, a Chroma collection prefix of this module, an indexed catalog."""
    from django.conf import settings

    from apps.ai_assistant.services.index_service import get_index_service
    from ecommerce_backend.celery import app

    redis = RedisServer().start()
    previous = (app.conf.broker_url, app.conf.result_backend)
    overrides = override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis.url(1)}},
        REST_FRAMEWORK={
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"ai_search": UNTHROTTLED, "ai_chat": UNTHROTTLED},
        },
        AI_INDEX_AUTO_UPDATE=True,
        OPENAI_API_KEY="",  # the built-in chat engine: no network
        CHROMA_URL=chroma_server.url,
        CHROMA_COLLECTION_PREFIX=f"fuzz{uuid.uuid4().hex[:8]}",
    )
    overrides.enable()
    point_celery_at(redis.url(0), redis.url(0))
    reset_index_caches()
    try:
        with django_db_blocker.unblock():
            build_bicycle_catalog()
            get_index_service().build_index()
        yield {"redis": redis}
    finally:
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)
        try:
            from apps.ai_assistant.retrieval.vector_store import get_vector_store

            store = get_vector_store()
            for name in store.list_collections():
                if name.startswith(settings.CHROMA_COLLECTION_PREFIX + "-"):
                    store.delete_collection(name)
        finally:
            overrides.disable()
            point_celery_at(*previous)
            reset_index_caches()
            redis.cleanup()


@pytest.fixture
def fuzz_env(fuzz_world, db) -> Iterator[None]:
    """One operation's test: its own transaction, and the real WSGI handler allowed to run inside it.

    The handler closes "old" connections at the start and end of every request, which would close the
    test's connection mid-transaction; Django's own test client disconnects the same receiver.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def staff_headers(fuzz_env, django_user_model) -> dict[str, str]:
    user = django_user_model.objects.create_user(username=f"fuzz-{uuid.uuid4().hex[:8]}", is_staff=True)
    user.user_permissions.set(shop_permissions())  # writes need the model permissions, not just is_staff
    return {"Authorization": f"Token {Token.objects.create(user=user).key}"}
