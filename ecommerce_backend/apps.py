"""App configuration of the project package: the admin, installed with the shop's own admin site."""

from django.contrib.admin.apps import AdminConfig


class ShopAdminConfig(AdminConfig):
    """django.contrib.admin with `admin.site` = ecommerce_backend.admin_site.ShopAdminSite.

    The one app config of the project package, so it also registers the project's own system checks.
    """

    default_site = "ecommerce_backend.admin_site.ShopAdminSite"

    def ready(self) -> None:
        super().ready()
        import ecommerce_backend.checks  # noqa: F401 - registers the host-independence check
