"""Pre-configured product endpoints (the README's API table)."""

from rest_framework.routers import SimpleRouter

from apps.preconfigured_products.api.views import ProductViewSet

router = SimpleRouter()
router.register("products", ProductViewSet, basename="product")

urlpatterns = router.urls
