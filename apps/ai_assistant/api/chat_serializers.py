"""Request and response of POST /api/ai-assistant/chat."""

from __future__ import annotations

import uuid

from rest_framework import serializers

from apps.ai_assistant.api.search_serializers import IndexStateField
from apps.ai_assistant.models import ChatSession

MAX_MESSAGE_CHARS = 2000


class MessageField(serializers.CharField):
    """A JSON string only (no numbers coerced to text), storable as UTF-8 text in any database."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("Must be a string.")
        if "\x00" in data:
            raise serializers.ValidationError("Must not contain NUL characters.")
        try:
            data.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise serializers.ValidationError("Must be valid Unicode text.") from exc
        return super().to_internal_value(data)


class SessionIdField(serializers.UUIDField):
    """A UUID written as a string (DRF would also take an integer)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("Must be a UUID string.")
        return super().to_internal_value(data)


class ChatRequestSerializer(serializers.Serializer):
    class Meta:
        ref_name = "Chat"  # the schema adds "Request": ChatRequest
    message = MessageField(
        min_length=1,
        max_length=MAX_MESSAGE_CHARS,
        help_text=f"The customer's question, 1 to {MAX_MESSAGE_CHARS} characters.",
    )
    session_id = SessionIdField(
        required=False,
        allow_null=True,
        help_text="The session_id of an earlier answer, to ask a follow-up; omit it to start a new chat.",
    )

    def validate_session_id(self, value: uuid.UUID | None) -> uuid.UUID | None:
        if value is not None and not ChatSession.objects.filter(id=value).exists():
            raise serializers.ValidationError("Unknown chat session; omit session_id to start a new one.")
        return value


class ChatProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True, coerce_to_string=True)
    available = serializers.BooleanField()
    url = serializers.CharField()


class ChatResponseSerializer(serializers.Serializer):
    session_id = serializers.UUIDField()
    answer = serializers.CharField()
    products = ChatProductSerializer(many=True, help_text="Product cards built from the database.")
    sources = serializers.ListField(
        child=serializers.CharField(), help_text='Ids of the catalog documents the answer rests on ("product:12").'
    )
    engine = serializers.CharField(help_text='"builtin", "openai" or "builtin:fallback" (the model call failed).')
    index_state = IndexStateField()
