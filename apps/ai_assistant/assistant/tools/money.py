"""Prices as the API and the tools write them: strings with two decimals, in the configurator's currency."""

from __future__ import annotations

from decimal import Decimal

from apps.catalog.services import configurator

CENT = Decimal("0.01")


def money(value: Decimal | int | str | None) -> str | None:
    """A price as the API writes it: a string with two decimals."""
    if value is None:
        return None
    return str(Decimal(value).quantize(CENT))


def currency() -> str:
    return configurator.CURRENCY
