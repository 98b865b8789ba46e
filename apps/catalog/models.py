"""Catalog of configurable products: categories, their parts, part options and the rules between them.

Each rule between options is checked here, in one place, which the API serializers and the admin forms
both call: `IncompatibilityRule.clean()` and `PriceAdjustmentRule.clean_conditions()` (the database
constraints below back them). Validation of whole selections and pricing live in
`apps.catalog.services.configurator`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from apps.catalog.fields import MoneyField

# The most options one selection names: a quote's choices, a price rule's conditions (which must fit in one).
MAX_SELECTED_OPTIONS = 50


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Category(TimeStamped):
    """A kind of configurable product: bicycles, skis, surfboards, roller skates."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Part(TimeStamped):
    """One step of the configurator of a category (frame type, finish, wheels, ...)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="parts")
    name = models.CharField(max_length=100)
    step = models.PositiveIntegerField(default=0, help_text="Order of this part in the configurator.")
    required = models.BooleanField(default=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["category_id", "step", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "name"], name="part_unique_name_per_category"),
        ]

    def __str__(self) -> str:
        return f"{self.category.name}: {self.name}"


class PartOption(TimeStamped):
    """A choice for a part (matte finish, red rims, ...), with its default price and stock switch."""

    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="options")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    default_price = MoneyField(default=Decimal("0.00"), validators=[MinValueValidator(0)])
    in_stock = models.BooleanField(default=True, help_text="Off means temporarily out of stock.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["part_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["part", "name"], name="option_unique_name_per_part"),
            models.CheckConstraint(condition=Q(default_price__gte=0), name="option_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.part.name}: {self.name}"


class IncompatibilityRule(TimeStamped):
    """Two options that cannot be chosen together; symmetric."""

    part_option = models.ForeignKey(PartOption, on_delete=models.CASCADE, related_name="incompatibility_rules")
    incompatible_with_option = models.ForeignKey(
        PartOption, on_delete=models.CASCADE, related_name="incompatibility_rules_as_target"
    )
    message = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(part_option=F("incompatible_with_option")), name="incompatibility_not_self"
            ),
            models.UniqueConstraint(
                fields=["part_option", "incompatible_with_option"], name="incompatibility_unique_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.part_option} ✗ {self.incompatible_with_option}"

    def clean(self) -> None:
        """The rule's checks, for the API and the admin alike: errors name `incompatible_with_option`."""
        # Field validation reports missing options; only compare two options that are both set.
        if self.part_option_id is None or self.incompatible_with_option_id is None:
            return
        a, b = self.part_option, self.incompatible_with_option
        field = "incompatible_with_option"
        if a.pk == b.pk:
            raise ValidationError({field: "An option cannot be incompatible with itself."})
        if a.part.category_id != b.part.category_id:
            raise ValidationError({field: "Both options must belong to one category."})
        if a.part_id == b.part_id:
            raise ValidationError(
                {field: "Both options must be on different parts (one part's options exclude each other already)."}
            )
        # The rule is symmetric, so the reversed pair is the same rule.
        existing = IncompatibilityRule.objects.filter(
            Q(part_option=a, incompatible_with_option=b) | Q(part_option=b, incompatible_with_option=a)
        )
        if self.pk is not None:
            existing = existing.exclude(pk=self.pk)
        if existing.exists():
            raise ValidationError({field: "A rule between these two options already exists."})


class PriceAdjustmentRule(TimeStamped):
    """The affected option costs `adjusted_price` when every condition option is chosen too."""

    affected_option = models.ForeignKey(PartOption, on_delete=models.CASCADE, related_name="price_rules")
    condition_options = models.ManyToManyField(PartOption, related_name="conditioned_price_rules")
    adjusted_price = MoneyField(validators=[MinValueValidator(0)])
    description = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(adjusted_price__gte=0), name="price_rule_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.affected_option} at {self.adjusted_price}"

    def clean_conditions(self, condition_options: Iterable[PartOption]) -> None:
        """The checks of this rule's conditions (a many-to-many, so not part of `clean()`), for the API and the
        admin alike: errors name `condition_options`. Reads `affected_option` and, when saved, `pk`."""
        if self.affected_option_id is None:
            return  # field validation reports the missing option
        affected, conditions = self.affected_option, list(condition_options)
        field = "condition_options"
        ids = [option.pk for option in conditions]
        if len(ids) != len(set(ids)):
            raise ValidationError({field: "A condition option is listed more than once."})
        if len(ids) > MAX_SELECTED_OPTIONS:
            raise ValidationError({field: f"At most {MAX_SELECTED_OPTIONS} condition options."})
        if affected.pk in ids:
            raise ValidationError({field: "The affected option cannot be its own condition."})
        category_id = affected.part.category_id
        if any(option.part.category_id != category_id for option in conditions):
            raise ValidationError({field: "Condition options must belong to the affected option's category."})
        parts = [option.part_id for option in conditions]
        if affected.part_id in parts:
            raise ValidationError(
                {field: "A condition option on the affected option's own part can never be chosen with it."}
            )
        if len(parts) != len(set(parts)):
            raise ValidationError({field: "Two condition options on one part can never be chosen together."})
        twins = PriceAdjustmentRule.objects.filter(affected_option=affected).prefetch_related("condition_options")
        if self.pk is not None:
            twins = twins.exclude(pk=self.pk)
        if any({option.pk for option in twin.condition_options.all()} == set(ids) for twin in twins):
            raise ValidationError({field: "A rule with these conditions already exists for this option."})
