"""Pre-configured products: a named, described selection of one option per part of a category.

Price and availability are never stored: the configurator computes them from the chosen options
(`apps.preconfigured_products.selectors`).
"""

from __future__ import annotations

from django.db import models

from apps.catalog.models import Category, Part, PartOption, TimeStamped


class PreConfiguredProduct(TimeStamped):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)
    options = models.ManyToManyField(
        PartOption, through="PreConfiguredProductOption", related_name="products", blank=True
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class PreConfiguredProductOption(models.Model):
    """One chosen option of a product; at most one per part (enforced by the database)."""

    product = models.ForeignKey(PreConfiguredProduct, on_delete=models.CASCADE, related_name="selections")
    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="+")
    option = models.ForeignKey(PartOption, on_delete=models.PROTECT, related_name="product_selections")

    class Meta:
        ordering = ["part__step", "part_id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "part"], name="product_one_option_per_part"),
        ]

    def __str__(self) -> str:
        return f"{self.product}: {self.option}"

    def save(self, *args, **kwargs) -> None:
        # The part is derived from the option, so the one-per-part constraint cannot be dodged.
        self.part_id = self.option.part_id
        super().save(*args, **kwargs)
