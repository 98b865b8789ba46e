"""What a search matched: every hit the hybrid search ranks (not only one page), with the options filter.

Hybrid search fuses the CANDIDATES nearest documents and the CANDIDATES best keyword hits that pass the
filters (apps/ai_assistant/retrieval/hybrid.py), so "all matches" is that fused list: up to about a hundred
documents. `search_matches()` asks for all of it once (MAX_MATCHES), and the page (`offset`, `limit`), the
`total` and the facets are all cut from the same list, so they always agree. `sorted_by(sort)` orders that
whole list (relevance, price, -price) before a page is cut, so a sorted page is never sorted within a page only.

The options filter (products having every one of some options) is not one of SearchFilters' fields: it is
passed as `OptionFilters`, a SearchFilters that also accepts only the allowed product ids (in memory, in
Chroma's `where` and in the keyword side's SQL), and the hits are checked against the allowed ids again here,
whatever the ranking did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q

from apps.ai_assistant.retrieval.hybrid import SearchDebug, SearchFilters, hybrid_search
from apps.ai_assistant.retrieval.synonyms import expand_query
from apps.preconfigured_products.models import PreConfiguredProductOption

MAX_MATCHES = 200  # more than the fused list of hybrid search ever holds (2 x CANDIDATES + exact names)
MAX_WHERE_IDS = 5000  # the most allowed ids sent to Chroma; beyond, only the in-memory check applies
RELEVANCE, PRICE, PRICE_DESC = "relevance", "price", "-price"
SORTS = (RELEVANCE, PRICE, PRICE_DESC)


@dataclass(frozen=True)
class OptionFilters(SearchFilters):
    """SearchFilters restricted to products whose ids are in `product_ids` (None: no restriction)."""

    product_ids: frozenset[int] | None = None

    def where(self) -> dict | None:
        base = super().where()
        if self.product_ids is None or len(self.product_ids) > MAX_WHERE_IDS:
            return base
        clauses = [{"type": "product"}, {"object_id": {"$in": sorted(self.product_ids)}}]
        return {"$and": [base, *clauses]} if base else {"$and": clauses}

    def keyword_q(self) -> Q:
        """The keyword side's SQL filter (KeywordRow columns), for a keyword backend that reads one."""
        parent = getattr(super(), "keyword_q", None)
        q = parent() if parent else Q()
        if self.product_ids is None:
            return q
        return q & Q(doc_type="product", doc_id__in=[f"product:{pk}" for pk in sorted(self.product_ids)])

    def accepts(self, facets: dict[str, Any]) -> bool:
        if self.product_ids is not None and (
            facets.get("type") != "product" or facets.get("object_id") not in self.product_ids
        ):
            return False
        return super().accepts(facets)

    @property
    def empty(self) -> bool:
        return self.product_ids is None and super().empty


@dataclass
class Matches:
    """Every hit of one search, best first, and how many of them came from keywords."""

    hits: list[dict]
    keyword_hits: int
    searched: str  # the query as searched: with its synonyms
    product_ids: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.product_ids = [hit["object_id"] for hit in self.hits if hit["type"] == "product"]

    @property
    def total(self) -> int:
        return len(self.hits)

    def page(self, offset: int, limit: int) -> list[dict]:
        return self.hits[offset : offset + limit]

    def sorted_by(self, sort: str) -> Matches:
        """These matches in `sort` order: relevance (as ranked), price or -price (lowest or highest first).

        Hits without a price (categories) come last either way; equal prices keep their relevance order.
        """
        if sort == RELEVANCE:
            return self
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}")
        priced = [hit for hit in self.hits if hit.get("price") is not None]
        unpriced = [hit for hit in self.hits if hit.get("price") is None]
        priced.sort(key=lambda hit: Decimal(hit["price"]), reverse=sort == PRICE_DESC)  # stable, also reversed
        return Matches(priced + unpriced, self.keyword_hits, self.searched)


def products_with_all_options(option_ids: list[int]) -> frozenset[int]:
    """Ids of products whose configuration has every one of `option_ids` (one grouped query)."""
    wanted = set(option_ids)
    rows = (
        PreConfiguredProductOption.objects.filter(option_id__in=wanted)
        .values("product_id")
        .annotate(found=Count("option_id", distinct=True))
        .filter(found=len(wanted))
        .values_list("product_id", flat=True)
    )
    return frozenset(rows)


def search_matches(query: str, filters: SearchFilters, option_ids: list[int] | None = None) -> Matches:
    """All hits of `query` under `filters` and, when given, only products having all of `option_ids`."""
    searched = expand_query(query)
    allowed: frozenset[int] | None = None
    if option_ids:
        allowed = products_with_all_options(option_ids)
        if not allowed:
            return Matches([], 0, searched)
        filters = OptionFilters(
            **{name: getattr(filters, name) for name in SearchFilters.__dataclass_fields__}, product_ids=allowed
        )
    debug = SearchDebug(vector=[], keyword=[], exact=[])
    hits = hybrid_search(searched, filters, limit=MAX_MATCHES, debug=debug)
    if allowed is not None:
        hits = [hit for hit in hits if hit["type"] == "product" and hit["object_id"] in allowed]
    return Matches(hits, len(debug.keyword), searched)
