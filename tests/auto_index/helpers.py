"""Helpers of the auto-indexing tests: point the app at another broker, wait for a condition."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ecommerce_backend.devservers import free_port


def _reset_producer_pools(app) -> None:
    from kombu import pools

    pools.reset()  # kombu keeps process-wide pools keyed by connection: drop them all
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker_at(url: str) -> Iterator[str]:
    """Publish from this process to `url` inside the block (the worker keeps its own broker)."""
    from ecommerce_backend.celery import app

    previous = app.conf.broker_url
    _reset_producer_pools(app)
    app.conf.broker_url = url
    try:
        yield url
    finally:
        _reset_producer_pools(app)
        app.conf.broker_url = previous


def dead_broker_url() -> str:
    """A Redis URL on a port where nothing listens: every publish is refused."""
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
