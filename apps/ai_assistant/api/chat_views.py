"""POST /api/ai-assistant/chat: the shopping assistant (thin over assistant.service)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.ai_assistant.api.chat_serializers import ChatRequestSerializer, ChatResponseSerializer
from apps.ai_assistant.assistant.service import ChatOwner, UnknownSession, chat
from apps.ai_assistant.indexing.state import search_readiness
from apps.catalog.api.schema import BAD_REQUEST
from apps.orders.web import cart_owner
from ecommerce_backend.throttling import ChatRateThrottle

TOO_MANY = OpenApiResponse(description="Too many messages from this client; the Retry-After header says when to retry.")
# Marks a browser session as a chat client: a session with data gets its cookie set and kept.
SESSION_MARK = "ai_chat"


def requester(request: Request) -> ChatOwner:
    """Who sends this message: the authenticated user, else this browser's Django session (made if needed)."""
    if request.user and request.user.is_authenticated:
        return ChatOwner.for_user(request.user.pk)
    session = request.session
    session.setdefault(SESSION_MARK, True)  # loads it: an expired key is replaced by none
    if session.session_key is None:
        session.save()  # the key now; SessionMiddleware sends it as the cookie
    return ChatOwner.for_browser(session.session_key)


class ChatView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [ChatRateThrottle]
    throttle_scope = "ai_chat"

    @extend_schema(
        tags=["assistant"],
        summary="Ask the shopping assistant",
        request=ChatRequestSerializer,
        responses={200: ChatResponseSerializer, 400: BAD_REQUEST, 429: TOO_MANY},
        description=(
            "Ask the shopping assistant. Answers come from the live catalog: product cards, prices and "
            "compatibilities are computed from the database and the configurator. Send the returned session_id "
            "with the next message to ask a follow-up. A session belongs to whoever started it: the signed-in user "
            "(token or session), or for an anonymous client the browser session of the cookie this endpoint sets. "
            "A session_id of another client starts a new session (its session_id is returned), so a follow-up "
            "needs the same credentials or the same cookie. The carried search words are capped "
            "(AI_CHAT_CONTEXT_MAX_CHARS) and sessions idle for AI_CHAT_RETENTION_DAYS are deleted."
        ),
        examples=[
            OpenApiExample("A first question", value={"message": "show me mountain bikes under 900"},
                           request_only=True),
            OpenApiExample("A follow-up in the same session",
                           value={"message": "and with black rims?",
                                  "session_id": "6f1c2a4e-8a7d-4f7e-9a51-2b1f0c9d3e11"}, request_only=True),
            OpenApiExample("An answer", response_only=True, value={
                "session_id": "6f1c2a4e-8a7d-4f7e-9a51-2b1f0c9d3e11",
                "answer": "Trail Pro (full-suspension, matte, mountain wheels, black rims) costs 345.00 EUR.",
                "products": [{"id": 12, "name": "Trail Pro", "price": "345.00", "available": True,
                              "url": "/api/products/12/"}],
                "sources": ["product:12"], "engine": "builtin", "index_state": "ready",
            }),
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = ChatRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            result = chat(serializer.validated_data["message"], serializer.validated_data.get("session_id"),
                          owner=requester(request), cart_owner=cart_owner(request, create=True))
        except UnknownSession:
            # Deleted between validation and use.
            return Response({"session_id": ["Unknown chat session; omit session_id to start a new one."]},
                            status=status.HTTP_400_BAD_REQUEST)
        return Response({**result, "index_state": search_readiness()})
