"""GET /metrics: Prometheus text format, for staff or for the networks in METRICS_ALLOWED_IPS.

Counters and histograms come from every process of the shop through prometheus_client's multiprocess mode:
each process writes its values to files in PROMETHEUS_MULTIPROC_DIR (settings.py; `make run` empties it at
start) and this view adds them up. Gauges that are facts of the database (outbox rows pending, age of the
oldest) are read at scrape time, so they are right whichever process changed them. docs/operations.md, "Metrics".
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from apps.ai_assistant import metrics as _instruments  # noqa: F401  (registers the instruments in this process)
from apps.ai_assistant.indexing.outbox import stats as outbox_stats
from ecommerce_backend.health import is_staff_request
from ecommerce_backend.throttling import client_address


class OutboxCollector:
    """Outbox gauges read from the database at scrape time."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        figures = outbox_stats()
        yield GaugeMetricFamily(
            "marcus_index_outbox_pending",
            "Outbox rows (catalog changes) not yet synced",
            value=figures["pending_changes"],
        )
        yield GaugeMetricFamily(
            "marcus_index_outbox_oldest_pending_seconds",
            "Age of the oldest outbox row not yet synced (0 when none)",
            value=figures["oldest_pending_seconds"] or 0.0,
        )


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(item, strict=False) for item in settings.METRICS_ALLOWED_IPS]


def may_scrape(request: HttpRequest) -> bool:
    """Staff (session or token), or a client address (NUM_PROXIES-aware) inside METRICS_ALLOWED_IPS."""
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        address = None
    if address is not None and any(address in network for network in allowed_networks()):
        return True
    return is_staff_request(request)


def render() -> bytes:
    """The exposition text: every process's counters and histograms plus the database gauges."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY  # one process only (no shared directory configured)
    return generate_latest(registry) + generate_latest(_database_registry())


def _database_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(OutboxCollector())
    return registry


def metrics_view(request: HttpRequest) -> HttpResponse:
    """GET /metrics (403 for anyone else than staff or the allowed networks)."""
    if request.method != "GET":
        return JsonResponse({"detail": "Method not allowed."}, status=405)
    if not may_scrape(request):
        return JsonResponse({"detail": "Metrics are for staff and the networks in METRICS_ALLOWED_IPS."}, status=403)
    return HttpResponse(render(), content_type=CONTENT_TYPE_LATEST)
