"""Django admin of the AI index: the status panel with "Rebuild" / "Update now", the outbox, the ledger."""

from __future__ import annotations

import logging

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from apps.ai_assistant.indexing import scheduling
from apps.ai_assistant.indexing.status import index_status
from apps.ai_assistant.models import ChatMessage, ChatSession, IndexChange, IndexedDocument, IndexState

logger = logging.getLogger(__name__)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the pipeline writes; editing them by hand would desynchronise the index."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(IndexChange)
class IndexChangeAdmin(ReadOnlyAdmin):
    list_display = ("doc_id", "created_at", "claimed_by", "claimed_at")
    list_filter = (("claimed_at", admin.EmptyFieldListFilter),)
    search_fields = ("doc_id",)
    date_hierarchy = "created_at"


@admin.register(IndexedDocument)
class IndexedDocumentAdmin(ReadOnlyAdmin):
    list_display = ("doc_id", "doc_type", "collection", "content_hash_short", "indexed_at")
    list_filter = ("doc_type", "collection")
    search_fields = ("doc_id", "text")
    show_full_result_count = False  # no COUNT(*) over a big ledger on every page

    @admin.display(description="hash")
    def content_hash_short(self, obj: IndexedDocument) -> str:
        return obj.content_hash[:12]


@admin.register(IndexState)
class IndexStateAdmin(ReadOnlyAdmin):
    """The index status panel: numbers, the last error, and buttons that queue a rebuild or a flush."""

    list_display = ("active_collection", "embedding_model", "last_update_at", "last_rebuild_at", "rebuild_task_id")
    change_list_template = "admin/ai_assistant/indexstate/change_list.html"

    def get_urls(self):
        return [
            path("rebuild/", self.admin_site.admin_view(self.rebuild_view), name="ai_assistant_index_rebuild"),
            path("update/", self.admin_site.admin_view(self.update_view), name="ai_assistant_index_update"),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> TemplateResponse:
        context = {
            **(extra_context or {}),
            "index_status": index_status(tolerate_errors=True),
            # The panel offers only the buttons the user may press; the views check again.
            "can_rebuild_index": request.user.has_perm("ai_assistant.rebuild_index"),
            "can_update_index": request.user.has_perm("ai_assistant.update_index"),
        }
        return super().changelist_view(request, context)

    def _queue(
        self, request: HttpRequest, what: str, permission: str, trigger
    ) -> HttpResponseRedirect | HttpResponseNotAllowed:
        # admin_view only checks is_staff: the action's own permission is checked here.
        if not request.user.has_perm(f"ai_assistant.{permission}"):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            message = trigger()
        except Exception as exc:  # broker down: tell the operator instead of a 500 page
            logger.warning("Cannot queue the %s: %s", what, exc)
            self.message_user(request, f"Cannot queue the {what}: {exc}", level=messages.ERROR)
        else:
            self.message_user(request, message, level=messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:ai_assistant_indexstate_changelist"))

    def rebuild_view(self, request: HttpRequest):
        def trigger() -> str:
            task_id, queued = scheduling.trigger_rebuild()
            return f"Rebuild queued (task {task_id})." if queued else f"A rebuild is already running (task {task_id})."

        return self._queue(request, "rebuild", "rebuild_index", trigger)

    def update_view(self, request: HttpRequest):
        return self._queue(
            request, "update", "update_index", lambda: f"Update queued (task {scheduling.trigger_update()})."
        )


# -- Chat history of the shopping assistant ------------------------------------------------------
class ChatMessageInline(admin.TabularInline):
    model = ChatMessage
    fields = ("created_at", "role", "engine", "content", "products", "sources")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("id",)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ChatSession)
class ChatSessionAdmin(admin.ModelAdmin):
    """Conversations as the customers had them: read-only, deletable (e.g. on a customer's request)."""

    list_display = ("id", "created_at", "updated_at", "message_count")
    readonly_fields = ("id", "created_at", "updated_at", "context")
    search_fields = ("=id",)
    date_hierarchy = "created_at"
    inlines = [ChatMessageInline]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(message_total=Count("messages"))

    @admin.display(description="messages", ordering="message_total")
    def message_count(self, obj: ChatSession) -> int:
        return obj.message_total

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
