"""Helpers of the auto-indexing tests: point the app at another broker, wait for a condition."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from ecommerce_backend.devservers import free_port
from tests.fixtures.celery_worker import reset_producer_pools


@contextmanager
def broker_at(url: str) -> Iterator[str]:
    """Publish from this process to `url` inside the block (the worker keeps its own broker)."""
    from ecommerce_backend.celery import app

    previous = app.conf.broker_url
    reset_producer_pools()
    app.conf.broker_url = url
    try:
        yield url
    finally:
        reset_producer_pools()
        app.conf.broker_url = previous


def dead_broker_url() -> str:
    """A URL of the broker this process uses now (Redis or RabbitMQ) on a port where nothing listens: every
    publish is refused."""
    from ecommerce_backend.celery import app

    if urlsplit(app.conf.broker_url).scheme.startswith("amqp"):
        return f"amqp://guest:guest@127.0.0.1:{free_port()}//"
    return f"redis://127.0.0.1:{free_port()}/0"


def wait_for(predicate: Callable[[], object], timeout: float, interval: float = 0.1, message: str = "") -> object:
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message or predicate}")
        time.sleep(interval)
