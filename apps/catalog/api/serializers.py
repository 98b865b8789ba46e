"""Serializers of the catalog API: input checks that name the field, and the configurator's shapes."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import serializers

from apps.catalog.fields import without_negative_zero
from apps.catalog.models import (
    MAX_SELECTED_OPTIONS,
    Category,
    IncompatibilityRule,
    Part,
    PartOption,
    PriceAdjustmentRule,
)
from apps.catalog.services.catalog import save_price_rule, unique_slug

MAX_ID = 2**63 - 1
MAX_STEP = 10_000
MAX_QUOTE_OPTIONS = MAX_SELECTED_OPTIONS


class MoneyField(serializers.DecimalField):
    """Euros: Decimal, at most 10 digits with 2 decimal places, never negative; a string in responses."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("coerce_to_string", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> Decimal:
        return without_negative_zero(super().to_internal_value(data))


class TotalField(MoneyField):
    """A sum of money fields: room for more digits than any one price."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_digits", 14)
        super().__init__(**kwargs)


class StrictBooleanField(serializers.BooleanField):
    """JSON true or false only: DRF would also take 0, 1, "no" or "false" and guess."""

    def to_internal_value(self, data) -> bool:
        if isinstance(data, bool):
            return data
        self.fail("invalid", input=data)


class JsonStringMixin:
    """A JSON string only: DRF would store 0 or 1.5 as "0" or "1.5"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(JsonStringMixin, serializers.CharField):
    pass


class StrictSlugField(JsonStringMixin, serializers.SlugField):
    pass


class JsonModelSerializer(serializers.ModelSerializer):
    """ModelSerializer of a JSON API: model booleans and texts take JSON booleans and strings only."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.BooleanField: StrictBooleanField,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.SlugField: StrictSlugField,
    }


def _merged(serializer: serializers.Serializer, attrs: dict, name: str):
    """The value a field will have after this write: the new one, else the instance's (PATCH)."""
    if name in attrs:
        return attrs[name]
    return getattr(serializer.instance, name, None) if serializer.instance is not None else None


def _immutable(serializer: serializers.Serializer, attrs: dict, name: str, message: str) -> None:
    if serializer.instance is not None and name in attrs and attrs[name] != getattr(serializer.instance, name):
        raise serializers.ValidationError({name: message})


def _model_check(check: Callable[[], None]) -> None:
    """Run a rule check the model owns (the admin runs the same one): its error is a 400 naming the same field."""
    try:
        check()
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.message_dict) from exc


class CategorySerializer(JsonModelSerializer):
    slug = StrictSlugField(
        max_length=120,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Made from the name when left out.",
    )

    class Meta:
        model = Category
        fields = ["id", "name", "slug", "description", "is_active", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def validate_name(self, value: str) -> str:
        taken = Category.objects.filter(name__iexact=value)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise serializers.ValidationError("A category with this name already exists.")
        return value

    def validate_slug(self, value: str) -> str:
        taken = Category.objects.filter(slug=value)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if value and taken.exists():
            raise serializers.ValidationError("A category with this slug already exists.")
        return value

    def validate(self, attrs: dict) -> dict:
        if not attrs.get("slug") and (self.instance is None or "slug" in attrs):
            name = _merged(self, attrs, "name") or ""
            attrs["slug"] = unique_slug(
                Category, name, max_length=120, exclude_pk=self.instance.pk if self.instance else None
            )
        return attrs


class PartSerializer(JsonModelSerializer):
    step = serializers.IntegerField(
        min_value=0, max_value=MAX_STEP, required=False, help_text="Order in the configurator."
    )
    category_name = serializers.CharField(source="category.name", read_only=True)

    class Meta:
        model = Part
        fields = [
            "id",
            "category",
            "category_name",
            "name",
            "step",
            "required",
            "description",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []  # the unique name check below names the field

    def validate(self, attrs: dict) -> dict:
        _immutable(self, attrs, "category", "A part cannot be moved to another category; create a new part there.")
        name = _merged(self, attrs, "name")
        category = _merged(self, attrs, "category")
        if name and category:
            taken = Part.objects.filter(category=category, name__iexact=name)
            if self.instance is not None:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                raise serializers.ValidationError({"name": "This category already has a part with this name."})
        return attrs


class PartOptionSerializer(JsonModelSerializer):
    default_price = MoneyField()
    part_name = serializers.CharField(source="part.name", read_only=True)
    category = serializers.IntegerField(source="part.category_id", read_only=True)

    class Meta:
        model = PartOption
        fields = [
            "id",
            "part",
            "part_name",
            "category",
            "name",
            "description",
            "default_price",
            "in_stock",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []

    def validate(self, attrs: dict) -> dict:
        _immutable(self, attrs, "part", "An option cannot be moved to another part; create a new option there.")
        name = _merged(self, attrs, "name")
        part = _merged(self, attrs, "part")
        if name and part:
            taken = PartOption.objects.filter(part=part, name__iexact=name)
            if self.instance is not None:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                raise serializers.ValidationError({"name": "This part already has an option with this name."})
        return attrs


class IncompatibilityRuleSerializer(JsonModelSerializer):
    category = serializers.IntegerField(source="part_option.part.category_id", read_only=True)
    part_option_name = serializers.CharField(source="part_option.name", read_only=True)
    incompatible_with_option_name = serializers.CharField(source="incompatible_with_option.name", read_only=True)

    class Meta:
        model = IncompatibilityRule
        fields = [
            "id",
            "category",
            "part_option",
            "part_option_name",
            "incompatible_with_option",
            "incompatible_with_option_name",
            "message",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators: list = []

    def validate(self, attrs: dict) -> dict:
        rule = IncompatibilityRule(
            pk=self.instance.pk if self.instance is not None else None,
            part_option=_merged(self, attrs, "part_option"),
            incompatible_with_option=_merged(self, attrs, "incompatible_with_option"),
        )
        _model_check(rule.clean)
        return attrs


class PriceAdjustmentRuleSerializer(JsonModelSerializer):
    adjusted_price = MoneyField(help_text="The affected option's price when every condition option is chosen.")
    condition_options = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=PartOption.objects.select_related("part"),
        allow_empty=False,
        help_text="Options (of other parts of the same category) that must all be chosen.",
    )
    category = serializers.IntegerField(source="affected_option.part.category_id", read_only=True)
    affected_option_name = serializers.CharField(source="affected_option.name", read_only=True)

    class Meta:
        model = PriceAdjustmentRule
        fields = [
            "id",
            "category",
            "affected_option",
            "affected_option_name",
            "condition_options",
            "adjusted_price",
            "description",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate(self, attrs: dict) -> dict:
        if "condition_options" in attrs:
            conditions = attrs["condition_options"]
        elif self.instance is not None:
            conditions = list(self.instance.condition_options.select_related("part"))
        else:
            conditions = []
        rule = PriceAdjustmentRule(
            pk=self.instance.pk if self.instance is not None else None,
            affected_option=_merged(self, attrs, "affected_option"),
        )
        _model_check(lambda: rule.clean_conditions(conditions))
        return attrs

    def create(self, validated_data: dict) -> PriceAdjustmentRule:
        return save_price_rule(**validated_data)

    def update(self, instance: PriceAdjustmentRule, validated_data: dict) -> PriceAdjustmentRule:
        return save_price_rule(rule=instance, **validated_data)


# --- The configurator ----------------------------------------------------------------------------------


class ConfiguratorOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    price = MoneyField()
    in_stock = serializers.BooleanField()


class ConfiguratorPartSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    step = serializers.IntegerField()
    required = serializers.BooleanField()
    description = serializers.CharField()
    options = ConfiguratorOptionSerializer(many=True)


class ConfiguratorIncompatibilitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    option = serializers.IntegerField()
    incompatible_with_option = serializers.IntegerField()
    message = serializers.CharField()


class ConfiguratorPriceRuleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    affected_option = serializers.IntegerField()
    condition_options = serializers.ListField(child=serializers.IntegerField())
    adjusted_price = MoneyField()
    description = serializers.CharField()


class ConfiguratorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    is_active = serializers.BooleanField()
    currency = serializers.CharField()
    parts = ConfiguratorPartSerializer(many=True)
    incompatibility_rules = ConfiguratorIncompatibilitySerializer(many=True)
    price_rules = ConfiguratorPriceRuleSerializer(many=True)


class QuoteRequestSerializer(serializers.Serializer):
    category = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    options = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        allow_empty=True,
        max_length=MAX_QUOTE_OPTIONS,
        help_text="Chosen part option ids; a partial selection is fine.",
    )

    def validate_category(self, value: int) -> int:
        if not Category.objects.filter(pk=value).exists():
            raise serializers.ValidationError(f"Category {value} does not exist.")
        return value


class QuoteErrorSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["missing_part", "inactive", "out_of_stock", "incompatible"])
    message = serializers.CharField()
    options = serializers.ListField(child=serializers.IntegerField())


class LineItemSerializer(serializers.Serializer):
    part = serializers.CharField()
    part_id = serializers.IntegerField()
    option = serializers.CharField()
    option_id = serializers.IntegerField()
    price = MoneyField()
    rule = serializers.IntegerField(allow_null=True, help_text="The price rule that set this price, if any.")


class AvailableOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    price = MoneyField()


class QuoteSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    errors = QuoteErrorSerializer(many=True)
    price = TotalField()
    currency = serializers.CharField()
    breakdown = LineItemSerializer(many=True)
    available_options = serializers.DictField(
        child=AvailableOptionSerializer(many=True),
        help_text="Part id -> the options still choosable given the choices on the other parts, priced accordingly.",
    )
