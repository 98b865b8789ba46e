"""Fixtures of the API documentation tests: the OpenAPI schema the project serves."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def schema() -> dict:
    """The schema /api/schema/ serves (public view: every operation, whoever asks)."""
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema: dict) -> list[tuple[str, str, dict]]:
    """(method, path, operation) of every operation in the schema."""
    methods = {"get", "post", "put", "patch", "delete"}
    return [(m, path, op) for path, ops in schema["paths"].items() for m, op in ops.items() if m in methods]
