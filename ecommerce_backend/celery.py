"""The Celery application, where the original setup guide puts it (`celery -A ecommerce_backend`)."""

import os

from celery import Celery

from ecommerce_backend.beat_thread import install as install_beat_thread

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecommerce_backend.settings")

app = Celery("ecommerce_backend")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# `celery worker --beat-thread` (make run): beat in a thread of the worker, not a process of its own.
install_beat_thread(app)

# Task counts and runtimes for /metrics, and freed memory returned to the OS after each task (signal handlers).
import ecommerce_backend.memory  # noqa: E402
import ecommerce_backend.task_metrics  # noqa: E402,F401
