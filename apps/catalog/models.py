"""Catalog of configurable products: categories, their parts, part options and the rules between them.

Models stay thin: validation of whole selections and pricing live in
`apps.catalog.services.configurator`.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from apps.catalog.fields import MoneyField


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
        # Field validation reports missing options; only compare two options that are both set.
        if self.part_option_id is None or self.incompatible_with_option_id is None:
            return
        a, b = self.part_option, self.incompatible_with_option
        if a.part.category_id != b.part.category_id:
            raise ValidationError({"incompatible_with_option": "Both options must belong to one category."})
        if a.part_id == b.part_id:
            raise ValidationError({"incompatible_with_option": "Both options must be on different parts."})


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
