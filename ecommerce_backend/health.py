"""GET /healthz: is the database, the Celery broker and the vector store reachable?"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, JsonResponse


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_broker() -> None:
    from ecommerce_backend.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def _check_vector_store() -> None:
    from apps.ai_assistant.services.vector_store import get_vector_store

    get_vector_store().heartbeat()


CHECKS: dict[str, Callable[[], None]] = {
    "database": _check_database,
    "broker": _check_broker,
    "vector_store": _check_vector_store,
}


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when every part answers, 503 naming the parts that do not."""
    results: dict[str, dict] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
            results[name] = {"ok": True}
        except Exception as exc:  # a health probe reports every failure, whatever its kind
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    healthy = all(r["ok"] for r in results.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", "checks": results}, status=200 if healthy else 503)
