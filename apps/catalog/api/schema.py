"""Response documentation shared by the API's views, so /api/schema/ lists every status code they answer."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers

DetailSerializer = inline_serializer("Detail", fields={"detail": serializers.CharField()})

BAD_REQUEST = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="Invalid input: an object whose keys name the fields in error, each with a list of messages.",
)
UNAUTHORIZED = OpenApiResponse(DetailSerializer, description="Not authenticated.")
FORBIDDEN = OpenApiResponse(DetailSerializer, description="Authenticated but not staff.")
NOT_FOUND = OpenApiResponse(DetailSerializer, description="No such object (or page).")
CONFLICT = OpenApiResponse(
    inline_serializer(
        "Conflict",
        fields={"detail": serializers.CharField(), "used_by": serializers.ListField(child=serializers.CharField())},
    ),
    description="Still in use by other objects; remove those first.",
)


def crud_schema(serializer, tag: str, *, list_description: str = ""):
    """extend_schema_view for a ModelViewSet: documents 400/401/403/404/409 where each action can answer them."""
    # 409: the database refused the write after a concurrent change (api_exception_handler).
    write = {400: BAD_REQUEST, 401: UNAUTHORIZED, 403: FORBIDDEN, 409: CONFLICT}
    return extend_schema_view(
        list=extend_schema(
            tags=[tag], description=list_description, responses={200: serializer, 400: BAD_REQUEST, 404: NOT_FOUND}
        ),
        retrieve=extend_schema(tags=[tag], responses={200: serializer, 404: NOT_FOUND}),
        create=extend_schema(tags=[tag], responses={201: serializer, **write}),
        update=extend_schema(tags=[tag], responses={200: serializer, **write, 404: NOT_FOUND}),
        partial_update=extend_schema(tags=[tag], responses={200: serializer, **write, 404: NOT_FOUND}),
        destroy=extend_schema(
            tags=[tag], responses={204: None, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT}
        ),
    )
