from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    """The customer pages: thin over the catalog, product, cart and order selectors and services."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.storefront"
    verbose_name = "Storefront"
