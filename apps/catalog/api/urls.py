"""Catalog endpoints (the README's API table)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.catalog.api import views

router = SimpleRouter()
router.register("categories", views.CategoryViewSet, basename="category")
router.register("parts", views.PartViewSet, basename="part")
router.register("part-options", views.PartOptionViewSet, basename="part-option")
router.register("incompatibility-rules", views.IncompatibilityRuleViewSet, basename="incompatibility-rule")
router.register("price-adjustment-rules", views.PriceAdjustmentRuleViewSet, basename="price-adjustment-rule")

urlpatterns = [
    path("configurator/quote", views.QuoteView.as_view(), name="configurator-quote"),
    *router.urls,
]
