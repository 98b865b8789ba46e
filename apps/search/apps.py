from django.apps import AppConfig


class SearchConfig(AppConfig):
    """What the shop knows about searching: analytics, synonyms, the vocabulary of did-you-mean and suggestions."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.search"
    verbose_name = "Search"

    def ready(self) -> None:
        # The catalog does not know this app: its receivers are connected here (apps/search/signals.py).
        from . import signals  # noqa: F401
