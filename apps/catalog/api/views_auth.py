"""POST /api/auth/token/ {username, password} -> {token}, throttled per client and locked out after failures."""

from collections.abc import Mapping

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import Throttled
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from apps.catalog.api.parsers import BoundedJSONParser
from apps.catalog.api.schema import BAD_REQUEST, DetailSerializer
from ecommerce_backend import lockout
from ecommerce_backend.throttling import AuthRateThrottle, client_address

TOO_MANY = OpenApiResponse(
    DetailSerializer, description="Too many attempts from this client or for this username; see Retry-After."
)


class ObtainTokenView(ObtainAuthToken):
    permission_classes = [AllowAny]
    # DRF's token view takes forms too; its JSON goes through the API's bounded parser (size and depth).
    parser_classes = [BoundedJSONParser, FormParser, MultiPartParser]
    throttle_classes = [AuthRateThrottle]

    @extend_schema(
        tags=["auth"],
        summary="Get an API token",
        description=(
            "Exchange a username and password for the account's token; send it as `Authorization: Token <token>`. "
            "Throttled per client address (AUTH_THROTTLE) and locked out after repeated failures for a username "
            "or an address (AUTH_LOCKOUT_FAILURES, AUTH_LOCKOUT_SECONDS): 429 with Retry-After."
        ),
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer("AuthToken", fields={"token": serializers.CharField(read_only=True)}),
            400: BAD_REQUEST,  # missing fields or wrong credentials
            429: TOO_MANY,
        },
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        data = request.data if isinstance(request.data, Mapping) else {}
        username = data.get("username")
        username = username if isinstance(username, str) else ""
        address = client_address(request)
        wait = lockout.retry_after(username, address)
        if wait:
            raise Throttled(wait=wait, detail=lockout.MESSAGE)
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            if username and data.get("password"):  # a password guess, not a malformed request
                lockout.record_failure(username, address)
            raise serializers.ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        lockout.record_success(username)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
