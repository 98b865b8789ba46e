"""POST /api/auth/token/ {username, password} -> {token}."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny

from apps.catalog.api.parsers import BoundedJSONParser
from apps.catalog.api.schema import BAD_REQUEST


class ObtainTokenView(ObtainAuthToken):
    permission_classes = [AllowAny]
    # DRF's token view takes forms too; its JSON goes through the API's bounded parser (size and depth).
    parser_classes = [BoundedJSONParser, FormParser, MultiPartParser]

    @extend_schema(
        tags=["auth"],
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer("AuthToken", fields={"token": serializers.CharField(read_only=True)}),
            400: BAD_REQUEST,  # missing fields or wrong credentials
        },
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
