"""One error shape for the API: model validation and protected deletes become 400/409, an unreachable broker
or cache a 503, never a 500."""

from __future__ import annotations

import logging

import kombu.exceptions
import redis.exceptions
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)

# A broker or cache that is down or does not answer: the request may succeed later, so 503, not 500.
SERVICE_ERRORS: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    kombu.exceptions.OperationalError,
)
UNAVAILABLE = "A service this request needs is temporarily unavailable; try again later."


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, plus Django's ValidationError (400), deletes blocked by references and writes refused by
    the database after a concurrent change (409), broker and cache outages (503, naming no internals)."""
    if isinstance(exc, SERVICE_ERRORS):
        logger.warning("Service unreachable during %s: %s: %s", _view_name(context), type(exc).__name__, exc)
        return Response({"detail": UNAVAILABLE}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ProtectedError | RestrictedError):
        used_by = sorted(
            {
                str(obj)
                for obj in list(exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects)[
                    :5
                ]
            }
        )
        return Response(
            {"detail": "This object is still in use and cannot be deleted.", "used_by": used_by},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, IntegrityError):
        # The database refused a write the checks let through because another request changed the rows in
        # between (e.g. a product started using an option being deleted): a conflict, nothing was written.
        logger.warning("Write refused by the database (concurrent change): %s", exc)
        return Response(
            {"detail": "This change conflicts with a concurrent change; reload and try again.", "used_by": []},
            status=status.HTTP_409_CONFLICT,
        )
    return exception_handler(exc, context)


def _view_name(context: dict) -> str:
    view = context.get("view")
    return type(view).__name__ if view is not None else "a request"
