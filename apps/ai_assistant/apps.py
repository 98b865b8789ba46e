from django.apps import AppConfig


class AiAssistantConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.ai_assistant"
    verbose_name = "AI assistant"

    def ready(self) -> None:
        # Connect the catalog signals that record index changes (outbox) and schedule flushes.
        from . import signals  # noqa: F401
