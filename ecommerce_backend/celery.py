"""The Celery application, where the original setup guide puts it (`celery -A ecommerce_backend`)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecommerce_backend.settings")

app = Celery("ecommerce_backend")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Task counts and runtimes for /metrics (signal handlers; see the module).
import ecommerce_backend.task_metrics  # noqa: E402,F401
