"""GET /api/ai-assistant/search: hybrid search of the AI knowledge index (thin over the index service)."""

from __future__ import annotations

import logging
import time

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.ai_assistant.api.search_serializers import SearchQuerySerializer, SearchResponseSerializer
from apps.ai_assistant.exceptions import TransientIndexError
from apps.ai_assistant.indexing.documents.registry import DOC_TYPES
from apps.ai_assistant.indexing.state import search_readiness
from apps.ai_assistant.services.index_service import get_index_service
from apps.catalog.api.schema import BAD_REQUEST, DetailSerializer
from ecommerce_backend.throttling import SearchRateThrottle

logger = logging.getLogger(__name__)


PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, required=True, description="What to look for (1-500 characters)."),
    OpenApiParameter("type", OpenApiTypes.STR, enum=list(DOC_TYPES), description="Only documents of this type."),
    OpenApiParameter("category", OpenApiTypes.STR, description="Category id or slug."),
    OpenApiParameter("min_price", OpenApiTypes.DECIMAL, description="Lowest price, >= 0."),
    OpenApiParameter("max_price", OpenApiTypes.DECIMAL, description="Highest price, >= min_price."),
    OpenApiParameter("in_stock", OpenApiTypes.BOOL, description="Only available (true) or unavailable (false)."),
    OpenApiParameter("limit", OpenApiTypes.INT, description="1-50, default 10."),
]


class SearchView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []  # public: a stale session or token must not turn a search into a 401/403
    throttle_classes = [SearchRateThrottle]
    throttle_scope = "ai_search"

    @extend_schema(
        tags=["search"],
        summary="Search the catalog",
        parameters=PARAMETERS,
        examples=[
            OpenApiExample("Fat bikes with black rims under 400", response_only=True, value={
                "query": "fat bike with black rims",
                "results": [{
                    "id": "product:7", "type": "product", "object_id": 7, "name": "Fat Cruiser", "score": 0.0325,
                    "price": "372.00", "in_stock": True, "category": "Bicycles", "category_id": 1,
                    "snippet": "Fat Cruiser: diamond frame, matte finish, fat bike wheels, black rims",
                }],
                "took_ms": 12.4,
                "index_state": "ready",
            }),
            OpenApiExample("While the first build runs", response_only=True,
                           value={"query": "fat bike", "results": [], "took_ms": 1.2, "index_state": "building"}),
        ],
        responses={
            200: SearchResponseSerializer,
            400: BAD_REQUEST,
            429: OpenApiResponse(description="Too many searches from this client; see Retry-After."),
            503: OpenApiResponse(DetailSerializer, description="The vector store is unreachable."),
        },
        description=(
            "Hybrid search of the catalog knowledge index: vector similarity and keywords fused by Reciprocal "
            "Rank Fusion, with filters applied before the top results are cut. An exact name ranks first. "
            "`index_state` says whether an empty list means no match (`ready`), the first build still running "
            "(`building`) or nothing indexed (`empty`)."
        ),
    )
    def get(self, request: Request) -> Response:
        started = time.perf_counter()
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        try:
            results = get_index_service().search_documents(
                data["q"],
                type=data.get("type"),
                category=data.get("category"),
                min_price=data.get("min_price"),
                max_price=data.get("max_price"),
                in_stock=data.get("in_stock"),
                limit=data["limit"],
            )
        except TransientIndexError as exc:
            logger.warning("search: vector store unavailable: %s", exc)
            return Response(
                {"detail": "The search index is unavailable right now; try again in a moment."},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        took_ms = round((time.perf_counter() - started) * 1000, 1)
        body = {"query": data["q"], "results": results, "took_ms": took_ms, "index_state": search_readiness()}
        return Response(SearchResponseSerializer(body).data)
