"""Django admin of pre-configured products: name, description and one option per part, checked by the configurator.

Price and availability are computed (never typed in): the list computes them for the whole page in a fixed
number of queries, and a configuration the configurator refuses is shown as a form error, never saved.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from apps.catalog.selectors.configurator import CURRENCY
from apps.preconfigured_products.models import PreConfiguredProduct, PreConfiguredProductOption
from apps.preconfigured_products.selectors import PriceAndAvailability, products_price_and_availability
from apps.preconfigured_products.services import check_configuration, update_product


class ProductOptionFormSet(BaseInlineFormSet):
    # Set by ProductOptionInline.get_formset for a user who may see the configuration but not change it.
    read_only = False

    def clean(self) -> None:
        super().clean()
        self.chosen_option_ids: list[int] = []
        if any(self.errors):
            return
        if self.read_only:
            # A view-only inline posts nothing (nor deletions): the stored configuration stays, still checked
            # against the category, which the product form may have changed.
            stored = PreConfiguredProductOption.objects.filter(product_id=self.instance.pk)
            self.chosen_option_ids = list(stored.values_list("option_id", flat=True))
        else:
            for form in self.forms:
                data = getattr(form, "cleaned_data", None) or {}
                if data.get("option") and not data.get("DELETE"):
                    self.chosen_option_ids.append(data["option"].pk)
        if self.instance.category_id is None:
            return  # the product form reports the missing category
        try:
            check_configuration(self.instance.category_id, self.chosen_option_ids)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc


class ProductOptionInline(admin.TabularInline):
    model = PreConfiguredProductOption
    formset = ProductOptionFormSet
    fields = ("option",)
    autocomplete_fields = ("option",)
    verbose_name = "chosen option"
    verbose_name_plural = "configuration (one option per part)"

    def get_extra(self, request: HttpRequest, obj: PreConfiguredProduct | None = None, **kwargs) -> int:
        return 0 if obj is not None else 5

    def get_formset(self, request: HttpRequest, obj: PreConfiguredProduct | None = None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.read_only = not self.has_change_permission(request, obj)
        return formset

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("option__part", "part")


class ProductChangeList(ChangeList):
    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        # One configurator pass for the whole page instead of one per row.
        figures = products_price_and_availability(self.result_list)
        for product in self.result_list:
            product._figures = figures.get(product.pk)


def _figures(product: PreConfiguredProduct) -> PriceAndAvailability | None:
    if not hasattr(product, "_figures"):
        product._figures = products_price_and_availability([product]).get(product.pk) if product.pk else None
    return product._figures


@admin.register(PreConfiguredProduct)
class PreConfiguredProductAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "price", "available", "is_active", "updated_at")
    list_filter = ("is_active", "category")
    search_fields = ("name", "slug", "description")
    list_select_related = ("category",)
    autocomplete_fields = ("category",)
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("price", "available")
    fields = ("category", "name", "slug", "description", "is_active", "price", "available")
    inlines = [ProductOptionInline]

    def get_changelist(self, request: HttpRequest, **kwargs) -> type[ChangeList]:
        return ProductChangeList

    @admin.display(description=f"price ({CURRENCY})")
    def price(self, obj: PreConfiguredProduct) -> Decimal | str:
        figures = _figures(obj)
        return figures.price if figures else "-"

    @admin.display(description="available", boolean=True)
    def available(self, obj: PreConfiguredProduct) -> bool | None:
        figures = _figures(obj)
        return figures.available if figures else None

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not PreConfiguredProductOption:
            super().save_formset(request, form, formset, change)
            return
        # The products service stores one row per part, updating rows in place (no unique-per-part clash
        # when options move between rows) and re-checking the configuration.
        update_product(form.instance, options=formset.chosen_option_ids)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
