"""App configuration of the project package: the admin, installed with the shop's own admin site."""

from django.contrib.admin.apps import AdminConfig


class ShopAdminConfig(AdminConfig):
    """django.contrib.admin with `admin.site` = ecommerce_backend.admin_site.ShopAdminSite."""

    default_site = "ecommerce_backend.admin_site.ShopAdminSite"
