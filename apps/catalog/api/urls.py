"""Catalog endpoints (DESIGN section 4)."""

urlpatterns: list = []
