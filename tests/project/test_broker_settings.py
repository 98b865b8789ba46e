"""The Celery broker chosen by the environment (ecommerce_backend/broker.py) and its transport options.

RabbitMQ and Redis must give the same guarantees: a publish to a broker that is down fails within seconds, a
message is acknowledged late and comes back when its worker dies, results stay on Redis. The worker tests run
over both brokers (tests/auto_index/test_worker.py, test_worker_kill.py); these check the settings themselves.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ecommerce_backend.broker import broker_kind, celery_transport_settings

ROOT = Path(__file__).resolve().parents[2]
REDIS = "redis://cache.internal:6379/0"
AMQP = "amqp://shop:secret@mq.internal:5672/shop"
PRINT = (
    "import os, json, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'ecommerce_backend.settings'; django.setup(); "
    "from ecommerce_backend.celery import app; "
    "print(json.dumps({'broker': app.conf.broker_url, 'backend': app.conf.result_backend, "
    "'options': app.conf.broker_transport_options, 'acks_late': app.conf.task_acks_late, "
    "'lost': app.conf.task_reject_on_worker_lost, 'prefetch': app.conf.worker_prefetch_multiplier, "
    "'heartbeat': app.conf.broker_heartbeat, 'queue_type': app.conf.task_default_queue_type}))"
)


def _start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL", "DATABASE_URL"}}
    base.update({"MARCUS_VAR_DIR": str(tmp_path), **env})
    return subprocess.run([sys.executable, "-c", PRINT], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60)


def test_without_redis_and_broker_url_the_embedded_broker_keeps_its_folders_under_var(tmp_path):
    conf = celery_transport_settings("", "", tmp_path)
    assert conf["CELERY_BROKER_URL"] == "filesystem://localhost//"
    assert conf["CELERY_BROKER_TRANSPORT_OPTIONS"]["data_folder_in"] == str(tmp_path / "broker" / "out")
    assert (tmp_path / "broker" / "control").is_dir()
    assert conf["CELERY_RESULT_BACKEND"] == f"db+sqlite:///{tmp_path / 'celery-results.sqlite3'}"


def test_redis_alone_is_broker_and_result_backend_with_a_visibility_timeout_past_the_time_limit(tmp_path):
    conf = celery_transport_settings("", REDIS, tmp_path)
    assert conf["CELERY_BROKER_URL"] == conf["CELERY_RESULT_BACKEND"] == REDIS
    options = conf["CELERY_BROKER_TRANSPORT_OPTIONS"]
    assert options["visibility_timeout"] > 30 * 60  # settings.CELERY_TASK_TIME_LIMIT
    assert options["socket_connect_timeout"] <= 2 and options["socket_timeout"] <= 10
    assert not (tmp_path / "broker").exists()


def test_rabbitmq_broker_confirms_publishes_times_out_and_beats_while_results_stay_on_redis(tmp_path):
    conf = celery_transport_settings(AMQP, REDIS, tmp_path)
    assert conf["CELERY_BROKER_URL"] == AMQP and conf["CELERY_RESULT_BACKEND"] == REDIS
    options = conf["CELERY_BROKER_TRANSPORT_OPTIONS"]
    assert options["confirm_publish"] is True
    assert "visibility_timeout" not in options  # a Redis option: py-amqp's Connection would refuse it
    assert options["read_timeout"] <= 10 and options["write_timeout"] <= 10
    assert conf["CELERY_BROKER_CONNECTION_TIMEOUT"] <= 2
    assert 0 < conf["CELERY_BROKER_HEARTBEAT"] <= 30
    assert "CELERY_TASK_DEFAULT_QUEUE_TYPE" not in conf  # durable classic queues, Celery's default


def test_quorum_queues_route_through_topic_exchanges_for_native_delayed_delivery(tmp_path):
    conf = celery_transport_settings(AMQP, REDIS, tmp_path, queue_type="quorum")
    assert conf["CELERY_TASK_DEFAULT_QUEUE_TYPE"] == conf["CELERY_TASK_CREATE_MISSING_QUEUE_TYPE"] == "quorum"
    assert conf["CELERY_TASK_DEFAULT_EXCHANGE_TYPE"] == "topic"
    assert conf["CELERY_TASK_CREATE_MISSING_QUEUE_EXCHANGE_TYPE"] == "topic"
    assert "CELERY_TASK_DEFAULT_QUEUE_TYPE" not in celery_transport_settings(REDIS, REDIS, tmp_path, "quorum")


@pytest.mark.parametrize(
    ("url", "kind"),
    [(AMQP, "amqp"), ("amqps://mq/", "amqp"), ("pyamqp://mq//", "amqp"), (REDIS, "redis"), ("rediss://r/0", "redis"),
     ("filesystem://localhost//", "filesystem")],
)
def test_broker_kind_names_the_broker_of_a_url(url, kind):
    assert broker_kind(url) == kind


def test_celery_broker_url_puts_the_app_on_rabbitmq_with_the_same_delivery_guarantees(tmp_path):
    started = _start(tmp_path, CELERY_BROKER_URL=AMQP, REDIS_URL=REDIS, CELERY_AMQP_QUEUE_TYPE="quorum")
    assert started.returncode == 0, started.stderr[-2000:]
    conf = json.loads(started.stdout)
    assert (conf["broker"], conf["backend"]) == (AMQP, REDIS)
    assert conf["options"]["confirm_publish"] is True and conf["heartbeat"] > 0
    assert (conf["acks_late"], conf["lost"], conf["prefetch"]) == (True, True, 1)
    assert conf["queue_type"] == "quorum"


def test_the_default_broker_is_unchanged_redis_url_when_set(tmp_path):
    started = _start(tmp_path, REDIS_URL=REDIS, CELERY_BROKER_URL="")
    assert started.returncode == 0, started.stderr[-2000:]
    conf = json.loads(started.stdout)
    assert (conf["broker"], conf["backend"]) == (REDIS, REDIS)
    assert conf["options"]["visibility_timeout"] == 2 * 3600


def test_quorum_queues_refuse_a_debounce_under_one_second(tmp_path):
    """RabbitMQ delays whole seconds there, and Celery refuses a countdown between 0 and 1: no flush would queue."""
    quorum = {"CELERY_BROKER_URL": AMQP, "CELERY_AMQP_QUEUE_TYPE": "quorum"}
    started = _start(tmp_path, **quorum, AI_INDEX_DEBOUNCE_SECONDS="0.5")
    assert started.returncode != 0
    assert "AI_INDEX_DEBOUNCE_SECONDS must be 0 or at least 1 with CELERY_AMQP_QUEUE_TYPE=quorum" in started.stderr
    for debounce in ("0", "1"):
        assert _start(tmp_path, **quorum, AI_INDEX_DEBOUNCE_SECONDS=debounce).returncode == 0, debounce
    assert _start(tmp_path, CELERY_BROKER_URL=AMQP, AI_INDEX_DEBOUNCE_SECONDS="0.5").returncode == 0  # classic


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("CELERY_BROKER_URL", "sqs://queue", "CELERY_BROKER_URL must be a URL starting with amqp:// or amqps://"),
        ("CELERY_BROKER_URL", "amqp:///vhost", "CELERY_BROKER_URL must be a URL naming a host"),
        ("CELERY_AMQP_QUEUE_TYPE", "stream", "CELERY_AMQP_QUEUE_TYPE must be one of classic, quorum, got 'stream'"),
        ("MULTI_HOST", "several", "MULTI_HOST must be a boolean"),
    ],
)
def test_a_malformed_broker_setting_stops_the_start_naming_the_variable(tmp_path, variable, value, message):
    started = _start(tmp_path, **{variable: value})
    assert started.returncode != 0
    last_line = started.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: ")
    assert message in last_line
