"""The storefront's inputs, checked before any service runs: a bad value is a 400 naming the field."""

from __future__ import annotations

from django import forms

from apps.catalog.models import MAX_SELECTED_OPTIONS
from apps.orders.models import MAX_QUANTITY, Order

MAX_ID = 2**63 - 1
FAMILY_SORTS = {"name": "Name", "price": "Price: low to high", "-price": "Price: high to low"}


class OptionIdsField(forms.CharField):
    """Comma-separated option ids ("3,7,12"), at most MAX_SELECTED_OPTIONS of them."""

    def to_python(self, value: str | None) -> list[int]:
        value = super().to_python(value)
        if not value:
            return []
        parts = value.split(",")
        if len(parts) > MAX_SELECTED_OPTIONS:
            raise forms.ValidationError(f"At most {MAX_SELECTED_OPTIONS} options.")
        try:
            ids = [int(part) for part in parts]
        except ValueError:
            raise forms.ValidationError("Option ids separated by commas.") from None
        if any(not 1 <= option_id <= MAX_ID for option_id in ids):
            raise forms.ValidationError("Option ids are positive whole numbers.")
        return ids


class FamilyQueryForm(forms.Form):
    """The query string of a family page."""

    sort = forms.ChoiceField(choices=list(FAMILY_SORTS.items()), required=False)
    available = forms.BooleanField(required=False)
    page = forms.IntegerField(min_value=1, max_value=10_000, required=False)


class ConfiguratorQueryForm(forms.Form):
    """The query string of a configurator page: the options to start from (a product's, to customise it)."""

    options = OptionIdsField(required=False, max_length=2000)


class AddToCartForm(forms.Form):
    """A product, or a category with a complete configuration; the cart service decides what may go in."""

    product = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    category = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    options = OptionIdsField(required=False, max_length=2000)
    quantity = forms.IntegerField(min_value=1, max_value=MAX_QUANTITY, required=False)


class LineChangeForm(forms.Form):
    """A cart line's new quantity, or its removal."""

    quantity = forms.IntegerField(min_value=1, max_value=MAX_QUANTITY, required=False)
    remove = forms.BooleanField(required=False)

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("remove") and data.get("quantity") is None and not self.errors:
            raise forms.ValidationError({"quantity": ["Give a quantity, or remove the line."]})
        return data


class CheckoutForm(forms.ModelForm):
    """Who receives the order: the Order model's own fields and limits."""

    # Made once per checkout page: a second submit of the same form returns the first order.
    idempotency_key = forms.CharField(max_length=100, required=False, widget=forms.HiddenInput)

    class Meta:
        model = Order
        fields = ["name", "email", "address"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}
