"""Django admin of the catalog: Marcus runs the shop from here (parts, options, stock, prices and rules).

Every list page joins what its rows print (`list_select_related`) and every option picker is an
autocomplete, so pages stay a few queries even with a synthetic catalog of 50,000 products.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from apps.catalog.models import Category, IncompatibilityRule, Part, PartOption, PriceAdjustmentRule
from apps.catalog.services.catalog import (
    DeleteBlocker,
    category_delete_blockers,
    option_delete_blockers,
    part_delete_blockers,
    set_options_stock,
)


class PartInline(admin.TabularInline):
    model = Part
    fields = ("name", "step", "required")
    extra = 0
    show_change_link = True
    ordering = ("step", "id")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "is_active", "part_count", "product_count")
    list_filter = ("is_active",)
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [PartInline]

    def get_deleted_objects(self, objs, request: HttpRequest):
        blockers = category_delete_blockers(Category.objects.filter(pk__in=[obj.pk for obj in objs]))
        return _guarded_deleted_objects(super().get_deleted_objects, objs, request, blockers)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Category]:
        return (
            super()
            .get_queryset(request)
            .annotate(part_total=Count("parts", distinct=True), product_total=Count("products", distinct=True))
        )

    @admin.display(description="parts", ordering="part_total")
    def part_count(self, obj: Category) -> int:
        return obj.part_total

    @admin.display(description="products", ordering="product_total")
    def product_count(self, obj: Category) -> int:
        return obj.product_total


class PartOptionInline(admin.TabularInline):
    model = PartOption
    fields = ("name", "default_price", "in_stock", "is_active", "description")
    extra = 0
    show_change_link = True
    formfield_overrides = {
        # A one-line description box keeps the inline table readable.
        PartOption._meta.get_field("description").__class__: {"widget": forms.TextInput(attrs={"size": 60})}
    }


SHOWN_PROTECTED = 20


def _listed(label: str, queryset: QuerySet) -> list[str]:
    """Up to SHOWN_PROTECTED rows as "label: row", plus a line counting the rest."""
    rows = [f"{label}: {obj}" for obj in queryset[: SHOWN_PROTECTED + 1]]
    if len(rows) > SHOWN_PROTECTED:
        rest = queryset.count() - SHOWN_PROTECTED
        rows[SHOWN_PROTECTED:] = [f"... and {rest} more"]
    return rows


def _guarded_deleted_objects(admin_deleted_objects, objs, request: HttpRequest, blockers: list[DeleteBlocker]):
    """The admin's delete summary, unless something protects the rows (the API's delete guard): then only that list.

    Django's summary loads and prints every row a delete would cascade to, one query per row; for a
    category or option used by thousands of products that is thousands of queries for a page that
    can only say "cannot delete".
    """
    protected = [line for blocker in blockers for line in _listed(blocker.label, blocker.rows)]
    if protected:
        return [], {}, set(), protected
    return admin_deleted_objects(objs, request)


@admin.register(Part)
class PartAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "step", "required", "option_count")
    list_filter = ("category", "required")
    search_fields = ("name", "category__name")
    list_select_related = ("category",)
    autocomplete_fields = ("category",)
    ordering = ("category__name", "step", "id")
    inlines = [PartOptionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Part]:
        return super().get_queryset(request).annotate(option_total=Count("options"))

    @admin.display(description="options", ordering="option_total")
    def option_count(self, obj: Part) -> int:
        return obj.option_total

    def get_deleted_objects(self, objs, request: HttpRequest):
        blockers = part_delete_blockers(Part.objects.filter(pk__in=[obj.pk for obj in objs]))
        return _guarded_deleted_objects(super().get_deleted_objects, objs, request, blockers)


@admin.register(PartOption)
class PartOptionAdmin(admin.ModelAdmin):
    list_display = ("name", "part", "category", "default_price", "in_stock", "is_active")
    list_display_links = ("name",)
    list_editable = ("default_price", "in_stock")
    list_filter = ("in_stock", "is_active", "part__category")
    search_fields = ("name", "description", "part__name", "part__category__name")
    list_select_related = ("part__category",)
    autocomplete_fields = ("part",)
    ordering = ("part__category__name", "part__step", "part_id", "id")
    actions = ["mark_out_of_stock", "mark_in_stock"]

    @admin.display(description="category", ordering="part__category__name")
    def category(self, obj: PartOption) -> str:
        return obj.part.category.name

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        # The autocomplete of other forms lists options by "Part: option": join the part for their labels.
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.select_related("part__category"), may_have_duplicates

    @admin.action(description="Mark selected options temporarily out of stock", permissions=["change"])
    def mark_out_of_stock(self, request: HttpRequest, queryset: QuerySet[PartOption]) -> None:
        changed = set_options_stock(queryset.values_list("pk", flat=True), in_stock=False)
        self.message_user(request, f"{changed} option(s) marked out of stock.", messages.SUCCESS)

    @admin.action(description="Mark selected options back in stock", permissions=["change"])
    def mark_in_stock(self, request: HttpRequest, queryset: QuerySet[PartOption]) -> None:
        changed = set_options_stock(queryset.values_list("pk", flat=True), in_stock=True)
        self.message_user(request, f"{changed} option(s) marked in stock.", messages.SUCCESS)

    def get_deleted_objects(self, objs, request: HttpRequest):
        blockers = option_delete_blockers(PartOption.objects.filter(pk__in=[obj.pk for obj in objs]))
        return _guarded_deleted_objects(super().get_deleted_objects, objs, request, blockers)


class IncompatibilityRuleForm(forms.ModelForm):
    class Meta:
        model = IncompatibilityRule
        fields = ("part_option", "incompatible_with_option", "message")

    # The rule's checks (one category, different parts, no duplicate pair, ...) are the model's clean(), which the
    # API runs too; ModelForm calls it, so the errors show on the same field with the same message.


@admin.register(IncompatibilityRule)
class IncompatibilityRuleAdmin(admin.ModelAdmin):
    form = IncompatibilityRuleForm
    list_display = ("part_option", "incompatible_with_option", "message", "category")
    list_filter = ("part_option__part__category",)
    search_fields = ("part_option__name", "incompatible_with_option__name", "message")
    list_select_related = ("part_option__part__category", "incompatible_with_option__part")
    autocomplete_fields = ("part_option", "incompatible_with_option")

    @admin.display(description="category", ordering="part_option__part__category__name")
    def category(self, obj: IncompatibilityRule) -> str:
        return obj.part_option.part.category.name


class PriceAdjustmentRuleForm(forms.ModelForm):
    class Meta:
        model = PriceAdjustmentRule
        fields = ("affected_option", "condition_options", "adjusted_price", "description")

    def clean(self) -> dict:
        cleaned = super().clean()
        affected, conditions = cleaned.get("affected_option"), cleaned.get("condition_options")
        if affected and conditions:
            # The conditions' checks the API runs too; the error names `condition_options` with the same message.
            rule = PriceAdjustmentRule(pk=self.instance.pk, affected_option=affected)
            rule.clean_conditions(conditions.select_related("part"))
        return cleaned


@admin.register(PriceAdjustmentRule)
class PriceAdjustmentRuleAdmin(admin.ModelAdmin):
    form = PriceAdjustmentRuleForm
    list_display = ("affected_option", "conditions", "adjusted_price", "default_price", "category")
    list_filter = ("affected_option__part__category",)
    search_fields = ("affected_option__name", "condition_options__name", "description")
    list_select_related = ("affected_option__part__category",)
    autocomplete_fields = ("affected_option",)
    filter_horizontal = ("condition_options",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[PriceAdjustmentRule]:
        return super().get_queryset(request).prefetch_related("condition_options__part")

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "condition_options":
            # Labels print the part name: join it rather than one query per option.
            kwargs["queryset"] = PartOption.objects.select_related("part__category").order_by(
                "part__category__name", "part__step", "id"
            )
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "condition_options":
            formfield.label_from_instance = lambda o: f"{o.part.category.name} / {o.part.name}: {o.name}"
        return formfield

    @admin.display(description="when chosen with")
    def conditions(self, obj: PriceAdjustmentRule) -> str:
        return ", ".join(option.name for option in obj.condition_options.all())

    @admin.display(description="default price", ordering="affected_option__default_price")
    def default_price(self, obj: PriceAdjustmentRule):
        return obj.affected_option.default_price

    @admin.display(description="category", ordering="affected_option__part__category__name")
    def category(self, obj: PriceAdjustmentRule) -> str:
        return obj.affected_option.part.category.name
