"""URL map of the shop (the README's API table; docs/architecture.md)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from apps.catalog.api.views_auth import ObtainTokenView
from ecommerce_backend.health import healthz
from ecommerce_backend.metrics import metrics_view

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),
    path("api/auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI and ReDoc load their scripts from our static files (drf-spectacular-sidecar), never a CDN.
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="schema", template_name="api_docs/redoc.html"),
        name="redoc",
    ),
    path("api/", include("apps.catalog.api.urls")),
    path("api/", include("apps.preconfigured_products.api.urls")),
    path("api/", include("apps.orders.api.urls")),
    path("api/ai-assistant/", include("apps.ai_assistant.api.urls")),
    path("", include("apps.storefront.urls")),
]

handler400 = "ecommerce_backend.errors.bad_request"
handler404 = "ecommerce_backend.errors.not_found"
handler500 = "ecommerce_backend.errors.server_error"
