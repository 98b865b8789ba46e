"""Admin of the search app: synonyms (edited, live within seconds), search records and the search report."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_date

from apps.search.models import SearchRecord, Synonym
from apps.search.selectors.analytics import top_queries

PERIODS = (1, 7, 30, 90)  # days the report offers as one-click periods


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ("term", "synonyms", "is_active", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("term", "synonyms")


def report_period(request: HttpRequest) -> tuple[datetime, datetime, str]:
    """[since, until) from ?since=YYYY-MM-DD&until=YYYY-MM-DD (until inclusive) or ?days=N (default 7)."""
    now = timezone.now()
    since_day, until_day = parse_date(request.GET.get("since") or ""), parse_date(request.GET.get("until") or "")
    if since_day:
        until_day = until_day or now.date()
        start = timezone.make_aware(datetime.combine(since_day, time.min))
        end = timezone.make_aware(datetime.combine(until_day + timedelta(days=1), time.min))
        return start, end, f"{since_day} to {until_day}"
    try:
        days = max(1, min(int(request.GET.get("days", 7)), 3650))
    except ValueError:
        days = 7
    return now - timedelta(days=days), now, f"the last {days} day{'s' if days != 1 else ''}"


@admin.register(SearchRecord)
class SearchRecordAdmin(admin.ModelAdmin):
    """What customers searched: read-only records, and the report of top and not-found queries."""

    list_display = ("created_at", "query", "hits", "keyword_hits", "took_ms")
    list_filter = ("created_at",)
    date_hierarchy = "created_at"
    search_fields = ("query",)
    show_full_result_count = False
    change_list_template = "admin/search/searchrecord/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        return [
            path("report/", self.admin_site.admin_view(self.report_view), name="search_searchrecord_report"),
            *super().get_urls(),
        ]

    def report_view(self, request: HttpRequest) -> TemplateResponse:
        if not self.has_view_permission(request):  # admin_view only checks is_staff
            raise PermissionDenied
        since, until, label = report_period(request)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Search report: {label}",
            "opts": self.model._meta,
            "periods": PERIODS,
            "since": request.GET.get("since", ""),
            "until": request.GET.get("until", ""),
            "top": top_queries(since, until),
            "not_found": top_queries(since, until, not_found=True),
        }
        return TemplateResponse(request, "admin/search/searchrecord/report.html", context)
