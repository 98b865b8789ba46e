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


WRITE_RIGHTS = "Staff only, holding the model's `{perm}` permission (401 anonymous, 403 without it)."


def crud_schema(serializer, tag: str, noun: str, *, plural: str = "", list_description: str = ""):
    """extend_schema_view for a ModelViewSet: a summary and description per action, and the 400/401/403/404/409
    each action can answer. `noun` names one object ("part option"), `plural` many (default: noun + "s")."""
    plural = plural or f"{noun}s"
    # 409: the database refused the write after a concurrent change (api_exception_handler).
    write = {400: BAD_REQUEST, 401: UNAUTHORIZED, 403: FORBIDDEN, 409: CONFLICT}
    rights = {verb: WRITE_RIGHTS.format(perm=f"{verb}_") for verb in ("add", "change", "delete")}
    return extend_schema_view(
        list=extend_schema(
            tags=[tag],
            summary=f"List {plural}",
            description=list_description
            or f"The {plural}, paginated (`?page=`), filtered by the query parameters below; public.",
            responses={200: serializer, 400: BAD_REQUEST, 404: NOT_FOUND},
        ),
        retrieve=extend_schema(
            tags=[tag],
            summary=f"Read one {noun}",
            description=f"One {noun} by id; public. 404 for an unknown id.",
            responses={200: serializer, 404: NOT_FOUND},
        ),
        create=extend_schema(
            tags=[tag],
            summary=f"Create a {noun}",
            description=f"Validates the whole body first: nothing is written on a 400. {rights['add']}",
            responses={201: serializer, **write},
        ),
        update=extend_schema(
            tags=[tag],
            summary=f"Replace a {noun}",
            description=f"Every writable field is required. {rights['change']}",
            responses={200: serializer, **write, 404: NOT_FOUND},
        ),
        partial_update=extend_schema(
            tags=[tag],
            summary=f"Change some fields of a {noun}",
            description=f"Only the fields sent change; the result must still be valid. {rights['change']}",
            responses={200: serializer, **write, 404: NOT_FOUND},
        ),
        destroy=extend_schema(
            tags=[tag],
            summary=f"Delete a {noun}",
            description=f"409 with `used_by` while other objects still use it. {rights['delete']}",
            responses={204: None, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT},
        ),
    )
