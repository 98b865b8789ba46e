"""Bodies of the index administration endpoints (staff only)."""

from __future__ import annotations

import uuid

from rest_framework import serializers


class IndexStatusSerializer(serializers.Serializer):
    documents = serializers.IntegerField(help_text="Documents in the active collection.")
    pending_changes = serializers.IntegerField(help_text="Outbox rows waiting for a flush.")
    oldest_pending_seconds = serializers.FloatField(allow_null=True, help_text="Age of the oldest pending change.")
    claimed_changes = serializers.IntegerField(help_text="Pending changes a running flush has claimed.")
    flush_scheduled = serializers.BooleanField(help_text="A debounced flush is queued.")
    last_update_at = serializers.DateTimeField(allow_null=True)
    last_rebuild_at = serializers.DateTimeField(allow_null=True)
    last_refresh_at = serializers.DateTimeField(allow_null=True, required=False)
    active_collection = serializers.CharField(allow_blank=True)
    embedding_provider = serializers.CharField(allow_blank=True, required=False)
    embedding_model = serializers.CharField(allow_blank=True)
    building_collection = serializers.CharField(
        allow_blank=True, required=False, help_text="The collection a running rebuild is filling."
    )
    rebuild_in_progress = serializers.BooleanField()
    rebuild_task_id = serializers.CharField(allow_blank=True, help_text="Task id of the queued or running rebuild.")
    rebuild_progress = serializers.DictField(
        allow_null=True,
        required=False,
        help_text="The running rebuild's chunks_done, chunks_total, documents_done, documents_total and workers.",
    )
    rebuild_needed = serializers.BooleanField(required=False, help_text="The configured embedding model changed.")
    last_error = serializers.CharField(allow_blank=True, allow_null=True)


class TaskAcceptedSerializer(serializers.Serializer):
    task_id = serializers.CharField()
    status = serializers.ChoiceField(
        choices=["queued", "already_running"],
        help_text="already_running: a rebuild was queued or running; task_id is that rebuild's.",
    )


class TaskStatusSerializer(serializers.Serializer):
    task_id = serializers.CharField()
    status = serializers.CharField(help_text="PENDING (or unknown), STARTED, PROGRESS, RETRY, SUCCESS, FAILURE.")
    result = serializers.JSONField(allow_null=True, help_text="The result, the progress, or the error of a failure.")


def validate_task_id(value: str) -> str:
    """Celery task ids are UUIDs; anything else is a client error, not a lookup."""
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        raise serializers.ValidationError({"task_id": ["Not a valid task id (a UUID)."]}) from None
