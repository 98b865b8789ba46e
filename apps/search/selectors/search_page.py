"""One page of a search with everything the storefront shows beside it: total, facets, did-you-mean."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apps.ai_assistant.retrieval.hybrid import SearchFilters
from apps.search.selectors.facets import search_facets
from apps.search.selectors.matches import RELEVANCE, search_matches
from apps.search.selectors.spelling import correct_query


@dataclass
class SearchPage:
    results: list[dict]
    total: int
    keyword_hits: int
    facets: dict[str, Any]
    suggestion: str | None


def search_page(
    query: str,
    filters: SearchFilters,
    *,
    option_ids: list[int] | None = None,
    offset: int = 0,
    limit: int = 10,
    sort: str = RELEVANCE,
) -> SearchPage:
    """Hits offset..offset+limit of `query` in `sort` order (over all matches, then paged), the total, the
    facets of all matched products, a suggestion."""
    matches = search_matches(query, filters, option_ids).sorted_by(sort)
    # Not "when the results are few": the vector side always finds neighbours, so a misspelt query is never
    # short of results. A word outside the catalog's vocabulary has no hits of its own; when a catalog word
    # is one typo away, that is the suggestion (one indexed query when every word is known).
    suggestion = correct_query(query)
    return SearchPage(
        results=matches.page(offset, limit),
        total=matches.total,
        keyword_hits=matches.keyword_hits,
        facets=search_facets(matches.product_ids, matches.hits),
        suggestion=suggestion,
    )
