"""Cart and order endpoints: thin over apps.orders.services and apps.orders.selectors."""

from __future__ import annotations

import re

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS, AllowAny, DjangoModelPermissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.api.base import StrictPageNumberPagination
from apps.catalog.api.schema import BAD_REQUEST, FORBIDDEN, NOT_FOUND, UNAUTHORIZED
from apps.orders.api.serializers import (
    CartLineCreateSerializer,
    CartLineUpdateSerializer,
    CartSerializer,
    OrderCreateSerializer,
    OrderSerializer,
)
from apps.orders.models import CartLine
from apps.orders.selectors import find_cart, orders_visible_to, priced_cart
from apps.orders.services import cart as cart_service
from apps.orders.services.placement import IdempotencyKeyReused, OrderRefused, place_order
from apps.orders.web import cart_owner

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,100}")  # printable ASCII, no spaces

REFUSED = OpenApiResponse(
    inline_serializer(
        "OrderRefused",
        fields={
            "detail": serializers.CharField(),
            "lines": serializers.ListField(child=serializers.DictField(), help_text="{id, product, category, errors}"),
        },
    ),
    description="Some cart lines cannot be ordered now (inactive, out of stock, incompatible, gone); nothing was "
    "written.",
)
KEY_REUSED = OpenApiResponse(description="The Idempotency-Key was already used for an order with another body.")


def _cart_response(request: Request, code: int = status.HTTP_200_OK) -> Response:
    owner = cart_owner(request)
    cart = find_cart(user_id=owner.user_id, token=owner.token)
    return Response(CartSerializer(priced_cart(cart)).data, status=code)


class CartView(APIView):
    """The caller's cart: the signed-in user's, else this browser's (session cookie)."""

    permission_classes = [AllowAny]

    @extend_schema(tags=["cart"], responses={200: CartSerializer}, summary="Read the cart",
                   description="The cart, every line re-priced by the configurator now; lines that cannot be "
                   "ordered are `available: false` with the configurator's reasons in `problems`.")
    def get(self, request: Request) -> Response:
        return _cart_response(request)

    @extend_schema(tags=["cart"], responses={200: CartSerializer}, summary="Empty the cart",
                   description="Remove every line of the cart; answers with the (empty) cart.")
    def delete(self, request: Request) -> Response:
        owner = cart_owner(request)
        if owner.user_id is not None or owner.token:
            cart_service.clear_cart(owner)
        return _cart_response(request)


class CartLinesView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["cart"], request=CartLineCreateSerializer, responses={201: CartSerializer, 400: BAD_REQUEST},
        summary="Add a line to the cart",
        description="Add `{product, quantity}` or `{category, options, quantity}` (quantity 1-99, default 1; at "
        "most 50 lines). The same item again adds to its line's quantity. Never a price: the configurator prices "
        "it. 400 names the field: unknown or inactive product, an incomplete, incompatible or malformed "
        "configuration (an out-of-stock option is accepted and shown unavailable).",
    )
    def post(self, request: Request) -> Response:
        serializer = CartLineCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cart_service.add_line(cart_owner(request, create=True), **serializer.validated_data)
        return _cart_response(request, status.HTTP_201_CREATED)


class CartLineView(APIView):
    permission_classes = [AllowAny]

    def _line_id(self, line_id: str) -> int:
        if not line_id.isdigit() or len(line_id) > 18:
            raise Http404
        return int(line_id)

    @extend_schema(tags=["cart"], request=CartLineUpdateSerializer,
                   responses={200: CartSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
                   summary="Change a line's quantity",
                   description="Set a line's quantity (1-99); another cart's line is a 404.")
    def patch(self, request: Request, line_id: str) -> Response:
        serializer = CartLineUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            quantity = serializer.validated_data["quantity"]
            cart_service.set_quantity(cart_owner(request), self._line_id(line_id), quantity)
        except CartLine.DoesNotExist as exc:
            raise Http404 from exc
        return _cart_response(request)

    @extend_schema(tags=["cart"], responses={200: CartSerializer, 404: NOT_FOUND}, summary="Remove a line",
                   description="Remove a line from the cart; another cart's line is a 404.")
    def delete(self, request: Request, line_id: str) -> Response:
        try:
            cart_service.remove_line(cart_owner(request), self._line_id(line_id))
        except CartLine.DoesNotExist as exc:
            raise Http404 from exc
        return _cart_response(request)


class OrderPermissions(DjangoModelPermissions):
    """Customers (signed in) read their orders and place new ones; a status change needs staff with
    orders.change_order."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS or request.method == "POST":
            return True
        return user.is_staff and super().has_permission(request, view)


ORDER_CREATE_DESCRIPTION = """Place the signed-in customer's cart as an order (sign-in required: 401 otherwise).

Every line is re-checked and priced by the configurator in one transaction with the options' rows locked: if
any line is gone, inactive, out of stock or incompatible, nothing is written and the answer is 409 naming the
lines (`lines[].errors`). Otherwise the order stores each line's options (names and ids) and unit price as they
are now, and the cart is emptied. 400 names the field (`name`, `email`, `address`, `cart` when it is empty,
`Idempotency-Key` when malformed).

`Idempotency-Key` (optional, up to 100 printable characters): a retry with the same key and the same body
returns the same order (200 instead of 201); the same key with another body is 422.
"""


@extend_schema_view(
    list=extend_schema(
        tags=["orders"], summary="List orders", description="The caller's orders, newest first (staff: every order).",
        responses={200: OrderSerializer, 401: UNAUTHORIZED, 404: NOT_FOUND},
    ),
    retrieve=extend_schema(
        tags=["orders"], summary="Read an order", description="One of the caller's orders (another's is a 404).",
        responses={200: OrderSerializer, 401: UNAUTHORIZED, 404: NOT_FOUND},
    ),
    partial_update=extend_schema(
        tags=["orders"], summary="Change an order's status",
        description="Staff with orders.change_order: change `status` (placed -> paid, shipped or cancelled; paid -> "
        "shipped or cancelled; shipped -> paid). Other fields are read-only.",
        responses={200: OrderSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                   viewsets.GenericViewSet):
    serializer_class = OrderSerializer
    permission_classes = [OrderPermissions]
    pagination_class = StrictPageNumberPagination
    filter_backends: list = []  # no filters or ordering: newest first
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        return orders_visible_to(self.request.user)

    def get_object(self):
        if not str(self.kwargs.get("pk", "")).isdigit() or len(str(self.kwargs["pk"])) > 18:
            raise Http404
        return super().get_object()

    @extend_schema(
        tags=["orders"], request=OrderCreateSerializer, summary="Place an order", description=ORDER_CREATE_DESCRIPTION,
        parameters=[OpenApiParameter(IDEMPOTENCY_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER)],
        responses={201: OrderSerializer, 200: OrderSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED, 409: REFUSED,
                   422: KEY_REUSED},
    )
    def create(self, request: Request) -> Response:
        key = request.headers.get(IDEMPOTENCY_HEADER, "")
        if key and not IDEMPOTENCY_KEY.fullmatch(key):
            raise ValidationError({IDEMPOTENCY_HEADER: ["Up to 100 printable ASCII characters, no spaces."]})
        serializer = OrderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cart_owner(request)  # merges the browser's anonymous cart, if the request carries one
        try:
            placement = place_order(request.user.pk, idempotency_key=key, **serializer.validated_data)
        except OrderRefused as exc:
            return Response({"detail": exc.detail, "lines": exc.lines}, status=status.HTTP_409_CONFLICT)
        except IdempotencyKeyReused:
            return Response(
                {IDEMPOTENCY_HEADER: ["This key was already used for an order with another body."]},
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        code = status.HTTP_201_CREATED if placement.created else status.HTTP_200_OK
        order = orders_visible_to(request.user).get(pk=placement.order.pk)
        return Response(OrderSerializer(order).data, status=code)
