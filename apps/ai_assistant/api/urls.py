"""AI assistant endpoints (DESIGN section 4)."""

from django.urls import path

from apps.ai_assistant.api.chat_views import ChatView

urlpatterns: list = [
    path("chat", ChatView.as_view(), name="ai-assistant-chat"),
]
