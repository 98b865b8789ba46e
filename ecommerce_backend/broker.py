"""The Celery broker and result backend chosen by the environment, with the same delivery guarantees on each.

Three brokers (docs/operations.md "Choosing a broker"):
- RabbitMQ (CELERY_BROKER_URL=amqp://...): for several hosts, or when a broker must not lose a queued message;
- Redis (CELERY_BROKER_URL=redis://..., or only REDIS_URL set): one service for broker, results and cache;
- the embedded filesystem broker (neither set): `make run` on one machine, folders under var/broker.

What every task relies on, whatever the broker (settings.py sets the broker-independent half: acks_late,
reject_on_worker_lost, prefetch multiplier 1, cancel on connection loss):
- a message is acknowledged only after its task ran, and comes back when its worker dies;
- a publish to a broker that is down fails within seconds (the outbox keeps the change, the sweeper
  queues it later) instead of hanging a web request;
- a queued message survives a broker restart (Redis: its append-only file; RabbitMQ: durable queues
  and persistent messages, Celery's defaults, confirmed by the broker before a publish returns).

Results stay on Redis whatever the broker (REDIS_URL); without Redis, in a SQLite file under var/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

# Schemes CELERY_BROKER_URL accepts, by the broker they name.
AMQP_SCHEMES = ("amqp", "amqps", "pyamqp")
REDIS_SCHEMES = ("redis", "rediss")
BROKER_SCHEMES = AMQP_SCHEMES + REDIS_SCHEMES
QUEUE_TYPES = ("classic", "quorum")

# Longer than any countdown and than the hard time limit (30 min): Redis hands an unacknowledged message to
# another worker after this long, so a shorter value would run a waiting or running task twice.
REDIS_VISIBILITY_TIMEOUT = 2 * 3600
# A broker that is down fails a connect within this many seconds (both brokers).
CONNECT_TIMEOUT = 2
# A broker that accepted the connection but stopped answering fails a socket read or write after this long.
SOCKET_TIMEOUT = 10
# RabbitMQ heartbeats: a worker notices a dead broker or network within ~2 heartbeats and reconnects (the
# unacknowledged message goes back to the queue at once, for another worker).
AMQP_HEARTBEAT = 10


def broker_kind(url: str) -> str:
    """"amqp", "redis" or "filesystem": which broker a Celery broker URL names."""
    scheme = urlsplit(url).scheme
    if scheme in AMQP_SCHEMES:
        return "amqp"
    if scheme in REDIS_SCHEMES:
        return "redis"
    return "filesystem"


def celery_transport_settings(
    broker_url: str, redis_url: str, var_dir: Path, queue_type: str = "classic"
) -> dict[str, Any]:
    """The CELERY_* settings of the broker and result backend, as settings.py names them.

    `broker_url`: CELERY_BROKER_URL (validated), blank for the default: `redis_url` when set, else the
    embedded filesystem broker under `var_dir`. `queue_type` (RabbitMQ only): "quorum" declares replicated
    quorum queues (a RabbitMQ cluster), "classic" durable classic queues (one RabbitMQ node).
    """
    url = broker_url or redis_url
    result: dict[str, Any] = {"CELERY_BROKER_URL": url or "filesystem://localhost//"}
    result.update(_result_backend(redis_url, var_dir))
    kind = broker_kind(url) if url else "filesystem"
    if kind == "redis":
        result["CELERY_BROKER_TRANSPORT_OPTIONS"] = {
            "visibility_timeout": REDIS_VISIBILITY_TIMEOUT,
            "socket_connect_timeout": CONNECT_TIMEOUT,
            "socket_timeout": SOCKET_TIMEOUT,
        }
    elif kind == "amqp":
        result.update(_amqp_settings(queue_type))
    else:
        result["CELERY_BROKER_TRANSPORT_OPTIONS"] = _filesystem_options(var_dir)
    return result


def check_countdown_precision(broker_url: str, queue_type: str, debounce_seconds: float) -> None:
    """Raise ImproperlyConfigured for a debounce that quorum queues cannot delay.

    With quorum queues RabbitMQ delays a countdown task in whole seconds (native delayed delivery) and Celery
    refuses a countdown between 0 and 1 ("countdown must be a positive number"): every debounced flush would
    fail to queue and wait for the sweeper.
    """
    if broker_kind(broker_url) == "amqp" and queue_type == "quorum" and 0 < debounce_seconds < 1:
        raise ImproperlyConfigured(
            "AI_INDEX_DEBOUNCE_SECONDS must be 0 or at least 1 with CELERY_AMQP_QUEUE_TYPE=quorum (RabbitMQ delays "
            f"whole seconds), got {debounce_seconds:g}"
        )


def _amqp_settings(queue_type: str) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "CELERY_BROKER_TRANSPORT_OPTIONS": {
            # A publish returns only once RabbitMQ has taken the message (publisher confirms); a message the
            # broker could not take raises, and the outbox keeps the change.
            "confirm_publish": True,
            "read_timeout": SOCKET_TIMEOUT,
            "write_timeout": SOCKET_TIMEOUT,
        },
        "CELERY_BROKER_CONNECTION_TIMEOUT": CONNECT_TIMEOUT,
        "CELERY_BROKER_HEARTBEAT": AMQP_HEARTBEAT,
    }
    if queue_type == "quorum":
        # Quorum queues are replicated over the cluster's nodes. Celery then delays countdown tasks in
        # RabbitMQ itself (native delayed delivery), which routes through topic exchanges.
        settings.update(
            {
                "CELERY_TASK_DEFAULT_QUEUE_TYPE": "quorum",
                "CELERY_TASK_CREATE_MISSING_QUEUE_TYPE": "quorum",
                "CELERY_TASK_DEFAULT_EXCHANGE_TYPE": "topic",
                "CELERY_TASK_CREATE_MISSING_QUEUE_EXCHANGE_TYPE": "topic",
            }
        )
    return settings


def _result_backend(redis_url: str, var_dir: Path) -> dict[str, Any]:
    if not redis_url:
        return {"CELERY_RESULT_BACKEND": f"db+sqlite:///{var_dir / 'celery-results.sqlite3'}"}
    return {
        "CELERY_RESULT_BACKEND": redis_url,
        "CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS": {
            "visibility_timeout": REDIS_VISIBILITY_TIMEOUT,
            # Celery retries a result backend that is down 20 times a second apart; a web request queueing a
            # task (it subscribes to the result) must fail within a second instead (a 503, not a 500 after 19 s).
            "retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5},
        },
        "CELERY_REDIS_SOCKET_CONNECT_TIMEOUT": CONNECT_TIMEOUT,
    }


def _filesystem_options(var_dir: Path) -> dict[str, Any]:
    # Embedded broker on local files: `make run` needs no Redis. Every process of one checkout shares these
    # folders, so it serves one machine only (ecommerce_backend/checks.py warns on a multi-host setup).
    broker_dir = var_dir / "broker"
    for sub in ("out", "processed", "control"):
        (broker_dir / sub).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(broker_dir / "out"),
        "data_folder_out": str(broker_dir / "out"),
        "processed_folder": str(broker_dir / "processed"),
        "store_processed": False,
        # Exchange tables (remote control: inspect, ping); kombu's default is relative to the cwd.
        "control_folder": str(broker_dir / "control"),
        # The folder is polled: every 0.2 s instead of 1 s, so a queued task starts without a noticeable wait.
        "polling_interval": 0.2,
    }
