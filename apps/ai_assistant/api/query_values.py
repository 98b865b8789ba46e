"""Query parameters given empty: a 400 naming them, not the default.

DRF reads `?limit=` as "not given" and applies the default, so a malformed request would be answered as if the
parameter were left out. The search and suggest query serializers refuse it instead.
"""

from __future__ import annotations

from rest_framework import serializers


class NoBlankQueryValues(serializers.Serializer):
    """A query serializer whose parameters, when present, must not be empty."""

    def to_internal_value(self, data):
        blank = [name for name in self.fields if name in data and data.get(name) == ""]
        if blank:
            raise serializers.ValidationError({name: ["Must not be empty; leave the parameter out."] for name in blank})
        return super().to_internal_value(data)
