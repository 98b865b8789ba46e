"""GET /api/ai-assistant/suggest: names to offer as the customer types (thin over apps.search.selectors.suggest)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.ai_assistant.api.suggest_serializers import SuggestQuerySerializer, SuggestResponseSerializer
from apps.catalog.api.schema import BAD_REQUEST
from apps.search.selectors.suggest import MAX_LIMIT, suggestions
from ecommerce_backend.throttling import SuggestRateThrottle


class SuggestView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []  # public, like search
    throttle_classes = [SuggestRateThrottle]
    throttle_scope = "ai_suggest"

    @extend_schema(
        tags=["search"],
        summary="Suggestions as you type",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, required=True, description="What was typed (1-100 characters)."),
            OpenApiParameter("limit", OpenApiTypes.INT, description=f"1-{MAX_LIMIT}, default {MAX_LIMIT}."),
        ],
        examples=[
            OpenApiExample(
                "Typing 'fat'",
                response_only=True,
                value={
                    "suggestions": [
                        {"text": "Fat Tire Explorer", "type": "product", "id": 1},
                        {"text": "Fat bike wheels", "type": "option", "id": 8},
                    ]
                },
            ),
        ],
        responses={
            200: SuggestResponseSerializer,
            400: BAD_REQUEST,
            429: OpenApiResponse(description="Too many requests from this client; see Retry-After."),
        },
        description=(
            "Names of active products, categories and options that start with what was typed, or have a word "
            "that does; when fewer than `limit` are found, names matching the typed text with misspelt words "
            "corrected from the catalog's vocabulary. Categories first, then products, then options."
        ),
    )
    def get(self, request: Request) -> Response:
        params = SuggestQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        found = suggestions(params.validated_data["q"], params.validated_data["limit"])
        return Response(SuggestResponseSerializer({"suggestions": found}).data)
