"""Query and response bodies of GET /api/ai-assistant/search."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.fields import empty

from apps.ai_assistant.api.query_values import NoBlankQueryValues
from apps.ai_assistant.indexing.documents.registry import DOC_TYPES
from apps.ai_assistant.indexing.state import BUILDING, EMPTY, READY
from apps.ai_assistant.retrieval.query import MAX_LIMIT, resolve_category
from apps.catalog.models import PartOption
from apps.search.selectors.matches import RELEVANCE, SORTS

MAX_OPTIONS = 10  # option ids in one `options` filter
MAX_OFFSET = 1000


class QueryBooleanField(serializers.BooleanField):
    """A boolean query parameter that is not nullable: `?in_stock=null` is a 400 (DRF reads it as "no filter");
    leave the parameter out for no filter, as with the catalog's filters."""

    def get_value(self, dictionary):
        if self.field_name not in dictionary:
            return empty  # the default: no filter
        return dictionary.get(self.field_name)


class SearchQuerySerializer(NoBlankQueryValues):
    # `?type=` would otherwise search without the filter (query_values.py).
    q = serializers.CharField(min_length=1, max_length=500, help_text="What to look for (1-500 characters).")
    type = serializers.ChoiceField(choices=list(DOC_TYPES), required=False, help_text="Only documents of this type.")
    category = serializers.CharField(
        required=False, max_length=120, help_text="Only documents of this category: its id or its slug."
    )
    min_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, help_text="Lowest price (products, parts)."
    )
    max_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, help_text="Highest price (products, parts)."
    )
    in_stock = QueryBooleanField(
        required=False, default=None, help_text="true: only available; false: only unavailable."
    )
    limit = serializers.IntegerField(
        min_value=1, max_value=MAX_LIMIT, required=False, default=10, help_text=f"1-{MAX_LIMIT}, default 10."
    )
    offset = serializers.IntegerField(
        min_value=0, max_value=MAX_OFFSET, required=False, default=0,
        help_text=f"Results to skip (0-{MAX_OFFSET}, default 0): the page is results[offset:offset+limit].",
    )
    sort = serializers.ChoiceField(
        choices=list(SORTS), required=False, default=RELEVANCE,
        help_text="relevance (default), price (lowest first) or -price (highest first): the order of all matches, "
        "applied before the page is cut; results without a price come last.",
    )
    options = serializers.CharField(
        required=False, max_length=200,
        help_text=f"Comma-separated option ids (at most {MAX_OPTIONS}): only products having all of them.",
    )

    def validate_category(self, value: str) -> int:
        try:
            return resolve_category(value.strip())
        except ValueError as exc:
            raise serializers.ValidationError(f"Unknown category {value[:60]!r}: give a category id or slug.") from exc

    def validate_options(self, value: str) -> list[int]:
        pieces = [piece.strip() for piece in value.split(",")]
        if not all(piece.isascii() and piece.isdigit() and 0 < len(piece) < 19 for piece in pieces):
            raise serializers.ValidationError("Give option ids separated by commas, e.g. 3,17.")
        ids = list(dict.fromkeys(int(piece) for piece in pieces))
        if len(ids) > MAX_OPTIONS:
            raise serializers.ValidationError(f"At most {MAX_OPTIONS} option ids.")
        missing = set(ids) - set(PartOption.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if missing:
            raise serializers.ValidationError(f"Unknown option ids: {', '.join(map(str, sorted(missing)))}.")
        return ids

    def validate(self, attrs: dict) -> dict:
        low, high = attrs.get("min_price"), attrs.get("max_price")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"min_price": ["min_price must not be greater than max_price."]})
        return attrs


class SearchResultSerializer(serializers.Serializer):
    id = serializers.CharField(help_text='Document id, e.g. "product:12".')
    type = serializers.ChoiceField(choices=list(DOC_TYPES))
    object_id = serializers.IntegerField(help_text="Primary key of the catalog row.")
    name = serializers.CharField()
    score = serializers.FloatField(help_text="Fused rank score (higher is better); > 1 for an exact name match.")
    price = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, help_text="Product price, or a part's lowest option price."
    )
    in_stock = serializers.BooleanField(allow_null=True)
    category = serializers.CharField(allow_null=True)
    category_id = serializers.IntegerField(allow_null=True)
    snippet = serializers.CharField(allow_blank=True)


INDEX_STATE_HELP = (
    '"ready": the index holds documents; "building": the first build is queued or running, results come when it '
    'finishes; "empty": nothing is indexed and no build runs (staff: POST /api/ai-assistant/index/rebuild).'
)


class IndexStateField(serializers.ChoiceField):
    """`index_state` of search and chat answers, so an empty list is never ambiguous."""

    def __init__(self, **kwargs) -> None:
        super().__init__(choices=[READY, BUILDING, EMPTY], help_text=INDEX_STATE_HELP, **kwargs)


class FacetCountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    count = serializers.IntegerField()


class PartFacetSerializer(serializers.Serializer):
    part_id = serializers.IntegerField()
    part = serializers.CharField(help_text="The part's name.")
    options = FacetCountSerializer(many=True, help_text="Matched products per chosen option of this part.")


class PriceBucketSerializer(serializers.Serializer):
    min = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Lowest price in the bucket.")
    max = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Upper bound, not included.")
    count = serializers.IntegerField()


class StockFacetSerializer(serializers.Serializer):
    true = serializers.IntegerField(help_text="Matched products available now.")
    false = serializers.IntegerField(help_text="Matched products not available now.")


class FacetsSerializer(serializers.Serializer):
    category = FacetCountSerializer(many=True, help_text="Matched products per category.")
    options = PartFacetSerializer(many=True)
    price = PriceBucketSerializer(many=True, help_text="Round-width price buckets covering the matched prices.")
    in_stock = StockFacetSerializer()


class SearchResponseSerializer(serializers.Serializer):
    query = serializers.CharField()
    results = SearchResultSerializer(many=True)
    total = serializers.IntegerField(help_text="Results of the search over all pages.")
    offset = serializers.IntegerField()
    facets = FacetsSerializer(
        help_text="Counts over every product the search matched (all pages, not only this one), same filters."
    )
    suggestion = serializers.CharField(
        allow_null=True, help_text="Did you mean: the query with misspelt words corrected, when it found few hits."
    )
    took_ms = serializers.FloatField()
    index_state = IndexStateField()
