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
from apps.catalog.services.catalog import set_options_stock
from apps.preconfigured_products.models import PreConfiguredProduct


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
        protected = _listed("Pre-configured product", _products_using(category__in=[obj.pk for obj in objs]))
        return _guarded_deleted_objects(super().get_deleted_objects, objs, request, protected)

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


def _protected_by_rules(options: QuerySet[PartOption]) -> list[str]:
    """Price rules that would silently widen (lose a condition) if these options went away."""
    rules = (
        PriceAdjustmentRule.objects.filter(condition_options__in=options)
        .exclude(affected_option__in=options)
        .select_related("affected_option__part")
        .distinct()
        .order_by("id")
    )
    return _listed("Price rule", rules)


def _guarded_deleted_objects(admin_deleted_objects, objs, request: HttpRequest, protected: list[str]):
    """The admin's delete summary, unless something protects the rows: then only that list.

    Django's summary loads and prints every row a delete would cascade to, one query per row; for a
    category or option used by thousands of products that is thousands of queries for a page that
    can only say "cannot delete".
    """
    if protected:
        return [], {}, set(), protected
    return admin_deleted_objects(objs, request)


def _products_using(**lookup) -> QuerySet[PreConfiguredProduct]:
    return PreConfiguredProduct.objects.filter(**lookup).distinct().order_by("id")


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
        parts = Part.objects.filter(pk__in=[obj.pk for obj in objs])
        # A product's selection of this part would be cascaded away silently, leaving it incomplete.
        protected = _listed("Pre-configured product", _products_using(selections__part__in=parts))
        protected += _protected_by_rules(PartOption.objects.filter(part__in=parts))
        return _guarded_deleted_objects(super().get_deleted_objects, objs, request, protected)


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
        options = PartOption.objects.filter(pk__in=[obj.pk for obj in objs])
        protected = _listed("Pre-configured product", _products_using(selections__option__in=options))
        protected += _protected_by_rules(options)
        return _guarded_deleted_objects(super().get_deleted_objects, objs, request, protected)


class IncompatibilityRuleForm(forms.ModelForm):
    class Meta:
        model = IncompatibilityRule
        fields = ("part_option", "incompatible_with_option", "message")

    def _post_clean(self) -> None:
        # The model's clean() reads both options; without them (a field error is already shown) skip it.
        if self.cleaned_data.get("part_option") and self.cleaned_data.get("incompatible_with_option"):
            super()._post_clean()

    def clean(self) -> dict:
        cleaned = super().clean()
        a, b = cleaned.get("part_option"), cleaned.get("incompatible_with_option")
        if a and b:
            # The rule is symmetric, so the reversed pair is the same rule.
            duplicate = IncompatibilityRule.objects.filter(part_option=b, incompatible_with_option=a)
            if self.instance.pk:
                duplicate = duplicate.exclude(pk=self.instance.pk)
            if duplicate.exists():
                raise forms.ValidationError({"incompatible_with_option": "This pair already has a rule."})
        return cleaned


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
            if any(option.part.category_id != affected.part.category_id for option in conditions):
                self.add_error("condition_options", "Every condition must belong to the affected option's category.")
            elif any(option.part_id == affected.part_id for option in conditions):
                self.add_error("condition_options", "A condition cannot be on the affected option's own part.")
            elif len({option.part_id for option in conditions}) != len(conditions):
                self.add_error("condition_options", "Two conditions on one part can never both be chosen.")
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
