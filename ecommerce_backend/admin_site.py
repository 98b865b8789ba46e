"""The admin site of the shop: Django's, with its login throttled and locked out after repeated failures.

Installed through `ecommerce_backend.apps.ShopAdminConfig` (INSTALLED_APPS), so `admin.site` is this site and
every ModelAdmin registers on it as usual.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from ecommerce_backend.login_guard import guarded_login


class ShopAdminSite(admin.AdminSite):
    # "View site" opens the storefront's home page.
    site_url = "/"

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """Django's admin login; a POST first passes the AUTH_THROTTLE rate and the lockout (else 429)."""
        return guarded_login(request, lambda: super(ShopAdminSite, self).login(request, extra_context))
