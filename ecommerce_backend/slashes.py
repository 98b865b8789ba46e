"""The trailing-slash rule of the API, in one place (docs/architecture.md §5).

Paths as written in the URL map are canonical: collections and items end with a slash (`/api/products/12/`),
action endpoints do not (`/api/configurator/quote`). The other form is answered too, by the same view, for
every endpoint under /api/ (those added later included): a path that does not resolve is tried with its last
slash toggled, and when that one resolves the request continues as if it had been sent there. No redirect, so
a POST keeps its body and a client needs no second round trip; a path that resolves in neither form stays a 404.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import get_urlconf, is_valid_path

API_PREFIX = "/api/"


def other_slash_form(path: str) -> str:
    """`path` with its trailing slash removed, or added."""
    return path[:-1] if path.endswith("/") else f"{path}/"


class EitherSlashMiddleware:
    """Answers an API path with or without its trailing slash (must run before CommonMiddleware's APPEND_SLASH)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path.startswith(API_PREFIX) and path != API_PREFIX:
            urlconf = getattr(request, "urlconf", None) or get_urlconf()
            if not is_valid_path(path, urlconf):
                other = other_slash_form(path)
                if is_valid_path(other, urlconf):
                    request.path_info = other
                    request.path = f"{request.META.get('SCRIPT_NAME', '').rstrip('/')}{other}"
        return self.get_response(request)
