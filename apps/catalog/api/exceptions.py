"""One error shape for the API: model validation and protected deletes become 400/409, never 500."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, plus Django's ValidationError (400), deletes blocked by references and writes refused by
    the database after a concurrent change (409)."""
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
