"""The search page: a server-rendered frame; the browser asks the search API (GET /api/ai-assistant/search)
for the hits and facets of the query in the address bar, so every facet, page and sort is a plain link.

The page's own work is one small query (the families, for links and for the category filter when the API
gives no facets), so it answers within the storefront's time budget whatever the search costs.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.catalog.models import Category

MAX_QUERY_CHARS = 500  # the search API's own bound on q


def search(request: HttpRequest) -> HttpResponse:
    families = list(Category.objects.filter(is_active=True).values("id", "name", "slug"))
    return render(
        request,
        "storefront/search.html",
        {"q": request.GET.get("q", "")[:MAX_QUERY_CHARS], "families": families},
    )
