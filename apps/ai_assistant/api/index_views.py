"""Index administration (staff only): status, rebuild, update now, and the state of a task.

Thin over `indexing/scheduling.py` and `indexing/status.py`; the work runs in the worker.
"""

from __future__ import annotations

import logging

import kombu.exceptions
import redis.exceptions
from celery.result import AsyncResult
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.ai_assistant.api.index_serializers import (
    IndexStatusSerializer,
    TaskAcceptedSerializer,
    TaskStatusSerializer,
    validate_task_id,
)
from apps.ai_assistant.exceptions import TransientIndexError
from apps.ai_assistant.indexing import scheduling
from apps.ai_assistant.indexing.status import index_status
from apps.catalog.api.exceptions import UNAVAILABLE as UNAVAILABLE_DETAIL
from apps.catalog.api.permissions import staff_with_permissions
from apps.catalog.api.schema import BAD_REQUEST, FORBIDDEN, UNAUTHORIZED, DetailSerializer

logger = logging.getLogger(__name__)

UNAVAILABLE = OpenApiResponse(DetailSerializer, description="The task queue or the vector store is unreachable.")
QUEUE_ERRORS = (kombu.exceptions.OperationalError, redis.exceptions.RedisError, ConnectionError, TimeoutError)
STAFF_ONLY = {401: UNAUTHORIZED, 403: FORBIDDEN}


def _unavailable(what: str, exc: Exception) -> Response:
    # The log names the part and its error; the client learns only that it may retry.
    logger.warning("%s unreachable: %s: %s", what, type(exc).__name__, exc)
    return Response({"detail": UNAVAILABLE_DETAIL}, status=status.HTTP_503_SERVICE_UNAVAILABLE)


class IndexStatusView(APIView):
    permission_classes = [staff_with_permissions("ai_assistant.view_indexstate")]

    @extend_schema(
        tags=["index"],
        summary="Index status",
        responses={200: IndexStatusSerializer, **STAFF_ONLY, 503: UNAVAILABLE},
        description="Documents indexed, changes waiting in the outbox, last update and rebuild, the last error.",
    )
    def get(self, request: Request) -> Response:
        try:
            data = index_status()
        except TransientIndexError as exc:
            return _unavailable("The vector store", exc)
        return Response(IndexStatusSerializer(data).data)


class IndexRebuildView(APIView):
    permission_classes = [staff_with_permissions("ai_assistant.rebuild_index")]

    @extend_schema(
        tags=["index"],
        summary="Rebuild the index",
        request=None,
        responses={202: TaskAcceptedSerializer, **STAFF_ONLY, 503: UNAVAILABLE},
        description=(
            "Queue a full zero-downtime rebuild (search keeps answering from the current collection). "
            "Only one runs at a time: while one is queued or running this returns its task id."
        ),
    )
    def post(self, request: Request) -> Response:
        try:
            task_id, queued = scheduling.trigger_rebuild()
        except QUEUE_ERRORS as exc:
            return _unavailable("The task queue", exc)
        body = {"task_id": task_id, "status": "queued" if queued else "already_running"}
        return Response(TaskAcceptedSerializer(body).data, status=status.HTTP_202_ACCEPTED)


class IndexUpdateView(APIView):
    permission_classes = [staff_with_permissions("ai_assistant.update_index")]

    @extend_schema(
        tags=["index"],
        summary="Sync pending changes now",
        request=None,
        responses={202: TaskAcceptedSerializer, **STAFF_ONLY, 503: UNAVAILABLE},
        description="Sync every pending change now, without waiting for the debounce window.",
    )
    def post(self, request: Request) -> Response:
        try:
            task_id = scheduling.trigger_update()
        except QUEUE_ERRORS as exc:
            return _unavailable("The task queue", exc)
        return Response(
            TaskAcceptedSerializer({"task_id": task_id, "status": "queued"}).data, status=status.HTTP_202_ACCEPTED
        )


class TaskStatusView(APIView):
    permission_classes = [staff_with_permissions("ai_assistant.view_indexstate")]

    @extend_schema(
        tags=["index"],
        summary="Status of an index task",
        parameters=[OpenApiParameter("task_id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses={200: TaskStatusSerializer, 400: BAD_REQUEST, **STAFF_ONLY, 503: UNAVAILABLE},
        description="State of a task by id. An id nobody knows reads as PENDING (Celery cannot tell them apart).",
    )
    def get(self, request: Request, task_id: str) -> Response:
        task_id = validate_task_id(task_id)
        result = AsyncResult(task_id)
        try:
            state = result.state
            info = result.info
        except QUEUE_ERRORS as exc:
            return _unavailable("The result backend", exc)
        if isinstance(info, BaseException):
            info = {"error": f"{type(info).__name__}: {info}"}
        elif state == "PENDING":
            info = None
        body = {"task_id": task_id, "status": state, "result": info}
        return Response(TaskStatusSerializer(body).data)
