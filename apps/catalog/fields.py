"""Model fields of the catalog."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models


def without_negative_zero(value: Any) -> Any:
    """Decimal("-0.00") -> Decimal("0.00"): a price of minus zero passes `>= 0` but reads as a negative price."""
    if isinstance(value, Decimal) and value.is_zero() and value.is_signed():
        return value.copy_abs()
    return value


class MoneyField(models.DecimalField):
    """A price in euros (10 digits, 2 decimals), never stored or shown as minus zero, whatever wrote it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Any:
        return without_negative_zero(super().to_python(value))

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = without_negative_zero(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value: Any) -> Any:
        return without_negative_zero(super().get_prep_value(value))
