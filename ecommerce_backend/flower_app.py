"""The Celery app Flower loads (`celery -A ecommerce_backend.flower_app flower`, via flower_launcher.py).

Flower needs only the broker: it watches workers and task events and sends remote-control commands. The full
app (ecommerce_backend/celery.py) would set Django up and import every app and task module, doubling Flower's
memory (~120 MB against ~60 MB measured); this reads the broker settings and nothing else.
"""

from __future__ import annotations

from celery import Celery
from django.conf import settings

# fixups=[]: no Django fixup, so no django.setup() and no app or model imports in this process.
app = Celery("ecommerce_backend", fixups=[])
app.conf.broker_url = settings.CELERY_BROKER_URL
app.conf.broker_transport_options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
app.conf.broker_connection_retry_on_startup = True
