"""How long a task publish takes on each broker, up, down and hung: `python -m bench.broker_publish`.

Every index flush, rebuild and update is queued through `scheduling.publish` (bounded retries), and a web
request waits for it. This times that call against Redis (a private redis-server on a free port, started and
stopped here) and RabbitMQ (`--amqp-url`, default the local server's `/` vhost; the run uses a queue of its own
and deletes it), each with the transport options of ecommerce_backend/broker.py, in three states:

- up: the broker answers (publisher confirms on RabbitMQ);
- down: nothing listens on the port (connection refused);
- hung: a listener that accepts the connection and never answers (a broker host that froze).

Results go to the private Redis in every case, as in production. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.common import markdown_table, percentile

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecommerce_backend.settings")


def silent_listener() -> int:
    """A port that accepts connections and never answers; the thread lives as long as the run."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            connection, _ = server.accept()
            held.append(connection)  # kept open, never read or written

    threading.Thread(target=accept, daemon=True).start()
    return server.getsockname()[1]


def make_app(name: str, broker_url: str, redis_url: str):
    """A Celery app of its own on `broker_url`, with that broker's settings (ecommerce_backend/broker.py)."""
    from celery import Celery

    from ecommerce_backend.broker import celery_transport_settings

    app = Celery(name, set_as_current=False)
    settings = celery_transport_settings(broker_url, redis_url, Path(os.environ.get("TMPDIR", "/tmp")))
    app.conf.update({key.removeprefix("CELERY_").lower(): value for key, value in settings.items()})
    return app


def same_credentials_on(url: str, port: int) -> str:
    """`url` with its user and password, pointed at 127.0.0.1:`port`."""
    parts = urlsplit(url)
    userinfo = parts.netloc.rpartition("@")[0]
    return parts._replace(netloc=f"{userinfo}@127.0.0.1:{port}" if userinfo else f"127.0.0.1:{port}").geturl()


def time_publishes(app, queue: str, count: int) -> tuple[list[float], dict[str, int]]:
    """Seconds of each of `count` publishes, and how many ended how ("ok" or the exception's name)."""
    from apps.ai_assistant.indexing.scheduling import publish

    seconds: list[float] = []
    outcomes: dict[str, int] = {}
    for _ in range(count):
        started = time.perf_counter()
        try:
            publish(lambda **options: app.send_task("bench.noop", queue=queue, **options))
            outcome = "ok"
        except Exception as exc:  # the outcome is what is measured
            outcome = type(exc).__name__
        seconds.append(time.perf_counter() - started)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return seconds, outcomes


def delete_queue(app, queue: str) -> None:
    with app.connection_for_write() as connection:
        connection.default_channel.queue_delete(queue)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--amqp-url", default="amqp://guest:guest@127.0.0.1:5672//", help="a RabbitMQ to time")
    parser.add_argument("--up", type=int, default=50, help="publishes to a broker that is up (default 50)")
    parser.add_argument("--down", type=int, default=5, help="publishes to a broker that is down or hung (5)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import django

    django.setup()
    from bench.stack import RedisServer
    from ecommerce_backend.devservers import free_port

    redis = RedisServer().start()
    hung = silent_listener()
    queue = f"bench_broker_publish_{os.getpid()}"
    cases = [
        ("Redis", "up", redis.url(0), args.up),
        ("Redis", "down", f"redis://127.0.0.1:{free_port()}/0", args.down),
        ("Redis", "hung", f"redis://127.0.0.1:{hung}/0", args.down),
        ("RabbitMQ", "up", args.amqp_url, args.up),
        ("RabbitMQ", "down", same_credentials_on(args.amqp_url, free_port()), args.down),
        ("RabbitMQ", "hung", same_credentials_on(args.amqp_url, hung), args.down),
    ]
    rows = []
    try:
        for broker, state, url, count in cases:
            print(f"[broker_publish] {broker} {state}: {count} publishes", file=sys.stderr, flush=True)
            app = make_app(f"bench-{broker}-{state}", url, redis.url(1))
            seconds, outcomes = time_publishes(app, queue, count)
            if state == "up":
                delete_queue(app, queue)
            ms = [s * 1000 for s in seconds]
            rows.append(
                [broker, state, count, f"{percentile(ms, 50):.1f}", f"{percentile(ms, 95):.1f}", f"{max(ms):.1f}",
                 ", ".join(f"{name} {n}" for name, n in sorted(outcomes.items()))]
            )
    finally:
        redis.cleanup()
    print(markdown_table(["broker", "state", "publishes", "p50 ms", "p95 ms", "max ms", "outcome"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
