"""Error pages: JSON under /api/ (clients parse it), Django's HTML pages elsewhere (admin)."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 400 (a suspicious request). A body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413, as JSON for the API."""
    if isinstance(exception, RequestDataTooBig):
        if _is_api(request):
            return JsonResponse({"detail": "Request body too large."}, status=413)
        return HttpResponse("Request body too large.", status=413, content_type="text/plain")
    if _is_api(request):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return defaults.bad_request(request, exception)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Internal server error."}, status=500)
    return defaults.server_error(request)
