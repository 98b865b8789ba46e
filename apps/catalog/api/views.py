"""Catalog endpoints (the README's API table): thin views over the serializers, services and selectors."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.api.base import CatalogViewSet, PublicReadsAutoSchema
from apps.catalog.api.filters import (
    CategoryFilter,
    IncompatibilityRuleFilter,
    PartFilter,
    PartOptionFilter,
    PriceAdjustmentRuleFilter,
)
from apps.catalog.api.schema import BAD_REQUEST, NOT_FOUND, crud_schema
from apps.catalog.api.serializers import (
    CategorySerializer,
    ConfiguratorSerializer,
    IncompatibilityRuleSerializer,
    PartOptionSerializer,
    PartSerializer,
    PriceAdjustmentRuleSerializer,
    QuoteRequestSerializer,
    QuoteSerializer,
)
from apps.catalog.models import Category, IncompatibilityRule, Part, PartOption, PriceAdjustmentRule
from apps.catalog.selectors.configurator import category_configurator
from apps.catalog.services.catalog import delete_category, delete_part, delete_part_option
from apps.catalog.services.configurator import STRUCTURAL_CODES, quote


@crud_schema(CategorySerializer, "catalog", "category", plural="categories")
class CategoryViewSet(CatalogViewSet):
    queryset = Category.objects.all()
    serializer_class = CategorySerializer
    filterset_class = CategoryFilter
    search_fields = ["name", "description"]
    ordering_fields = ["id", "name", "created_at", "updated_at"]

    def perform_destroy(self, instance: Category) -> None:
        delete_category(instance)

    @extend_schema(
        tags=["configurator"],
        summary="A category's configurator",
        responses={200: ConfiguratorSerializer, 404: NOT_FOUND},
        description="Parts in step order with their active options (price, in_stock) and the rules between them.",
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def configurator(self, request: Request, pk: str | None = None) -> Response:
        category = self.get_object()
        return Response(ConfiguratorSerializer(category_configurator(category.pk)).data)


@crud_schema(PartSerializer, "catalog", "part")
class PartViewSet(CatalogViewSet):
    queryset = Part.objects.select_related("category")
    serializer_class = PartSerializer
    filterset_class = PartFilter
    search_fields = ["name", "description"]
    ordering_fields = ["id", "name", "step", "category"]

    def perform_destroy(self, instance: Part) -> None:
        delete_part(instance)


@crud_schema(PartOptionSerializer, "catalog", "part option")
class PartOptionViewSet(CatalogViewSet):
    queryset = PartOption.objects.select_related("part")
    serializer_class = PartOptionSerializer
    filterset_class = PartOptionFilter
    search_fields = ["name", "description", "part__name"]
    ordering_fields = ["id", "name", "default_price", "part"]

    def perform_destroy(self, instance: PartOption) -> None:
        delete_part_option(instance)


@crud_schema(IncompatibilityRuleSerializer, "catalog", "incompatibility rule")
class IncompatibilityRuleViewSet(CatalogViewSet):
    queryset = IncompatibilityRule.objects.select_related("part_option__part", "incompatible_with_option")
    serializer_class = IncompatibilityRuleSerializer
    filterset_class = IncompatibilityRuleFilter
    search_fields = ["message", "part_option__name", "incompatible_with_option__name"]
    ordering_fields = ["id"]


@crud_schema(PriceAdjustmentRuleSerializer, "catalog", "price adjustment rule")
class PriceAdjustmentRuleViewSet(CatalogViewSet):
    queryset = PriceAdjustmentRule.objects.select_related("affected_option__part").prefetch_related("condition_options")
    serializer_class = PriceAdjustmentRuleSerializer
    filterset_class = PriceAdjustmentRuleFilter
    search_fields = ["description", "affected_option__name"]
    ordering_fields = ["id", "adjusted_price"]


QUOTE_DESCRIPTION = """Validate and price a selection of part options of one category.

A **partial selection is normal** (a configurator UI asks after every click): the answer is 200 with
`valid: false` and errors for configuration-level problems - `missing_part` (a required part has no
option yet), `inactive`, `out_of_stock`, `incompatible` (message from the rule) - and
`available_options` still lists, for every part, the options that can still be chosen given the
choices on the other parts, with the price each would have.

400 (naming the field) is for a malformed request: `category` missing, not an integer or unknown;
`options` not a list of at most 50 integers, or naming unknown options, options of another category,
the same option twice or two options of one part.
"""


QUOTE_EXAMPLES = [
    OpenApiExample("A partial bicycle", request_only=True, value={"category": 1, "options": [1, 4]}),
    OpenApiExample(
        "Not complete yet",
        response_only=True,
        value={
            "valid": False,
            "errors": [{"code": "missing_part", "message": 'Choose an option for "Wheels".', "options": []}],
            "price": "180.00",
            "currency": "EUR",
            "breakdown": [
                {"part": "Frame type", "part_id": 1, "option": "full-suspension", "option_id": 1, "price": "130.00",
                 "rule": None},
                {"part": "Frame finish", "part_id": 2, "option": "matte", "option_id": 4, "price": "50.00", "rule": 3},
            ],
            "available_options": {"3": [{"id": 6, "name": "road wheels", "price": "80.00"}]},
        },
    ),
]


class QuoteView(APIView):
    """POST /api/configurator/quote"""

    permission_classes = [AllowAny]
    schema = PublicReadsAutoSchema()

    @extend_schema(
        tags=["configurator"],
        summary="Validate and price a selection",
        request=QuoteRequestSerializer,
        responses={200: QuoteSerializer, 400: BAD_REQUEST},
        description=QUOTE_DESCRIPTION,
        examples=QUOTE_EXAMPLES,
    )
    def post(self, request: Request) -> Response:
        serializer = QuoteRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = quote(serializer.validated_data["category"], serializer.validated_data["options"])
        structural = [error for error in result.errors if error.code in STRUCTURAL_CODES]
        if structural:
            # unknown_category only when the category was deleted since the serializer looked.
            field = "category" if structural[0].code == "unknown_category" else "options"
            return Response({field: [error.message for error in structural]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(QuoteSerializer(result).data)
