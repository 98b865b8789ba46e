"""Pre-configured product endpoints (DESIGN section 4)."""

urlpatterns: list = []
