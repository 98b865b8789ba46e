"""Query and response bodies of GET /api/ai-assistant/suggest."""

from __future__ import annotations

from rest_framework import serializers

from apps.ai_assistant.api.query_values import NoBlankQueryValues
from apps.search.selectors.suggest import MAX_LIMIT


class SuggestQuerySerializer(NoBlankQueryValues):
    q = serializers.CharField(min_length=1, max_length=100, help_text="What the customer has typed (1-100 characters).")
    limit = serializers.IntegerField(
        min_value=1,
        max_value=MAX_LIMIT,
        required=False,
        default=MAX_LIMIT,
        help_text=f"1-{MAX_LIMIT}, default {MAX_LIMIT}.",
    )


class SuggestionSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="The name to offer.")
    type = serializers.ChoiceField(choices=["product", "category", "option"])
    id = serializers.IntegerField(help_text="Primary key of the product, category or option.")


class SuggestResponseSerializer(serializers.Serializer):
    suggestions = SuggestionSerializer(many=True)
