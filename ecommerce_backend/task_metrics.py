"""Celery task metrics: count finished tasks by name and state, and observe their runtime.

Connected by ecommerce_backend/celery.py in every process that loads the Celery app. The instruments live in
apps/ai_assistant/metrics.py and are imported on the first task, when Django (and so PROMETHEUS_MULTIPROC_DIR)
is set up: created earlier they would count in the process's memory, which no scrape sees.
"""

from __future__ import annotations

import threading
import time

from celery.signals import task_postrun, task_prerun

_started: dict[str, float] = {}
_lock = threading.Lock()


@task_prerun.connect
def _task_started(task_id: str | None = None, **kwargs) -> None:
    if task_id:
        with _lock:
            _started[task_id] = time.monotonic()


@task_postrun.connect
def _task_finished(task_id: str | None = None, task=None, state: str | None = None, **kwargs) -> None:
    from apps.ai_assistant import metrics

    with _lock:
        started = _started.pop(task_id, None) if task_id else None
    name = getattr(task, "name", None) or "unknown"
    metrics.TASKS.labels(task=name, state=state or "UNKNOWN").inc()
    if started is not None:
        metrics.TASK_RUNTIME.labels(task=name).observe(time.monotonic() - started)
