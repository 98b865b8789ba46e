"""AI assistant endpoints (the README's API table)."""

from django.urls import path

from apps.ai_assistant.api.chat_views import ChatView
from apps.ai_assistant.api.index_views import IndexRebuildView, IndexStatusView, IndexUpdateView, TaskStatusView
from apps.ai_assistant.api.search_views import SearchView
from apps.ai_assistant.api.suggest_views import SuggestView

urlpatterns: list = [
    path("search", SearchView.as_view(), name="ai-assistant-search"),
    path("suggest", SuggestView.as_view(), name="ai-assistant-suggest"),
    path("chat", ChatView.as_view(), name="ai-assistant-chat"),
    path("index/status", IndexStatusView.as_view(), name="ai-index-status"),
    path("index/rebuild", IndexRebuildView.as_view(), name="ai-index-rebuild"),
    path("index/update", IndexUpdateView.as_view(), name="ai-index-update"),
    path("tasks/<str:task_id>", TaskStatusView.as_view(), name="ai-task-status"),
]
