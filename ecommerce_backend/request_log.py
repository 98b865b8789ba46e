"""Request id and access log middleware.

Each request gets an id: the client's X-Request-ID when it is sane (1-64 characters of letters, digits and
`-_.:`), else a new one. It is echoed in the X-Request-ID response header and is on every log record
written while the request is answered (ecommerce_backend/logs.py). One access log line per request
(logger `marcus.access`): method, path without the query string (search and chat words stay out of the log),
status, duration, request id.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from ecommerce_backend.logs import request_id_var

access_logger = logging.getLogger("marcus.access")
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def request_id_for(request: HttpRequest) -> str:
    """The client's X-Request-ID if it is sane, else a new random id."""
    given = request.headers.get("X-Request-ID", "")
    if SANE_REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


def loggable_path(path: str, limit: int = 300) -> str:
    """The path as one bounded line: a decoded %0A must not start a forged log line."""
    return path[:limit].encode("unicode_escape").decode("ascii")


class RequestLogMiddleware:
    """Sets the request id for the request's log records, echoes it, and writes the access log line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request)
        token = request_id_var.set(request_id)
        started = time.monotonic()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request_id
            return response
        finally:
            duration_ms = (time.monotonic() - started) * 1000
            path = loggable_path(request.path)
            access_logger.info(
                "%s %s %d %.1fms",
                request.method,
                path,
                status,
                duration_ms,
                extra={"method": request.method, "path": path, "status": status, "duration_ms": round(duration_ms, 1)},
            )
            request_id_var.reset(token)
