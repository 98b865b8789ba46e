"""GET /healthz: is the database, the Celery broker and the vector store reachable?

The public answer says ok or down per part and nothing more: error texts name hosts, ports and versions. They go
to the log (WARNING), and to staff: a staff session or a staff user's token sees each error and its timing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, JsonResponse
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

logger = logging.getLogger(__name__)


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_broker() -> None:
    from ecommerce_backend.celery import app

    with app.connection_for_write() as conn:
        # One quick retry: a probe must answer within the ~2 s a load balancer waits, not after kombu's 2 s pause.
        conn.ensure_connection(max_retries=1, interval_start=0.2, timeout=2)


def _check_vector_store() -> None:
    from apps.ai_assistant.retrieval.vector_store import get_vector_store

    get_vector_store().heartbeat()


CHECKS: dict[str, Callable[[], None]] = {
    "database": _check_database,
    "broker": _check_broker,
    "vector_store": _check_vector_store,
}


def is_staff_request(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return bool(user.is_staff)
    try:
        authenticated = TokenAuthentication().authenticate(request)
    except AuthenticationFailed:  # a bad token gets the public answer, not an error
        return False
    return bool(authenticated and authenticated[0].is_staff)


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when every part answers, 503 when one does not; {"ok": bool} per part (staff: error and ms too)."""
    results: dict[str, dict] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
            results[name] = {"ok": True}
        except Exception as exc:  # a health probe reports every failure, whatever its kind
            error = f"{type(exc).__name__}: {exc}"[:300]
            logger.warning("healthz: %s is down: %s", name, error)
            results[name] = {"ok": False, "error": error}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    healthy = all(r["ok"] for r in results.values())
    if not is_staff_request(request):
        results = {name: {"ok": result["ok"]} for name, result in results.items()}
    return JsonResponse({"status": "ok" if healthy else "degraded", "checks": results}, status=200 if healthy else 503)
