"""Cart and order endpoints (the README's API table)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.orders.api import views

router = SimpleRouter()
router.register("orders", views.OrderViewSet, basename="order")

urlpatterns = [
    path("cart", views.CartView.as_view(), name="cart"),
    path("cart/lines/", views.CartLinesView.as_view(), name="cart-lines"),
    path("cart/lines/<str:line_id>/", views.CartLineView.as_view(), name="cart-line"),
    *router.urls,
]
