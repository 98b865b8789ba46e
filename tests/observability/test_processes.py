"""make run's lean processes: Flower's credentials, beat as a worker thread."""

from __future__ import annotations

import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from ecommerce_backend import beat_thread
from ecommerce_backend.celery import app
from ecommerce_backend.flower_launcher import basic_auth, password_file


def test_flower_password_is_generated_once_printed_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("FLOWER_BASIC_AUTH", raising=False)
    said: list[str] = []
    first = basic_auth(tmp_path, say=said.append)
    user, _, password = first.partition(":")
    assert user == "admin" and len(password) >= 20
    assert password in said[0]
    path = password_file(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    said.clear()
    assert basic_auth(tmp_path, say=said.append) == first  # kept, not regenerated
    assert password not in said[0] and str(path) in said[0]  # printed once only


def test_flower_basic_auth_from_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("FLOWER_BASIC_AUTH", "ops:s3cret")
    assert basic_auth(tmp_path, say=lambda _: None) == "ops:s3cret"
    assert not password_file(tmp_path).exists()
    monkeypatch.setenv("FLOWER_BASIC_AUTH", "ops:")
    with pytest.raises(ImproperlyConfigured, match="FLOWER_BASIC_AUTH"):
        basic_auth(tmp_path, say=lambda _: None)


def test_beat_thread_is_a_worker_option_and_step():
    options = {name for option in app.user_options["worker"] for name in option.opts}
    assert "--beat-thread" in options
    assert beat_thread.BeatThread in app.steps["worker"]


class _Worker:
    def __init__(self) -> None:
        self.app = app


def test_beat_thread_step_runs_only_when_asked():
    assert beat_thread.BeatThread(_Worker(), beat_thread=False).enabled is False
    step = beat_thread.BeatThread(_Worker(), beat_thread=True)
    assert step.enabled is True
    service = step.create(_Worker())
    assert service.__class__.__name__ == "_Threaded"  # a thread of the worker, not a child process


def test_grafana_dashboard_charts_only_metrics_the_shop_exports():
    import json
    import re

    from django.conf import settings

    from apps.ai_assistant import metrics

    exported = {m._name for m in vars(metrics).values() if hasattr(m, "_name") and hasattr(m, "_type")}
    exported |= {"marcus_index_outbox_pending", "marcus_index_outbox_oldest_pending_seconds"}
    dashboard = json.loads((settings.BASE_DIR / "deploy" / "grafana-dashboard.json").read_text())
    used = set()
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            used |= set(re.findall(r"marcus_[a-z_]+", target["expr"]))
    base = {re.sub(r"_(bucket|count|sum|total)$", "", name) for name in used}
    assert base <= exported, base - exported
    assert exported <= base, exported - base  # every metric is charted
