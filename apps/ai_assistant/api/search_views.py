"""GET /api/ai-assistant/search: hybrid search of the AI knowledge index with facets, did-you-mean and paging
(thin over apps.search.selectors.search_page; each search is recorded for the analytics)."""

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
from apps.ai_assistant.indexing.state import READY, search_readiness
from apps.ai_assistant.retrieval.hybrid import SearchFilters
from apps.ai_assistant.retrieval.query import MAX_QUERY_CHARS
from apps.catalog.api.schema import BAD_REQUEST, DetailSerializer
from apps.search.selectors.matches import RELEVANCE, SORTS
from apps.search.selectors.search_page import search_page
from apps.search.services.analytics import record_search
from ecommerce_backend.throttling import SearchRateThrottle

logger = logging.getLogger(__name__)


PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, required=True, description="What to look for (1-500 characters)."),
    OpenApiParameter("type", OpenApiTypes.STR, enum=list(DOC_TYPES), description="Only documents of this type."),
    OpenApiParameter("category", OpenApiTypes.STR, description="Category id or slug."),
    OpenApiParameter("min_price", OpenApiTypes.DECIMAL, description="Lowest price, >= 0."),
    OpenApiParameter("max_price", OpenApiTypes.DECIMAL, description="Highest price, >= min_price."),
    OpenApiParameter("in_stock", OpenApiTypes.BOOL, description="Only available (true) or unavailable (false)."),
    OpenApiParameter("options", OpenApiTypes.STR, description="Option ids, e.g. 3,17: products having all of them."),
    OpenApiParameter("limit", OpenApiTypes.INT, description="1-50, default 10."),
    OpenApiParameter("offset", OpenApiTypes.INT, description="Results to skip, 0-1000, default 0."),
    OpenApiParameter(
        "sort", OpenApiTypes.STR, enum=list(SORTS),
        description="relevance (default), price or -price: orders every match before the page is cut.",
    ),
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
                "total": 1,
                "offset": 0,
                "facets": {
                    "category": [{"id": 1, "name": "Bicycles", "count": 1}],
                    "options": [
                        {"part_id": 4, "part": "Rim color", "options": [{"id": 11, "name": "Black", "count": 1}]}
                    ],
                    "price": [{"min": "300.00", "max": "400.00", "count": 1}],
                    "in_stock": {"true": 1, "false": 0},
                },
                "suggestion": None,
                "took_ms": 12.4,
                "index_state": "ready",
            }),
            OpenApiExample("A misspelt query", response_only=True, value={
                "query": "fat bkie", "results": [], "total": 0, "offset": 0,
                "facets": {"category": [], "options": [], "price": [], "in_stock": {"true": 0, "false": 0}},
                "suggestion": "fat bike", "took_ms": 9.8, "index_state": "ready",
            }),
            OpenApiExample("While the first build runs", response_only=True, value={
                "query": "fat bike", "results": [], "total": 0, "offset": 0,
                "facets": {"category": [], "options": [], "price": [], "in_stock": {"true": 0, "false": 0}},
                "suggestion": None, "took_ms": 1.2, "index_state": "building",
            }),
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
            "Synonyms edited in the admin are applied to the query. `total` counts every result over all pages "
            "(`offset` and `limit` choose the page); `facets` count every matched product, not only this page's, "
            "under the same filters; `suggestion` is a corrected query when few results matched by their words. "
            "`index_state` says whether an empty list means no match (`ready`), the first build still running "
            "(`building`) or nothing indexed (`empty`)."
        ),
    )
    def get(self, request: Request) -> Response:
        started = time.perf_counter()
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        filters = SearchFilters(
            type=data.get("type") or None,
            category_id=data.get("category"),
            min_price=_number(data.get("min_price")),
            max_price=_number(data.get("max_price")),
            in_stock=data.get("in_stock"),
        )
        try:
            page = search_page(
                data["q"][:MAX_QUERY_CHARS].strip(),
                filters,
                option_ids=data.get("options"),
                offset=data["offset"],
                limit=data["limit"],
                sort=data["sort"],
            )
        except TransientIndexError as exc:
            logger.warning("search: vector store unavailable: %s", exc)
            return Response(
                {"detail": "The search index is unavailable right now; try again in a moment."},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        took_ms = round((time.perf_counter() - started) * 1000, 1)
        record_search(data["q"], _recorded_filters(data), page.total, page.keyword_hits, took_ms)
        body = {
            "query": data["q"],
            "results": page.results,
            "total": page.total,
            "offset": data["offset"],
            "facets": page.facets,
            "suggestion": page.suggestion,
            "took_ms": took_ms,
            # Hits come from the active collection's rows: it holds documents, so it is ready (two queries saved).
            "index_state": READY if page.total else search_readiness(),
        }
        return Response(SearchResponseSerializer(body).data)


def _number(value) -> float | None:
    return None if value is None else float(value)


def _recorded_filters(data: dict) -> dict:
    """The filters of a search as the analytics keep them (JSON values)."""
    recorded = {name: data.get(name) for name in ("type", "category", "in_stock", "options")}
    for name in ("min_price", "max_price"):
        recorded[name] = None if data.get(name) is None else str(data[name])
    if data["offset"]:
        recorded["offset"] = data["offset"]
    if data["sort"] != RELEVANCE:
        recorded["sort"] = data["sort"]
    return recorded
