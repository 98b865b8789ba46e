"""AI assistant endpoints (DESIGN section 4)."""

urlpatterns: list = []
