"""Who may do what through the API: staff accounts holding the Django permission of the action.

Catalog and product reads are public. A write needs an authenticated staff user who also holds the model
permission Django's admin would ask for (POST `add_`, PUT/PATCH `change_`, DELETE `delete_`), so the
permissions granted in the admin mean the same thing in the API. DRF answers 401 to an anonymous request
and 403 to an authenticated one that lacks a right.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db.models import QuerySet
from rest_framework.permissions import SAFE_METHODS, BasePermission, DjangoModelPermissions

# The apps whose models the API and the admin write; a full shop editor holds all their permissions.
SHOP_APPS = ("catalog", "preconfigured_products", "ai_assistant")


def _is_staff(request) -> bool:
    user = request.user
    return bool(user and user.is_authenticated and user.is_staff)


class StaffModelPermissionsOrReadOnly(DjangoModelPermissions):
    """Reads for everyone; writes for staff holding the model permission of the method on the view's queryset."""

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return _is_staff(request) and super().has_permission(request, view)


def staff_with_permissions(*perms: str) -> type[BasePermission]:
    """A permission class admitting staff users who hold every one of `perms` ("app_label.codename"), reads included.

    For views without a model queryset (index administration), where DjangoModelPermissions cannot apply.
    """

    class StaffWithPermissions(BasePermission):
        required_permissions = perms

        def has_permission(self, request, view) -> bool:
            return _is_staff(request) and request.user.has_perms(self.required_permissions)

    StaffWithPermissions.__name__ = StaffWithPermissions.__qualname__ = f"StaffWith({', '.join(perms)})"
    return StaffWithPermissions


def shop_permissions() -> QuerySet[Permission]:
    """Every permission of the shop's apps: what an account that edits everything needs (fixtures, benches)."""
    return Permission.objects.filter(content_type__app_label__in=SHOP_APPS)
