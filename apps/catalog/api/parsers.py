"""The API's JSON parser: bounded in size and depth, so no body can cost more than its size or raise a 500.

DRF's own JSONParser reads the request stream directly (Django's DATA_UPLOAD_MAX_MEMORY_SIZE never sees it)
and lets a RecursionError of deeply nested JSON escape as a 500. This one reads at most
DATA_UPLOAD_MAX_MEMORY_SIZE bytes (more is a JSON 413), refuses non-finite numbers, and refuses documents
nested deeper than MAX_JSON_DEPTH (a 400): no serializer of this API takes more than a few levels.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 32


class RequestBodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body too large."
    default_code = "request_too_large"


def max_body_bytes() -> int:
    """The largest body the API reads (Django's DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB by default)."""
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """True when `value` nests lists/objects deeper than `limit` levels (iterative: no recursion to exhaust)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


class BoundedJSONParser(JSONParser):
    """JSON bodies only, at most `max_body_bytes()` long and MAX_JSON_DEPTH deep; finite numbers only."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        limit = max_body_bytes()
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestBodyTooLarge(f"Request body larger than {limit} bytes.")
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        try:
            data = json.loads(raw.decode(encoding), parse_constant=_refuse_constant)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if json_depth_exceeds(data, MAX_JSON_DEPTH):
            raise ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.")
        return data
