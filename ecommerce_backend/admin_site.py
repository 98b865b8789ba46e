"""The admin site of the shop: Django's, with its login throttled and locked out after repeated failures.

Installed through `ecommerce_backend.apps.ShopAdminConfig` (INSTALLED_APPS), so `admin.site` is this site and
every ModelAdmin registers on it as usual.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from ecommerce_backend import lockout
from ecommerce_backend.throttling import AuthRateThrottle, client_address


def too_many_attempts(wait: int) -> HttpResponse:
    """429 with Retry-After, as a small page (the admin is HTML)."""
    response = HttpResponse(
        f"<h1>Too many login attempts</h1><p>{lockout.MESSAGE} Retry in {wait} seconds.</p>",
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


class ShopAdminSite(admin.AdminSite):
    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """Django's admin login; a POST first passes the AUTH_THROTTLE rate and the lockout (else 429)."""
        if request.method != "POST":
            return super().login(request, extra_context)
        throttle = AuthRateThrottle()
        if not throttle.allow_request(request, None):
            return too_many_attempts(max(1, int(throttle.wait() or 1)))
        username = str(request.POST.get("username", ""))
        address = client_address(request)
        wait = lockout.retry_after(username, address)
        if wait:
            return too_many_attempts(wait)
        response = super().login(request, extra_context)
        # A successful login redirects with the user logged in; a refused one renders the form again.
        if response.status_code == 302 and request.user.is_authenticated:
            lockout.record_success(username)
        elif username:
            lockout.record_failure(username, address)
        return response
