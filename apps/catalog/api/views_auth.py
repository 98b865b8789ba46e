"""POST /api/auth/token/ {username, password} -> {token}."""

from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny


class ObtainTokenView(ObtainAuthToken):
    permission_classes = [AllowAny]
