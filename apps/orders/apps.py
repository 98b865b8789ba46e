from django.apps import AppConfig


class OrdersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.orders"
    verbose_name = "Cart and orders"

    def ready(self) -> None:
        # Merge an anonymous cart into the user's at sign-in (user_logged_in).
        from . import signals  # noqa: F401
