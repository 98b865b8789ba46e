"""The storefront's pages (docs/storefront.md)."""

from django.urls import path

from apps.storefront.views import account, cart_pages, catalog_pages, checkout, search_page

app_name = "storefront"

urlpatterns = [
    path("", catalog_pages.home, name="home"),
    path("shop/search/", search_page.search, name="search"),
    path("shop/families/<slug:slug>/", catalog_pages.family, name="family"),
    path("shop/families/<slug:slug>/configure/", catalog_pages.configurator, name="configurator"),
    path("shop/products/<int:pk>/", catalog_pages.product, name="product"),
    path("shop/cart/", cart_pages.cart, name="cart"),
    path("shop/cart/add/", cart_pages.add, name="cart-add"),
    path("shop/cart/lines/<int:line_id>/", cart_pages.change_line, name="cart-line"),
    path("shop/checkout/", checkout.checkout, name="checkout"),
    path("shop/orders/<int:pk>/", checkout.confirmation, name="order"),
    path("shop/sign-in/", account.SignInView.as_view(), name="sign-in"),
    path("shop/sign-out/", account.sign_out, name="sign-out"),
    path("shop/sign-up/", account.sign_up, name="sign-up"),
]
